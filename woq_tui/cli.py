"""The woq-console command line (docs/configuration.md, docs/dispatch.md): parse, load
config, refuse what a read-only user may not do, call one service, exit.

Each subcommand's work lives in woq_tui/commands/<name>.py, imported only when that
subcommand runs, so `--help` and the console start without loading what they don't use.
Exit status: 0 done, 1 runtime failure, 2 usage or configuration error (reassign and
reclassify: 3 queued, 4 refused; outbox push: 3 some pending, 1 some failed).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from woq_tui import __version__, cli_assessment, cli_audit, cli_classifier
from woq_tui.commands.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 with usage: keep that, one line
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _common(parser: argparse.ArgumentParser, db: bool = True, top: bool = False) -> None:
    # On subcommands the defaults are suppressed, so `woq-console --db X import F`
    # keeps the --db given before the subcommand (and --read-only works on either side).
    from woq_tui.i18n import t

    default = None if top else argparse.SUPPRESS
    if db:
        parser.add_argument("--db", metavar="URL", default=default, help=t("cli.help.db"))
    parser.add_argument("--config", metavar="FILE", default=default, help=t("cli.help.config"))
    parser.add_argument("--lang", choices=("zh", "en"), default=default, help=t("cli.help.lang"))
    parser.add_argument(
        "--read-only", action="store_true", default=False if top else argparse.SUPPRESS, help=t("cli.help.read_only")
    )


def port_number(text: str) -> int:
    """--port: 0 (any free port) to 65535; argparse turns the ValueError into one line."""
    from woq_tui.i18n import t

    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(t("cli.bad_port", value=text))
    return value


def build_parser() -> argparse.ArgumentParser:
    from woq_tui.i18n import t

    parser = _Parser(prog="woq-console", description=t("cli.help.description"))
    parser.add_argument("--version", action="version", version=f"woq-console {__version__}", help=t("cli.help.version"))
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND", help=t("cli.help.commands"))

    demo = sub.add_parser("demo", help=t("cli.help.demo"), description=t("cli.help.demo"))
    _common(demo, db=False)
    _counts(demo)
    demo.add_argument("--no-live", action="store_true", help=t("cli.help.no_live"))
    demo.add_argument("--fresh", action="store_true", help=t("cli.help.fresh"))

    gen = sub.add_parser("generate", help=t("cli.help.generate"), description=t("cli.help.generate"))
    _common(gen)
    _counts(gen)
    gen.add_argument("--end", metavar="DATETIME", help=t("cli.help.end"))

    db = sub.add_parser("db", help=t("cli.help.db_group"), description=t("cli.help.db_group"))
    _common(db)
    db_sub = db.add_subparsers(
        dest="db_command", parser_class=_Parser, metavar="ACTION", required=True, help=t("cli.help.db_action")
    )
    up = db_sub.add_parser("upgrade", help=t("cli.help.upgrade"), description=t("cli.help.upgrade"))
    _common(up)
    roll = db_sub.add_parser("rollup", help=t("cli.help.db_rollup"), description=t("cli.help.db_rollup"))
    _common(roll)

    imp = sub.add_parser("import", help=t("cli.help.import"), description=t("cli.help.import"))
    _common(imp)
    imp.add_argument("file", metavar="FILE", help=t("cli.help.file"))
    imp.add_argument("--dry-run", action="store_true", help=t("cli.help.dry_run"))
    imp.add_argument("--rejects", metavar="OUT.csv", help=t("cli.help.rejects"))
    imp.add_argument("--format", choices=("text", "json"), default="text", help=t("cli.help.import_format"))

    rep = sub.add_parser("report", help=t("cli.help.report"), description=t("cli.help.report"))
    _common(rep)
    rep.add_argument("--from", dest="date_from", metavar="DATE", help=t("cli.help.from"))
    rep.add_argument("--to", dest="date_to", metavar="DATE", help=t("cli.help.to"))
    rep.add_argument("--as-of", dest="as_of", metavar="DATETIME", help=t("cli.help.as_of"))
    rep.add_argument("--format", choices=("json", "csv", "md", "html"), default="md", help=t("cli.help.report_format"))
    rep.add_argument("--out", metavar="FILE", help=t("cli.help.out"))
    cli_assessment.add_report_options(rep)
    cli_audit.add_report_options(rep)

    rea = sub.add_parser("reassign", help=t("cli.help.reassign"), description=t("cli.help.reassign"))
    _common(rea)
    rea.add_argument("ticket_no", metavar="TICKET_NO", help=t("cli.help.ticket_no"))
    rea.add_argument("--to", dest="to_station", metavar="STATION_CODE", required=True, help=t("cli.help.to_station"))
    rea.add_argument("--reason", required=True, help=t("cli.help.reason"))
    rea.add_argument("--operator", metavar="ID", help=t("cli.help.operator"))

    rec = sub.add_parser("reclassify", help=t("cli.help.reclassify"), description=t("cli.help.reclassify"))
    _common(rec)
    rec.add_argument("ticket_no", metavar="TICKET_NO", help=t("cli.help.ticket_no"))
    rec.add_argument("--to", dest="to_type", metavar="TYPE", required=True, help=t("cli.help.to_type"))
    rec.add_argument("--reason", required=True, help=t("cli.help.reason"))
    rec.add_argument("--operator", metavar="ID", help=t("cli.help.operator"))
    sug = sub.add_parser("suggest", help=t("cli.help.suggest"), description=t("cli.help.suggest"))
    _common(sug)
    sug.add_argument("ticket_no", metavar="TICKET_NO", help=t("cli.help.ticket_no"))
    sug.add_argument("--format", choices=("text", "json"), default="text", help=t("cli.help.suggest_format"))

    out = sub.add_parser("outbox", help=t("cli.help.outbox"), description=t("cli.help.outbox"))
    _common(out)
    out.add_argument(
        "action", nargs="?", choices=("list", "push", "retry", "drop"), default="list", help=t("cli.help.outbox_action")
    )
    out.add_argument("entry_id", nargs="?", metavar="ID", help=t("cli.help.entry_id"))
    out.add_argument("--wait", action="store_true", help=t("cli.help.wait"))

    cli_assessment.add_subcommands(sub, _common)

    cli_audit.add_audit(sub, _common, _Parser)
    cli_classifier.add_classify(sub, _common)

    srv = sub.add_parser("dispatch-server", help=t("cli.help.dispatch_server"), description=t("cli.help.dispatch_server"))
    _common(srv)
    srv.add_argument("--host", default="127.0.0.1", help=t("cli.help.host"))
    srv.add_argument("--port", type=port_number, default=8765, help=t("cli.help.port"))
    srv.add_argument("--no-auth", action="store_true", help=t("cli.help.no_auth"))
    return parser


def _counts(parser: argparse.ArgumentParser) -> None:
    from woq_tui.i18n import t

    parser.add_argument("--seed", type=int, default=95598, help=t("cli.help.seed"))
    parser.add_argument("--stations", type=int, default=100, help=t("cli.help.stations"))
    parser.add_argument("--days", type=int, default=365, help=t("cli.help.days"))


def _help_language(argv: Sequence[str]) -> str:
    """--lang when given (either spelling), else the locale's language."""
    for index, word in enumerate(argv):
        if word.startswith("--lang="):
            return word.partition("=")[2]
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
    from woq_tui.settings import _default_language

    return _default_language()


# subcommand -> module in woq_tui.commands with run(args, settings) -> int; without
# one, commands/console.py's start(args), which reads the settings while it starts
_COMMANDS = {
    "demo": "demo",
    "generate": "generate",
    "db": "database",
    "import": "importing",
    "report": "report",
    "reassign": "reassign",
    "reclassify": "reclassify",
    "outbox": "outbox",
    "suggest": "suggest",
    "dispatch-server": "dispatch_server",
    "pilot": "pilot",
    "bulletin": "bulletin",
    "audit": "audit",
    "classify": "classify",
}


def main(argv: Sequence[str] | None = None) -> int:
    from woq_tui.config import ConfigError
    from woq_tui.errors import DatabaseError
    from woq_tui.i18n import LANGUAGES, set_language, t

    argv = list(sys.argv[1:] if argv is None else argv)
    language = _help_language(argv)
    set_language(language if language in LANGUAGES else "en")
    args = build_parser().parse_args(argv)
    if args.command == "outbox" and args.action in ("retry", "drop") and not args.entry_id:
        print(f"woq-console outbox {args.action}: {t('outbox.cli.need_id')}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command is None:
            # The console's process leaves reading and checking the settings to its
            # head start's child: pydantic, which checks them, is ≈90 ms of its start.
            from woq_tui.commands.console import start

            return start(args)
        from woq_tui.commands._common import ReadOnlyRefused, configured_settings, refuse_writes_if_read_only

        settings = configured_settings(args)
        set_language(settings.console.language)
        try:
            refuse_writes_if_read_only(args, settings)
        except ReadOnlyRefused as exc:
            print(f"woq-console: {exc}", file=sys.stderr)
            return EXIT_USAGE
        module = importlib.import_module(f"woq_tui.commands.{_COMMANDS[args.command]}")
        return module.run(args, settings)
    except ConfigError as exc:
        print(f"woq-console: {t('cli.config_error')}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseError as exc:
        print(f"woq-console: database error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        # The database gone mid-command (a server restarted, a file locked too long):
        # one line, as any database error, never a traceback.
        problem = _database_problem(exc)
        if problem is None:
            raise
        print(f"woq-console: database error: {problem}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `woq-console report | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _database_problem(exc: BaseException) -> str | None:
    """The first line of a SQLAlchemy error, or None for anything else (SQLAlchemy is
    looked up only if a command has loaded it)."""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None or not isinstance(exc, errors.SQLAlchemyError):
        return None
    from woq_tui.errors import first_line

    return first_line(exc)


if __name__ == "__main__":
    raise SystemExit(main())
