"""woq-console (no subcommand): open the console on the configured database."""

from __future__ import annotations

import sys
from argparse import Namespace
from typing import TYPE_CHECKING

from woq_tui.commands._common import configured_settings, log_to_file
from woq_tui.i18n import set_language

if TYPE_CHECKING:
    from woq_tui.context import ConsoleContext


def start(args) -> int:
    """The console. Where it can, a forked head start (commands/head_start.py) reads the
    settings, opens the database and reads the first page while this process imports
    the UI; a ConfigError or DatabaseError from it reaches cli.main, which prints its
    one line."""
    from woq_tui.commands.head_start import HeadStart
    from woq_tui.context import ConsoleContext
    from woq_tui.values.live import PREFETCH_COUNTS_KEY, PREFETCH_KEY

    head = HeadStart.start(args)
    context = None if head is not None else _open_here(args)
    from woq_tui.app import WoqApp  # meanwhile

    if head is not None:
        settings = head.settings.result()
        set_language(settings.console.language)
        if sys.__stdout__ is None or not sys.__stdout__.isatty():
            # No screen to show meanwhile: wait, so that a database that cannot be
            # opened is one line (cli.main) and nothing is drawn into the pipe.
            head.opened.result()
        context = ConsoleContext(settings, opening=head.opened, read_only=args.read_only)
        context.prefetched[PREFETCH_KEY] = head.first_page
        context.prefetched[PREFETCH_COUNTS_KEY] = head.counts
    log_to_file()
    assert context is not None  # opened here, or by the head start
    app = WoqApp(context)
    app.run()
    if app.stopped_by is not None:
        raise app.stopped_by  # the head start's verdict: cli.main prints its one line
    return 0


def _open_here(args: Namespace) -> ConsoleContext:
    """Without the head start: read the settings and open the database in this
    process, and read the first page in a thread while the UI is imported."""
    from woq_tui.commands._common import open_database
    from woq_tui.config import resolve_read_url
    from woq_tui.context import ConsoleContext
    from woq_tui.store.queue_live import start_prefetch

    settings = configured_settings(args)
    set_language(settings.console.language)
    read_url = resolve_read_url(getattr(args, "db", None), settings)
    context = ConsoleContext(settings, open_database(args, settings), read_url=read_url, read_only=args.read_only)
    start_prefetch(context)
    return context
