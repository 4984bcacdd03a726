"""woq-console (no subcommand): open the console on the configured database."""

from __future__ import annotations

from woq_tui.commands._common import log_to_file, open_database


def run(args, settings) -> int:
    from woq_tui.app import WoqApp
    from woq_tui.context import ConsoleContext

    engine = open_database(args, settings)
    log_to_file()
    context = ConsoleContext(settings=settings, engine=engine, read_only=args.read_only)
    WoqApp(context).run()
    return 0
