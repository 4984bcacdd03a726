"""`woq-console import`: a CSV or XLSX export into the ticket tables (import-format.md).

The file streams through in batches (2,000 accepted rows by default). For each batch
one query fetches the tickets already stored under its ticket numbers, and one
transaction writes it: the stations it introduces, the new tickets, the changed ones
(version + 1, updated_at = now) and a ticket event for each, all with Core executemany.
A run killed half-way leaves whole batches behind, and running it again completes it
(what is there already counts as unchanged).

Updates are guarded by the version read in the same batch, as the ORM would guard
them: if the console changed a ticket in between, the batch rolls back and is read
again, so nobody's change is silently overwritten.

On SQLite, an import that writes at least half as many tickets as the table holds (the
first import of a history) drops the figure indexes after its first batch and builds
them again at the end (figure_indexes.py).

Memory stays flat however long the file: the ticket numbers accepted so far (the
duplicate check) live in a private temporary SQLite database on disk, looked up once
per batch, and rejected rows beyond the first hundred wait in a temporary file until
the summary is written.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import BigInteger, Column, Engine, MetaData, Table, bindparam, insert, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from woq_tui.domain.clock import Clock
from woq_tui.domain.enums import EventKind
from woq_tui.domain.import_rows import (
    TICKET_FIELDS,
    HeaderMap,
    ParsedRow,
    Rejection,
    RowValidator,
    cell_text,
    map_header,
)
from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.stations import station_initials
from woq_tui.domain.timestamps import EpochSeconds, to_epoch
from woq_tui.i18n import t
from woq_tui.store import figure_indexes
from woq_tui.errors import DatabaseError, first_line
from woq_tui.store.db import IMPORT_CACHE, describe_url, has_tables
from woq_tui.store.import_source import ImportFileError, Source, open_source

__all__ = ["Export", "ImportFileError", "ImportSummary", "RejectLog", "import_file", "open_export"]

BATCH_ROWS = 2000
PROGRESS_EVERY = 1000
ATTEMPTS = 3
# Rejections kept in memory; the rest are spilled to a temporary file
KEPT_REJECTS = 100
# Ticket numbers per lookup in the temporary database (SQLite's bound parameters)
LOOKUP_CHUNK = 500

# progress(rows read so far, fraction of the file read or None)
Progress = Callable[[int, "float | None"], None]
# stage(what the import does besides reading rows): one of the STAGE_ names
Stage = Callable[[str], None]
STAGE_INDEXES_DROPPED = "indexes_dropped"  # after the first batch is written
STAGE_BUILDING_INDEXES = "building_indexes"  # after the last one


def _plain(table: Table) -> Table:
    """The same table with instants as plain integers: the importer has epoch seconds
    already, so no value needs converting on the way in or out."""
    return Table(
        table.name,
        MetaData(),
        *[
            Column(c.name, BigInteger() if isinstance(c.type, EpochSeconds) else c.type, primary_key=c.primary_key)
            for c in table.columns
        ],
    )


_ticket = _plain(Ticket.__table__)
_station = Station.__table__
_event = _plain(TicketEvent.__table__)


class RejectLog:
    """Every rejected row of one import, in file order.

    The first KEPT_REJECTS stay in memory; the rest are written to an anonymous
    temporary file (one JSON array a line) and read back when the log is iterated, so a
    file whose every row is refused lists them all without holding them all.
    """

    def __init__(self, kept: int = KEPT_REJECTS) -> None:
        self._kept = kept
        self._head: list[Rejection] = []
        self._spill: IO[str] | None = None
        self._count = 0
        self._closed = False

    def append(self, rejection: Rejection) -> None:
        self._count += 1
        if len(self._head) < self._kept:
            self._head.append(rejection)
            return
        r = rejection
        with _temporary_storage():
            if self._spill is None:
                self._spill = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
            self._spill.write(json.dumps([r.row, r.ticket_no, r.reason, r.message], ensure_ascii=False) + "\n")

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Rejection]:
        if self._closed and self._count > len(self._head):
            raise ValueError("the rejects past the first ones were dropped with the log")
        yield from self._head
        if self._spill is None:
            return
        spill = self._spill
        spill.flush()
        spill.seek(0)
        try:
            for line in spill:
                row, ticket_no, reason, message = json.loads(line)
                yield Rejection(row, ticket_no, reason, message)
        finally:
            spill.seek(0, 2)  # appending goes on at the end

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(islice(self, *index.indices(self._count)))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("reject index out of range")
        return next(islice(self, index, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, RejectLog)):
            return len(other) == self._count and list(self) == list(other)
        return NotImplemented

    def close(self) -> None:
        self._closed = True
        if self._spill is not None:
            self._spill.close()
            self._spill = None


@dataclass
class ImportSummary:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: RejectLog = field(default_factory=RejectLog)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Seconds spent building the figure indexes again, when the import dropped them
    # (not part of the JSON document)
    index_seconds: float | None = None

    def _counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    @staticmethod
    def _reject_json(r: Rejection) -> dict[str, Any]:
        return {"row": r.row, "ticket_no": r.ticket_no, "reason": r.reason, "message": r.message}

    def as_json(self) -> dict[str, Any]:
        """The document of import-format.md, keys exactly as it names them (every
        reject in memory at once: write_json streams them instead)."""
        return {
            **self._counts(),
            "rejects": [self._reject_json(r) for r in self.rejects],
            "ignored_columns": list(self.ignored_columns),
        }

    def write_json(self, stream: IO[str]) -> None:
        """as_json() as `json.dump(..., ensure_ascii=False, indent=2)` writes it, one
        reject at a time."""
        stream.write("{\n")
        for key, value in self._counts().items():
            stream.write(f'  "{key}": {value},\n')
        stream.write('  "rejects": [')
        separator = "\n"
        quote = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder: no indent
        for r in self.rejects:
            stream.write(
                f'{separator}    {{\n      "row": {r.row},\n      "ticket_no": {quote(r.ticket_no)},\n'
                f'      "reason": {quote(r.reason)},\n      "message": {quote(r.message)}\n    }}'
            )
            separator = ",\n"
        stream.write("\n  ],\n" if separator != "\n" else "],\n")
        ignored = json.dumps(list(self.ignored_columns), ensure_ascii=False, indent=2)
        stream.write('  "ignored_columns": ' + ignored.replace("\n", "\n  ") + "\n}")

    def close(self) -> None:
        """Drop the temporary file of spilled rejects."""
        self.rejects.close()


class _SeenNumbers:
    """The ticket numbers accepted so far in this file (the duplicate check), kept in a
    private temporary SQLite database: on disk, deleted when closed, a page cache of a
    few MB, so memory does not grow with the file. One lookup per batch."""

    def __init__(self) -> None:
        with _temporary_storage():
            self._db = sqlite3.connect("")  # "": a private temporary on-disk database
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE seen (ticket_no TEXT PRIMARY KEY) WITHOUT ROWID")

    def among(self, numbers: Sequence[str]) -> set[str]:
        """Those of `numbers` accepted earlier."""
        found: set[str] = set()
        with _temporary_storage():
            for start in range(0, len(numbers), LOOKUP_CHUNK):
                part = numbers[start : start + LOOKUP_CHUNK]
                query = f"SELECT ticket_no FROM seen WHERE ticket_no IN ({', '.join('?' * len(part))})"
                found.update(number for (number,) in self._db.execute(query, part))
        return found

    def add(self, numbers: Iterable[str]) -> None:
        with _temporary_storage():
            self._db.executemany("INSERT INTO seen VALUES (?)", ((number,) for number in numbers))

    def close(self) -> None:
        self._db.close()


@contextmanager
def _temporary_storage() -> Iterator[None]:
    """A temporary file that cannot be written (a full or read-only temp directory) is
    one line for the user, like a file that cannot be read."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        raise ImportFileError(t("import.temp_failed", error=exc)) from None


class _Conflict(Exception):
    """A ticket of the batch changed under us between the read and the write."""


class _RejectsFile:
    """Rejected rows as they were read, plus row, reason and message; UTF-8 with BOM."""

    def __init__(self, path: str | Path | None, header: Sequence[Any]) -> None:
        self._file = None
        self._width = len(header)
        if path is None:
            return
        try:
            self._file = open(path, "w", encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise ImportFileError(t("import.rejects_unwritable", path=path, error=exc.strerror or exc)) from None
        self._writer = csv.writer(self._file)
        self._writer.writerow([cell_text(c) for c in header] + ["row", "reason", "message"])

    def write(self, cells: Sequence[Any], rejection: Rejection) -> None:
        if self._file is None:
            return
        padded = [cell_text(c) for c in cells[: self._width]] + [""] * (self._width - len(cells))
        self._writer.writerow(padded + [rejection.row, rejection.reason, rejection.message])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class _BatchWriter:
    def __init__(
        self, engine: Engine | None, covered: Sequence[str], clock: Clock, operator: str, note: str, dry_run: bool
    ) -> None:
        self.engine = engine
        self.covered = tuple(covered)
        self.clock = clock
        self.operator = operator
        self.note = note
        self.dry_run = dry_run or engine is None
        self._lookup = select(
            _ticket.c.id,
            _ticket.c.version,
            _ticket.c.ticket_no,
            *[_ticket.c[c] for c in self.covered],
        ).where(_ticket.c.ticket_no.in_(bindparam("numbers", expanding=True)))
        self._update = (
            update(_ticket)
            .where(_ticket.c.id == bindparam("b_id"), _ticket.c.version == bindparam("b_version"))
            .values({c: bindparam(f"b_{c}") for c in self.covered})
            .values(version=_ticket.c.version + 1, updated_at=bindparam("b_now"))
        )
        self._station_insert = self._insert_ignoring_existing()
        # New tickets as tuples in this order. On SQLite they go to the driver's
        # executemany as they are: SQLAlchemy's per-row parameter processing was ~3 s of
        # a year's first import (construct_params), for values that need no conversion.
        self._new_columns = ("ticket_no", *TICKET_FIELDS, "version", "updated_at")
        self._raw_insert = None
        if engine is not None and engine.dialect.name == "sqlite":
            quote = engine.dialect.identifier_preparer.quote
            listed = ", ".join(quote(c) for c in self._new_columns)
            self._raw_insert = f"INSERT INTO ticket ({listed}) VALUES ({', '.join('?' * len(self._new_columns))})"
        self._copying = engine is not None and engine.dialect.name == "postgresql" and not self.dry_run
        if self._copying:
            self._copy_sql = _CopyMerge(engine.dialect, self.covered)

    def _insert_ignoring_existing(self):
        if self.engine is None:
            return None
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(_station).on_conflict_do_nothing(index_elements=["code"])
        if dialect == "sqlite":
            return sqlite.insert(_station).on_conflict_do_nothing(index_elements=["code"])
        return None  # other databases: plain insert of the codes not seen yet

    def flush(self, batch: list[ParsedRow], summary: ImportSummary) -> None:
        if not batch:
            return
        if self.engine is None:  # dry run without a database: everything would be new
            summary.inserted += len(batch)
            return
        for attempt in range(ATTEMPTS):
            try:
                inserted, updated, unchanged = self._write(batch)
            except (_Conflict, IntegrityError) as exc:
                # another writer got in between our read and our write: read again
                if attempt == ATTEMPTS - 1:
                    problem = "tickets kept changing during the import" if isinstance(exc, _Conflict) else exc
                    raise _database_error(self.engine, problem) from None
                continue
            except SQLAlchemyError as exc:
                raise _database_error(self.engine, exc) from None
            summary.inserted += inserted
            summary.updated += updated
            summary.unchanged += unchanged
            return

    def _write(self, batch: list[ParsedRow]) -> tuple[int, int, int]:
        if self._copying:
            return self._write_by_copy(batch)
        now = self.clock.now()
        now_epoch = to_epoch(now)
        with self.engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql(IMPORT_CACHE)  # this connection's, from now on
            existing = {
                row.ticket_no: row
                for row in connection.execute(self._lookup, {"numbers": [p.ticket_no for p in batch]})
            }
            inserts: list[tuple[Any, ...]] = []
            updates: list[dict[str, Any]] = []
            events: list[dict[str, Any]] = []
            stations = _new_stations(batch)
            for parsed in batch:
                old = existing.get(parsed.ticket_no)
                values = parsed.values
                if old is None:
                    inserts.append((parsed.ticket_no, *[values[c] for c in TICKET_FIELDS], 1, now_epoch))
                    continue
                stored = old._mapping
                changed = [c for c in self.covered if stored[c] != values[c]]
                if not changed:
                    continue
                params = {f"b_{c}": values[c] for c in self.covered}
                params.update(b_id=old.id, b_version=old.version, b_now=now_epoch)
                updates.append(params)
                moved = "station_code" in changed
                events.append(
                    {
                        "ticket_id": old.id,
                        "kind": str(EventKind.updated),
                        "at": now_epoch,
                        "operator": self.operator,
                        "from_station": stored["station_code"] if moved else None,
                        "to_station": values["station_code"] if moved else None,
                        "note": f"{self.note}: {', '.join(changed)}",
                    }
                )
            counts = len(inserts), len(updates), len(batch) - len(inserts) - len(updates)
            if self.dry_run:
                connection.rollback()
                return counts
            if stations:
                self._add_stations(connection, stations)
            if inserts:
                if self._raw_insert is not None:
                    connection.exec_driver_sql(self._raw_insert, inserts)
                else:
                    connection.execute(insert(_ticket), [dict(zip(self._new_columns, row)) for row in inserts])
                connection.execute(
                    insert(_event).from_select(
                        ["ticket_id", "kind", "at", "operator", "note"],
                        select(
                            _ticket.c.id,
                            literal(str(EventKind.imported)),
                            literal(now_epoch, BigInteger),
                            literal(self.operator),
                            literal(self.note),
                        ).where(_ticket.c.ticket_no.in_([row[0] for row in inserts])),
                    )
                )
            if updates:
                result = connection.execute(self._update, updates)
                if connection.dialect.supports_sane_multi_rowcount and result.rowcount != len(updates):
                    raise _Conflict()
                connection.execute(insert(_event), events)
        return counts

    def _write_by_copy(self, batch: list[ParsedRow]) -> tuple[int, int, int]:
        """PostgreSQL: COPY the batch into a temporary table, then one statement sorts
        it into new, changed and unchanged tickets and writes them with their events."""
        import psycopg

        now_epoch = to_epoch(self.clock.now())
        sql = self._copy_sql
        with self.engine.begin() as connection:
            stations = _new_stations(batch)
            if stations:
                self._add_stations(connection, stations)
            connection.execute(sql.create)
            # psycopg prepares a statement run five times, and the server may then keep
            # one generic plan: planned while the ticket table was small, it would scan
            # the whole table for every batch of a long import. Plan each batch afresh.
            connection.execute(sql.custom_plans)
            try:
                with connection.connection.driver_connection.cursor() as cursor:
                    with cursor.copy(sql.copy) as copy:
                        for parsed in batch:
                            values = parsed.values
                            copy.write_row([parsed.ticket_no, *[values[c] for c in TICKET_FIELDS]])
            except psycopg.Error as exc:
                raise _database_error(self.engine, first_line(exc)) from None
            inserted, candidates, updated = connection.execute(
                sql.merge, {"now": now_epoch, "operator": self.operator, "note": self.note}
            ).one()
            if updated != candidates:  # a ticket changed after our snapshot: read again
                raise _Conflict()
        return inserted, updated, len(batch) - inserted - updated

    def _add_stations(self, connection, stations: list[dict[str, Any]]) -> None:
        if self._station_insert is not None:
            connection.execute(self._station_insert, stations)
            return
        codes = [s["code"] for s in stations]
        known = set(connection.scalars(select(_station.c.code).where(_station.c.code.in_(codes))))
        fresh = [s for s in stations if s["code"] not in known]
        if fresh:
            connection.execute(insert(_station), fresh)


def _new_stations(batch: list[ParsedRow]) -> list[dict[str, Any]]:
    """The stations a batch introduces, as rows of the station table."""
    stations = []
    for parsed in batch:
        if parsed.new_station is not None:
            code, name, area = parsed.new_station
            stations.append({"code": code, "name": name, "area_type": area, "initials": station_initials(name)})
    return stations


class _CopyMerge:
    """The statements of a PostgreSQL batch for the columns a file covers.

    `merge` reads the batch against the stored tickets and, in the same statement (one
    snapshot): inserts the new tickets (version 1) and their `imported` events, updates
    the changed ones (version + 1, guarded by the version it read) and records an
    `updated` event naming the changed columns, as the row-by-row path does. It returns
    (inserted, changed, updated): fewer updated than changed means another writer got
    in between, and the batch is rolled back and read again.
    """

    TABLE = "woq_import_batch"

    def __init__(self, dialect, covered: Sequence[str]) -> None:
        q = dialect.identifier_preparer.quote
        # every column a new ticket gets; only the covered ones are compared and updated
        names = ["ticket_no", *TICKET_FIELDS]
        columns = ", ".join(f"{q(c)} {_ticket.c[c].type.compile(dialect)}" for c in names)
        self.create = text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.TABLE} ({columns}) ON COMMIT DELETE ROWS")
        self.custom_plans = text("SET LOCAL plan_cache_mode = force_custom_plan")
        listed = ", ".join(q(c) for c in names)
        self.copy = f"COPY {self.TABLE} ({listed}) FROM STDIN"
        changed = ", ".join(f"CASE WHEN t.{q(c)} IS DISTINCT FROM b.{q(c)} THEN '{c}' END" for c in covered)
        assignments = ", ".join(f"{q(c)} = c.{q(c)}" for c in covered)
        moved = "c.old_station IS DISTINCT FROM c.station_code"
        self.merge = text(
            f"""
            WITH batch AS (
                SELECT b.*, t.id AS old_id, t.version AS old_version, t.station_code AS old_station,
                       concat_ws(', ', {changed}) AS changed
                FROM {self.TABLE} b LEFT JOIN ticket t ON t.ticket_no = b.ticket_no
            ), inserted AS (
                INSERT INTO ticket ({listed}, version, updated_at)
                SELECT {listed}, 1, :now FROM batch WHERE old_id IS NULL
                RETURNING id
            ), inserted_events AS (
                INSERT INTO ticket_event (ticket_id, kind, at, operator, note)
                SELECT id, '{EventKind.imported}', :now, :operator, :note FROM inserted
            ), candidates AS (
                SELECT * FROM batch WHERE old_id IS NOT NULL AND changed <> ''
            ), updated AS (
                UPDATE ticket t SET {assignments}, version = t.version + 1, updated_at = :now
                FROM candidates c WHERE t.id = c.old_id AND t.version = c.old_version
                RETURNING t.id
            ), updated_events AS (
                INSERT INTO ticket_event (ticket_id, kind, at, operator, from_station, to_station, note)
                SELECT c.old_id, '{EventKind.updated}', :now, :operator,
                       CASE WHEN {moved} THEN c.old_station END, CASE WHEN {moved} THEN c.station_code END,
                       :note || ': ' || c.changed
                FROM candidates c JOIN updated u ON u.id = c.old_id
            )
            SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM candidates), (SELECT count(*) FROM updated)
            """
        )


def _database_error(engine: Engine, problem: SQLAlchemyError | str) -> DatabaseError:
    detail = problem if isinstance(problem, str) else first_line(problem)
    return DatabaseError(f"{describe_url(str(engine.url))}: {detail}")


def _has_schema(engine: Engine) -> bool:
    try:
        return has_tables(engine)
    except SQLAlchemyError as exc:
        raise _database_error(engine, exc) from None


def _known_stations(engine: Engine | None) -> dict[str, str]:
    """Station code -> area of the stations stored (a few hundred)."""
    if engine is None:
        return {}
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(_station.c.code, _station.c.area_type))
            return {code: area for code, area in rows}
    except SQLAlchemyError as exc:
        raise _database_error(engine, exc) from None


class _FigureIndexes:
    """What an import into SQLite does with the figure indexes: drops them after the
    first batch when the import writes many tickets against the table (or `choice`
    says so), and builds them again at the end, holding the rebuild lock in between;
    otherwise builds any a killed import left missing. See figure_indexes.py."""

    def __init__(self, engine: Engine, choice: bool | None, stage: Stage | None) -> None:
        self.engine = engine
        self.choice = choice
        self.stage = stage or (lambda _name: None)
        self._held = ExitStack()
        self.dropped = False

    def after_first_batch(self, written: int, fraction: float | None) -> None:
        """Called once, when the first batch is written: it inserted or changed
        `written` tickets, and `fraction` of the file is read, so the rest of the file
        will write about `written * (1 - fraction) / fraction`. A re-import that changes
        nothing, or a file that fits in one batch, then keeps the indexes (dropping them
        would only cost the rebuild)."""
        estimate = round(written * (1 - fraction) / fraction) if fraction else None
        try:
            with self.engine.connect() as connection:
                stored = figure_indexes.stored_tickets(connection)
            wanted = self.choice if self.choice is not None else figure_indexes.worth_rebuilding(estimate, stored)
            if wanted and figure_indexes.can_lock(self.engine):
                if self._held.enter_context(figure_indexes.rebuild_lock(self.engine)):
                    figure_indexes.drop(self.engine)
                    self.dropped = True
                    self.stage(STAGE_INDEXES_DROPPED)
                    return
                self._held.close()  # another import has them dropped and builds them
                return
            figure_indexes.restore(self.engine)
        except SQLAlchemyError as exc:
            self._held.close()
            raise _database_error(self.engine, exc) from None

    def after_writing(self, summary: ImportSummary, failing: bool = False) -> None:
        """Build what was dropped (once). When the import is failing anyway, a failure
        here stays quiet: the next command's schema check builds them."""
        if not self.dropped:
            return
        self.dropped = False
        with self._held:
            self.stage(STAGE_BUILDING_INDEXES)
            began = time.perf_counter()
            try:
                figure_indexes.build(self.engine)
            except SQLAlchemyError as exc:
                if not failing:
                    raise _database_error(self.engine, exc) from None
                return
            summary.index_seconds = time.perf_counter() - began


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
        if engine is not None and dry_run and not _has_schema(engine):
            engine = None  # a dry run against an empty database: everything is new
        validator = RowValidator(self.header, policy, policy.timezone, _known_stations(engine))
        writer = _BatchWriter(engine, self.header.covered, clock, operator, self.path.name, dry_run)
        summary = ImportSummary(ignored_columns=self.header.ignored, dry_run=dry_run)
        indexes = None
        if engine is not None and engine.dialect.name == "sqlite" and not dry_run:
            indexes = _FigureIndexes(engine, rebuild_indexes, stage)
        with ExitStack() as cleanup:
            seen = _SeenNumbers()
            cleanup.callback(seen.close)
            rejects = _RejectsFile(rejects_path, self.source.header)
            cleanup.callback(rejects.close)
            try:
                self._read_validate_write(validator, writer, seen, rejects, summary, progress, batch_rows, indexes)
                if indexes is not None:
                    indexes.after_writing(summary)
            except BaseException:
                if indexes is not None:
                    indexes.after_writing(summary, failing=True)  # nothing left to do if it was done
                summary.close()
                raise
        if progress is not None:
            progress(summary.read, 1.0)
        return summary

    def _read_validate_write(
        self,
        validator: RowValidator,
        writer: _BatchWriter,
        seen: _SeenNumbers,
        rejects: _RejectsFile,
        summary: ImportSummary,
        progress: Progress | None,
        batch_rows: int,
        indexes: _FigureIndexes | None,
    ) -> None:
        rows = iter(self.source.rows)
        first = True
        while True:
            # Read a batch of rows, then validate it against the ticket numbers of the
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
            validator.seen = seen.among([validator.ticket_no(cells) for _, cells in chunk])
            batch: list[ParsedRow] = []
            for row, cells in chunk:
                result = validator.validate(row, cells)
                if isinstance(result, Rejection):
                    summary.rejected += 1
                    summary.rejects.append(result)
                    rejects.write(cells, result)
                else:
                    batch.append(result)
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
        raise ImportFileError(t("import.file.missing_columns", columns=", ".join(header.missing)))
    return Export(Path(path), source, header)


def import_file(path: str | Path, engine: Engine | None, **options: Any) -> ImportSummary:
    """Open an export and import it (see Export.import_into for the options)."""
    with open_export(path) as export:
        return export.import_into(engine, **options)
