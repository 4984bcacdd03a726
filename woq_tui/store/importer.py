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
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from sqlalchemy import BigInteger, Column, Engine, MetaData, Table, bindparam, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from woq_tui.domain.clock import Clock
from woq_tui.domain.enums import EventKind
from woq_tui.domain.import_rows import (
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
from woq_tui.store.db import DatabaseError, describe_url, first_line, has_tables
from woq_tui.store.import_source import ImportFileError, Source, open_source

__all__ = ["Export", "ImportFileError", "ImportSummary", "import_file", "open_export"]

BATCH_ROWS = 2000
PROGRESS_EVERY = 1000
ATTEMPTS = 3

# progress(rows read so far, fraction of the file read or None)
Progress = Callable[[int, "float | None"], None]


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


@dataclass
class ImportSummary:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        """The document of import-format.md, keys exactly as it names them."""
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejects": [
                {"row": r.row, "ticket_no": r.ticket_no, "reason": r.reason, "message": r.message}
                for r in self.rejects
            ],
            "ignored_columns": list(self.ignored_columns),
        }


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
        now = self.clock.now()
        now_epoch = to_epoch(now)
        with self.engine.begin() as connection:
            existing = {
                row.ticket_no: row
                for row in connection.execute(self._lookup, {"numbers": [p.ticket_no for p in batch]})
            }
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            events: list[dict[str, Any]] = []
            stations: list[dict[str, Any]] = []
            for parsed in batch:
                if parsed.new_station is not None:
                    code, name, area = parsed.new_station
                    stations.append(
                        {"code": code, "name": name, "area_type": area, "initials": station_initials(name)}
                    )
                old = existing.get(parsed.ticket_no)
                values = parsed.values
                if old is None:
                    inserts.append({"ticket_no": parsed.ticket_no, **values, "version": 1, "updated_at": now_epoch})
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
                connection.execute(insert(_ticket), inserts)
                connection.execute(
                    insert(_event).from_select(
                        ["ticket_id", "kind", "at", "operator", "note"],
                        select(
                            _ticket.c.id,
                            literal(str(EventKind.imported)),
                            literal(now_epoch, BigInteger),
                            literal(self.operator),
                            literal(self.note),
                        ).where(_ticket.c.ticket_no.in_([row["ticket_no"] for row in inserts])),
                    )
                )
            if updates:
                result = connection.execute(self._update, updates)
                if connection.dialect.supports_sane_multi_rowcount and result.rowcount != len(updates):
                    raise _Conflict()
                connection.execute(insert(_event), events)
        return counts

    def _add_stations(self, connection, stations: list[dict[str, Any]]) -> None:
        if self._station_insert is not None:
            connection.execute(self._station_insert, stations)
            return
        codes = [s["code"] for s in stations]
        known = set(connection.scalars(select(_station.c.code).where(_station.c.code.in_(codes))))
        fresh = [s for s in stations if s["code"] not in known]
        if fresh:
            connection.execute(insert(_station), fresh)


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
    ) -> ImportSummary:
        """Validate every row and write the accepted ones; raises DatabaseError, or
        ImportFileError when the file breaks part-way (whole batches before stay).

        `engine` may be None for a dry run against no database (every row counts as
        new). Naive times are read in `policy.timezone`, the configured time zone.
        """
        if rejects_path is not None and _same_file(rejects_path, self.path):
            raise ImportFileError(t("import.rejects_is_input"))
        if engine is not None and dry_run and not _has_schema(engine):
            engine = None  # a dry run against an empty database: everything is new
        validator = RowValidator(self.header, policy, policy.timezone, _known_stations(engine))
        writer = _BatchWriter(engine, self.header.covered, clock, operator, self.path.name, dry_run)
        summary = ImportSummary(ignored_columns=self.header.ignored, dry_run=dry_run)
        rejects = _RejectsFile(rejects_path, self.source.header)
        try:
            batch: list[ParsedRow] = []
            for row, cells in self.source.rows:
                summary.read += 1
                result = validator.validate(row, cells)
                if isinstance(result, Rejection):
                    summary.rejected += 1
                    summary.rejects.append(result)
                    rejects.write(cells, result)
                else:
                    batch.append(result)
                    if len(batch) >= batch_rows:
                        writer.flush(batch, summary)
                        batch = []
                if progress is not None and summary.read % PROGRESS_EVERY == 0:
                    progress(summary.read, self.source.fraction())
            writer.flush(batch, summary)
        finally:
            rejects.close()
        if progress is not None:
            progress(summary.read, 1.0)
        return summary


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
