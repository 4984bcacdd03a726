"""woq-console dispatch-server: the reference dispatch API over the ticket database.

Bearer token from the variable `[dispatch] token_env` names; without it the server
refuses to start unless --no-auth. Binds 127.0.0.1 unless --host says otherwise.
"""

from __future__ import annotations

import sys

from woq_tui.commands._common import open_database
from woq_tui.i18n import t

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def run(args, settings) -> int:
    import uvicorn

    from woq_tui.dispatch.client import read_token
    from woq_tui.dispatch.server import bind_socket, create_app, socket_url

    token = None if args.no_auth else read_token(settings.dispatch)
    if token is None and not args.no_auth:
        print(f"woq-console: {t('dispatch.cli.no_token', env=settings.dispatch.token_env)}", file=sys.stderr)
        return 2
    if args.no_auth and args.host not in LOOPBACK:
        print(f"woq-console: {t('dispatch.cli.no_auth_exposed', host=args.host)}", file=sys.stderr)
    engine = open_database(args, settings)
    try:
        sock = bind_socket(args.host, args.port)
        sock.listen(128)  # connections queue from now on, so the line below is true
    except OSError as exc:
        print(
            f"woq-console: {t('dispatch.cli.cannot_listen', host=args.host, port=args.port, error=exc.strerror or exc)}",
            file=sys.stderr,
        )
        return 1
    print(t("dispatch.cli.listening", url=socket_url(sock)), flush=True)
    config = uvicorn.Config(create_app(engine, token), log_level="info", lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        engine.dispose()
    return 0
