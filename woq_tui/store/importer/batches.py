"""One transaction per batch of accepted rows: the stations it introduces, then its
tickets by COPY (PostgreSQL, copy_merge.py) or executemany (SQLite, row_writer.py).

Updates are guarded by the version read in the same batch, as the ORM would guard
them: if the console changed a ticket in between, the batch rolls back and is read
again (ATTEMPTS times), so nobody's change is silently overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from woq_tui.domain.clock import Clock
from woq_tui.domain.import_rows import ParsedRow
from woq_tui.domain.timestamps import to_epoch
from woq_tui.errors import first_line
from woq_tui.store import day_rollup_log
from woq_tui.store.db import IMPORT_CACHE
from woq_tui.store.importer.copy_merge import CopyMerge
from woq_tui.store.importer.row_writer import RowWriter
from woq_tui.store.importer.summary import ImportSummary
from woq_tui.store.importer.tables import (
    STATION,
    Conflict,
    changed_stations,
    database_error,
    new_stations,
    write_stations,
)
from woq_tui.store.importer.target import DatabaseFile

ATTEMPTS = 3


class BatchWriter:
    """Writes batches into `engine` (or only counts them: a dry run, or no database)."""

    def __init__(
        self,
        engine: Engine | None,
        covered: Sequence[str],
        clock: Clock,
        operator: str,
        note: str,
        dry_run: bool,
        target: DatabaseFile | None = None,
    ) -> None:
        self.engine = engine
        self.target = target
        self.clock = clock
        self.operator = operator
        self.note = note
        self.dry_run = dry_run or engine is None
        self._rows = RowWriter(engine, covered, operator, note) if engine is not None else None
        self._station_insert = self._insert_ignoring_existing()
        self._copy: CopyMerge | None = None
        if engine is not None and engine.dialect.name == "postgresql" and not self.dry_run:
            self._copy = CopyMerge(engine.dialect, covered)

    def _insert_ignoring_existing(self) -> Any:
        if self.engine is None:
            return None
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(STATION).on_conflict_do_nothing(index_elements=["code"])
        if dialect == "sqlite":
            return sqlite.insert(STATION).on_conflict_do_nothing(index_elements=["code"])
        return None  # other databases: plain insert of the codes not seen yet

    def flush(self, batch: list[ParsedRow], summary: ImportSummary) -> None:
        if not batch:
            return
        if self.engine is None:  # dry run without a database: everything would be new
            summary.inserted += len(batch)
            summary.stations_inserted += sum(parsed.new_station is not None for parsed in batch)
            return
        for attempt in range(ATTEMPTS):
            try:
                inserted, updated, unchanged = self._write(self.engine, batch)
            except (Conflict, IntegrityError) as exc:
                # another writer got in between our read and our write: read again
                if attempt == ATTEMPTS - 1:
                    problem = "tickets kept changing during the import" if isinstance(exc, Conflict) else exc
                    raise database_error(self.engine, problem) from None
                continue
            except SQLAlchemyError as exc:
                raise database_error(self.engine, exc) from None
            if self.target is not None:
                self.target.check()  # still the file we began with: else what was written is lost
            summary.inserted += inserted
            summary.updated += updated
            summary.unchanged += unchanged
            summary.stations_inserted += sum(parsed.new_station is not None for parsed in batch)
            summary.stations_updated += sum(parsed.station_update is not None for parsed in batch)
            return

    def _write(self, engine: Engine, batch: list[ParsedRow]) -> tuple[int, int, int]:
        now_epoch = to_epoch(self.clock.now())
        if self._copy is not None:
            return self._write_by_copy(engine, self._copy, batch, now_epoch)
        assert self._rows is not None
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql(IMPORT_CACHE)  # this connection's, from now on
            inserts, updates, events = self._rows.plan(connection, batch, now_epoch)
            counts = len(inserts), len(updates), len(batch) - len(inserts) - len(updates)
            if self.dry_run:
                connection.rollback()
                return counts
            self._add_stations(connection, batch)
            log = day_rollup_log.suspend_triggers(connection)
            self._rows.write(connection, now_epoch, inserts, updates, events, log)
            if log is not None:
                log.log()
        return counts

    def _write_by_copy(
        self, engine: Engine, copy: CopyMerge, batch: list[ParsedRow], now_epoch: int
    ) -> tuple[int, int, int]:
        import psycopg

        with engine.begin() as connection:
            self._add_stations(connection, batch)
            try:
                return copy.write(connection, batch, now_epoch, self.operator, self.note)
            except psycopg.Error as exc:
                raise database_error(engine, first_line(exc)) from None

    def _add_stations(self, connection: Connection, batch: list[ParsedRow]) -> None:
        """The stations the batch introduces, and the changes it makes to stored ones."""
        write_stations(connection, changed_stations(batch))
        stations = new_stations(batch)
        if not stations:
            return
        if self._station_insert is not None:
            connection.execute(self._station_insert, stations)
            return
        codes = [s["code"] for s in stations]
        known = set(connection.scalars(select(STATION.c.code).where(STATION.c.code.in_(codes))))
        fresh = [s for s in stations if s["code"] not in known]
        if fresh:
            connection.execute(insert(STATION), fresh)
