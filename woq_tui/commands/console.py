"""woq-console (no subcommand): open the console on the configured database."""

from __future__ import annotations

from woq_tui.commands._common import log_to_file, open_database


def run(args, settings) -> int:
    from woq_tui.context import ConsoleContext
    from woq_tui.store.queue_live import start_prefetch

    engine = open_database(args, settings)
    log_to_file()
    context = ConsoleContext(settings=settings, engine=engine, read_only=args.read_only)
    start_prefetch(context)  # the first page is read while the UI is imported
    from woq_tui.app import WoqApp

    WoqApp(context).run()
    return 0
