"""An export opened, then read, checked and written batch by batch.

The file streams through in batches (BATCH_ROWS accepted rows by default): each is
checked against the ticket numbers earlier batches accepted (checks.py) and written in
one transaction (batches.py). A run killed half-way leaves whole batches behind, and
running it again completes it (what is there already counts as unchanged).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from woq_tui.domain.clock import Clock
from woq_tui.domain.import_rows import COLUMNS, HeaderMap, RowValidator, map_header
from woq_tui.domain.sla import SlaPolicy
from woq_tui.i18n import t
from woq_tui.store.import_source import ImportFileError, Source, open_source
from woq_tui.store.importer.batches import BatchWriter
from woq_tui.store.importer.checks import RejectsFile, check_batch
from woq_tui.store.importer.indexes import FigureIndexes, Stage
from woq_tui.store.importer.scratch import SeenNumbers
from woq_tui.store.importer.summary import ImportSummary
from woq_tui.store.importer.tables import has_schema, known_stations
from woq_tui.store.importer.target import DatabaseFile, refuse_in_memory

BATCH_ROWS = 2000
PROGRESS_EVERY = 1000

# progress(rows read so far, fraction of the file read or None)
Progress = Callable[[int, "float | None"], None]


@dataclass
class Export:
    """An export whose header has been read and found importable; nothing written yet.

    Opening it first lets the command refuse a bad file before it opens (or creates)
    the database.
    """

    path: Path
    source: Source
    header: HeaderMap

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.source.close()

    def import_into(
        self,
        engine: Engine | None,
        *,
        policy: SlaPolicy,
        clock: Clock,
        operator: str,
        dry_run: bool = False,
        rejects_path: str | Path | None = None,
        progress: Progress | None = None,
        batch_rows: int = BATCH_ROWS,
        stage: Stage | None = None,
        rebuild_indexes: bool | None = None,
    ) -> ImportSummary:
        """Validate every row and write the accepted ones; raises DatabaseError, or
        ImportFileError when the file breaks part-way (whole batches before stay).
        Refuses an in-memory database, and fails when the SQLite file is deleted or
        replaced while the import runs (target.py).

        `engine` may be None for a dry run against no database (every row counts as
        new). Naive times are read in `policy.timezone`, the configured time zone.
        close() the summary when done with its rejects (past the first hundred they
        wait in a temporary file).

        On SQLite (not a dry run) the figure indexes are dropped for the import and
        built again after it when `rebuild_indexes` is True, or when it is None (the
        default) and it writes many tickets against the table (at least half as many,
        estimated from the first batch: figure_indexes.worth_rebuilding); `stage` is told when (STAGE_ names).
        """
        if rejects_path is not None and _same_file(rejects_path, self.path):
            raise ImportFileError(t("import.rejects_is_input"))
        if engine is not None and not dry_run:
            refuse_in_memory(engine)
        if engine is not None and dry_run and not has_schema(engine):
            engine = None  # a dry run against an empty database: everything is new
        areas, names = known_stations(engine)
        validator = RowValidator(self.header, policy, policy.timezone, areas, station_names=names)
        target = DatabaseFile(engine) if engine is not None and not dry_run else None
        writer = BatchWriter(engine, self.header.covered, clock, operator, self.path.name, dry_run, target)
        summary = ImportSummary(ignored_columns=self.header.ignored, dry_run=dry_run)
        indexes = None
        if engine is not None and engine.dialect.name == "sqlite" and not dry_run:
            indexes = FigureIndexes(engine, rebuild_indexes, stage)
        with ExitStack() as cleanup:
            seen = SeenNumbers()
            cleanup.callback(seen.close)
            rejects = RejectsFile(rejects_path, self.source.header)
            cleanup.callback(rejects.close)
            try:
                self._read_check_write(validator, writer, seen, rejects, summary, progress, batch_rows, indexes)
                if indexes is not None:
                    indexes.after_writing(summary)
                if target is not None:
                    target.check()
            except BaseException:
                if indexes is not None:
                    indexes.after_writing(summary, failing=True)  # nothing left to do if it was done
                summary.close()
                raise
        if progress is not None:
            progress(summary.read, 1.0)
        return summary

    def _read_check_write(
        self,
        validator: RowValidator,
        writer: BatchWriter,
        seen: SeenNumbers,
        rejects: RejectsFile,
        summary: ImportSummary,
        progress: Progress | None,
        batch_rows: int,
        indexes: FigureIndexes | None,
    ) -> None:
        rows = iter(self.source.rows)
        first = True
        while True:
            # Read a batch of rows, then check it against the ticket numbers of the
            # batch that earlier batches accepted (one lookup), then write it.
            chunk: list[tuple[int, Sequence[Any]]] = []
            for row, cells in rows:
                chunk.append((row, cells))
                summary.read += 1
                if progress is not None and summary.read % PROGRESS_EVERY == 0:
                    progress(summary.read, self.source.fraction())
                if len(chunk) >= batch_rows:
                    break
            if not chunk:
                return
            batch = check_batch(chunk, validator, seen, rejects, summary)
            writer.flush(batch, summary)
            seen.add(parsed.ticket_no for parsed in batch)
            if first and indexes is not None:
                indexes.after_first_batch(summary.inserted + summary.updated, self.source.fraction())
            first = False


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def open_export(path: str | Path) -> Export:
    """Open an export and check its header; raises ImportFileError (one line)."""
    source = open_source(path)
    header = map_header(source.header)
    if header.missing:
        source.close()
        named = (t("import.column_named", header=COLUMNS[column][0], field=column) for column in header.missing)
        raise ImportFileError(t("import.file.missing_columns", columns=t("import.list_sep").join(named)))
    return Export(Path(path), source, header)


def import_file(path: str | Path, engine: Engine | None, **options: Any) -> ImportSummary:
    """Open an export and import it (see Export.import_into for the options)."""
    with open_export(path) as export:
        return export.import_into(engine, **options)
