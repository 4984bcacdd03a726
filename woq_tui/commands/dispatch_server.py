"""woq-console dispatch-server: the reference dispatch API over the ticket database.

Bearer token from the variable `[dispatch] token_env` names; without it the server
refuses to start unless --no-auth. Binds 127.0.0.1 unless --host says otherwise. Logs
to stderr: one line per request, never with a query string (docs/dispatch-api.md).
"""

from __future__ import annotations

import logging
import sys

from woq_tui.commands._common import open_database
from woq_tui.i18n import t

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def run(args, settings) -> int:
    import uvicorn

    from woq_tui.dispatch.client import read_token
    from woq_tui.dispatch.server import bind_socket, create_app, server_config, socket_url

    token = None if args.no_auth else read_token(settings.dispatch)
    if token is None and not args.no_auth:
        print(f"woq-console: {t('dispatch.cli.no_token', env=settings.dispatch.token_env)}", file=sys.stderr)
        return 2
    if args.no_auth and args.host not in LOOPBACK:
        print(f"woq-console: {t('dispatch.cli.no_auth_exposed', host=args.host)}", file=sys.stderr)
    engine = open_database(args, settings, must_exist=True)
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
    _log_to_stderr()
    config = server_config(create_app(engine, token, policy=settings.sla_policy()), log_level="info")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        engine.dispose()
    return 0


def _log_to_stderr() -> None:
    """The server's own lines (the access log, slow clients) on stderr, as uvicorn's."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    logger = logging.getLogger("woq_tui.dispatch")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
