"""The woq-console command line (cli.md): parse, load config, call one service, exit.

Each subcommand's work lives in woq_tui/commands/<name>.py, imported only when that
subcommand runs, so `--help` and the console start without loading what they don't use.
Exit status: 0 done, 1 runtime failure, 2 usage or configuration error (reassign: 3
queued, 4 refused).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from woq_tui import __version__, cli_assessment

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 with usage: keep that, one line
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _common(parser: argparse.ArgumentParser, db: bool = True, top: bool = False) -> None:
    # On subcommands the defaults are suppressed, so `woq-console --db X import F`
    # keeps the --db given before the subcommand.
    default = None if top else argparse.SUPPRESS
    if db:
        parser.add_argument("--db", metavar="URL", default=default, help="SQLAlchemy database URL (overrides config)")
    parser.add_argument(
        "--config", metavar="FILE", default=default, help="config file (default: WOQ_CONFIG or the user config dir)"
    )
    parser.add_argument("--lang", choices=("zh", "en"), default=default, help="console language (default: the locale)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="woq-console", description="A terminal console for 95598 power-service work orders.")
    parser.add_argument("--version", action="version", version=f"woq-console {__version__}")
    _common(parser, top=True)
    parser.add_argument("--read-only", action="store_true", help="browse only: no reassignment, urging or reveal")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    demo = sub.add_parser("demo", help="open the console on a demo database with a live simulator")
    _common(demo, db=False)
    demo.add_argument("--seed", type=int, default=95598)
    demo.add_argument("--stations", type=int, default=100)
    demo.add_argument("--days", type=int, default=365)
    demo.add_argument("--no-live", action="store_true", help="no simulator: the data stands still")
    demo.add_argument("--fresh", action="store_true", help="rebuild the demo database")
    demo.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS)

    gen = sub.add_parser("generate", help="write demo data into a database")
    _common(gen)
    gen.add_argument("--seed", type=int, default=95598)
    gen.add_argument("--stations", type=int, default=100)
    gen.add_argument("--days", type=int, default=365)
    gen.add_argument("--end", metavar="DATETIME", help="the instant the generated year ends (default: now)")

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", parser_class=_Parser, metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="create or migrate the schema")
    _common(up)

    imp = sub.add_parser("import", help="import a CSV or XLSX ticket export")
    _common(imp)
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    imp.add_argument("--rejects", metavar="OUT.csv", help="write rejected rows here")
    imp.add_argument("--format", choices=("text", "json"), default="text")

    rep = sub.add_parser("report", help="station performance for a period")
    _common(rep)
    rep.add_argument("--from", dest="date_from", metavar="DATE")
    rep.add_argument("--to", dest="date_to", metavar="DATE")
    rep.add_argument("--as-of", dest="as_of", metavar="DATETIME")
    rep.add_argument("--format", choices=("json", "csv", "md", "html"), default="md")
    rep.add_argument("--out", metavar="FILE")
    cli_assessment.add_report_options(rep)

    rea = sub.add_parser("reassign", help="reassign one ticket through the dispatch API")
    _common(rea)
    rea.add_argument("ticket_no", metavar="TICKET_NO")
    rea.add_argument("--to", dest="to_station", metavar="STATION_CODE", required=True)
    rea.add_argument("--reason", required=True)
    rea.add_argument("--operator", metavar="ID")

    out = sub.add_parser("outbox", help="reassignments not yet confirmed by the dispatch API")
    _common(out)
    out.add_argument("action", nargs="?", choices=("list", "push", "retry", "drop"), default="list")
    out.add_argument("entry_id", nargs="?", metavar="ID")

    cli_assessment.add_subcommands(sub, _common)

    srv = sub.add_parser("dispatch-server", help="the reference dispatch API over the ticket database")
    _common(srv)
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8765)
    srv.add_argument("--no-auth", action="store_true", help="accept requests without a bearer token")
    return parser


# subcommand -> module in woq_tui.commands with run(args, settings) -> int; without
# one, commands/console.py's start(args), which reads the settings while it starts
_COMMANDS = {
    "demo": "demo",
    "generate": "generate",
    "db": "database",
    "import": "importing",
    "report": "report",
    "reassign": "reassign",
    "outbox": "outbox",
    "dispatch-server": "dispatch_server",
    "pilot": "pilot",
    "bulletin": "bulletin",
}


def main(argv: Sequence[str] | None = None) -> int:
    from woq_tui.config import ConfigError
    from woq_tui.i18n import set_language
    from woq_tui.errors import DatabaseError

    args = build_parser().parse_args(argv)
    if args.command == "outbox" and args.action in ("retry", "drop") and not args.entry_id:
        print(f"woq-console outbox {args.action}: an entry ID is required", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command is None:
            # The console's process leaves reading and checking the settings to its
            # head start's child: pydantic, which checks them, is ≈90 ms of its start.
            from woq_tui.commands.console import start

            return start(args)
        from woq_tui.commands._common import configured_settings

        settings = configured_settings(args)
        set_language(settings.console.language)
        module = importlib.import_module(f"woq_tui.commands.{_COMMANDS[args.command]}")
        return module.run(args, settings)
    except ConfigError as exc:
        print(f"woq-console: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseError as exc:
        print(f"woq-console: database error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `woq-console report | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
