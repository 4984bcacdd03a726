"""woq-console import FILE [--dry-run] [--rejects OUT.csv] [--format text|json]

Exit 0 when the file was read (rejected rows included: they are in the summary), 1 when
the file cannot be imported at all or the database fails, with one line on stderr; 2
for an in-memory database (`--db sqlite://`: the data would vanish with the command).
Everything printed passes through terminal_text(): a ticket number or a header from the
file cannot retitle or clear the terminal (docs/import.md).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from woq_tui.commands._common import open_database
from woq_tui.config import resolve_database_url
from woq_tui.domain.clock import SystemClock
from woq_tui.domain.safe_text import terminal_text
from woq_tui.i18n import t
from woq_tui.store.day_rollup_refresh import refresh_if_built
from woq_tui.store.importer import STAGE_BUILDING_INDEXES, ImportFileError, ImportSummary, Progress, Stage, open_export
from woq_tui.store.importer.target import in_memory

SHOWN_REJECTS = 20


def _say(line: str, stream: IO[str] | None = None) -> None:
    print(terminal_text(line), file=stream or sys.stdout)


def run(args, settings) -> int:
    began = time.perf_counter()
    if not args.dry_run and in_memory(resolve_database_url(getattr(args, "db", None), settings)):
        _say(f"woq-console import: {t('import.memory_database')}", sys.stderr)
        return 2
    try:
        # The file is read up to its header before the database is opened (or created).
        with open_export(args.file) as export:
            if args.dry_run and _no_database_yet(args, settings):
                engine = None  # a dry run must not create the SQLite file it would import into
            else:
                engine = open_database(args, settings, upgrade=not args.dry_run)
            try:
                with _progress_bar(args.format == "text" and sys.stderr.isatty()) as (progress, stage):
                    summary = export.import_into(
                        engine,
                        policy=settings.sla_policy(),
                        clock=SystemClock(),
                        operator=settings.console.operator,
                        dry_run=args.dry_run,
                        rejects_path=args.rejects,
                        progress=progress,
                        stage=stage,
                    )
                if engine is not None and not args.dry_run:
                    # the days the import touched, if the rollup is built (docs/speed.md)
                    refresh_if_built(engine, settings.tz)
            finally:
                if engine is not None:
                    engine.dispose()
    except ImportFileError as exc:
        _say(f"woq-console import: {args.file}: {exc}", sys.stderr)
        return 1
    except KeyboardInterrupt:
        _say(f"woq-console import: {args.file}: {t('import.interrupted')}", sys.stderr)
        return 130
    try:
        if args.format == "json":
            summary.write_json(sys.stdout)  # one reject at a time: the list may be long
            sys.stdout.write("\n")
        else:
            _print_text(summary, args.rejects, time.perf_counter() - began)
    finally:
        summary.close()
    return 0


def _no_database_yet(args, settings) -> bool:
    """True for a SQLite file that does not exist yet."""
    url = make_url(resolve_database_url(getattr(args, "db", None), settings))
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return False
    return not Path(url.database).expanduser().exists()


def _print_text(summary: ImportSummary, rejects_path: str | None, seconds: float) -> None:
    _say(
        t(
            "import.summary",
            read=summary.read,
            inserted=summary.inserted,
            updated=summary.updated,
            unchanged=summary.unchanged,
            rejected=summary.rejected,
        )
    )
    if summary.stations_inserted or summary.stations_updated:
        _say(t("import.stations_changed", inserted=summary.stations_inserted, updated=summary.stations_updated))
    if summary.read:
        _say(t("import.took", seconds=seconds, rate=summary.read / max(seconds, 1e-6)))
    if summary.index_seconds is not None:
        _say(t("import.indexes_rebuilt", seconds=summary.index_seconds))
    if summary.dry_run:
        _say(t("import.summary_dry_run"))
    if summary.ignored_columns:
        _say(t("import.ignored_columns", columns=", ".join(summary.ignored_columns)))
    for rejection in summary.rejects[:SHOWN_REJECTS]:
        _say(
            "  "
            + t(
                "import.reject_line",
                row=rejection.row,
                ticket_no=rejection.ticket_no or "-",
                reason=rejection.reason,
                message=rejection.message,
            )
        )
    hidden = summary.rejected - SHOWN_REJECTS
    if hidden > 0:
        _say("  " + t("import.more_rejects", count=hidden))
    if rejects_path:
        _say(t("import.rejects_written", path=rejects_path))
    elif hidden > 0:
        _say(t("import.rejects_hint"))


@contextmanager
def _progress_bar(show: bool) -> Iterator[tuple[Progress | None, Stage | None]]:
    """Rows and rows/s on stderr while a terminal watches, then what follows the last
    row (building the figure indexes) so that it does not look hung; nothing otherwise."""
    if not show:
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

    bar = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,}"),
        TextColumn("{task.fields[speed]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(t("import.progress"), total=1.0, rows=0, speed="")

    def update(rows: int, fraction: float | None) -> None:
        elapsed = bar.tasks[0].elapsed or 0
        speed = f"{rows / elapsed:,.0f} {t('import.rows_per_second')}" if elapsed > 0 else ""
        bar.update(task, completed=fraction if fraction is not None else 0, rows=rows, speed=speed)

    def stage(name: str) -> None:
        if name == STAGE_BUILDING_INDEXES:
            bar.update(task, description=t("import.building_indexes"), completed=1.0, speed="")

    with bar:
        yield update, stage
