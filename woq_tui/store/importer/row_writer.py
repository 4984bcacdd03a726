"""SQLite (and any database without COPY): a batch read against the stored tickets in
one query, then written with Core executemany in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, bindparam, insert, literal, select, update

from woq_tui.domain.enums import EventKind
from woq_tui.domain.import_rows import DERIVED_KEYS, TICKET_FIELDS, ParsedRow
from woq_tui.store.day_rollup_log import BatchLog, Cell
from woq_tui.store.importer.tables import EVENT, TICKET, Conflict


class RowWriter:
    """The statements of a batch for the columns a file covers (`covered`)."""

    def __init__(self, engine: Engine, covered: Sequence[str], operator: str, note: str) -> None:
        self.covered = tuple(covered)
        self.operator = operator
        self.note = note
        self._lookup = select(
            TICKET.c.id,
            TICKET.c.version,
            TICKET.c.ticket_no,
            *[TICKET.c[c] for c in self.covered],
        ).where(TICKET.c.ticket_no.in_(bindparam("numbers", expanding=True)))
        self._update = (
            update(TICKET)
            .where(TICKET.c.id == bindparam("b_id"), TICKET.c.version == bindparam("b_version"))
            .values({c: bindparam(f"b_{c}") for c in self.covered})
            .values(version=TICKET.c.version + 1, updated_at=bindparam("b_now"))
        )
        # New tickets as tuples in this order. On SQLite they go to the driver's
        # executemany as they are: SQLAlchemy's per-row parameter processing was ~3 s of
        # a year's first import (construct_params), for values that need no conversion.
        self.new_columns = ("ticket_no", *TICKET_FIELDS, "version", "updated_at")
        self._raw_insert = None
        if engine.dialect.name == "sqlite":
            quote = engine.dialect.identifier_preparer.quote
            listed = ", ".join(quote(c) for c in self.new_columns)
            places = ", ".join(f"?{n}" for n in range(1, len(self.new_columns) + 1))
            # area_type given as the station's, so that migration 0009's AFTER INSERT
            # trigger finds it right and skips its UPDATE of every new row (a CSV
            # year: 32.5 s with that UPDATE, docs/speed.md "Type and area percentiles")
            station = f"?{self.new_columns.index('station_code') + 1}"
            self._raw_insert = (
                f"INSERT INTO ticket ({listed}, area_type) VALUES ({places}, "
                f"(SELECT area_type FROM station WHERE code = {station}))"
            )

    def plan(
        self, connection: Connection, batch: list[ParsedRow], now_epoch: int
    ) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]], list[dict[str, Any]]]:
        """Read the batch's stored tickets: (new ticket rows, update parameters, the
        `updated` events of those updates)."""
        existing = {
            row.ticket_no: row for row in connection.execute(self._lookup, {"numbers": [p.ticket_no for p in batch]})
        }
        inserts: list[tuple[Any, ...]] = []
        updates: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        self.moved_from: list[Cell] = []  # where the updated tickets were (the rollup's log)
        for parsed in batch:
            old = existing.get(parsed.ticket_no)
            values = parsed.values
            if old is None:
                inserts.append((parsed.ticket_no, *[values[c] for c in TICKET_FIELDS], 1, now_epoch))
                continue
            stored = old._mapping
            # the audit's keys change only with the column they are made from: not named
            changed = [c for c in self.covered if stored[c] != values[c] and c not in DERIVED_KEYS]
            if not changed:
                continue
            params = {f"b_{c}": values[c] for c in self.covered}
            params.update(b_id=old.id, b_version=old.version, b_now=now_epoch)
            updates.append(params)
            self.moved_from.append((stored["station_code"], stored["created_at"]))
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
        return inserts, updates, events

    def write(
        self,
        connection: Connection,
        now_epoch: int,
        inserts: list[tuple[Any, ...]],
        updates: list[dict[str, Any]],
        events: list[dict[str, Any]],
        log: BatchLog | None = None,
    ) -> None:
        """Write what plan() found; raises Conflict when an update met a newer version.
        `log` (the rollup's triggers suspended) is told every (station, instant) a
        ticket was written at or left (store/day_rollup_log.py)."""
        if log is not None:
            station, created = self.new_columns.index("station_code"), self.new_columns.index("created_at")
            log.add((row[station], row[created]) for row in inserts)
            log.add((params["b_station_code"], params["b_created_at"]) for params in updates)
            log.add(self.moved_from)
        if inserts:
            if self._raw_insert is not None:
                connection.exec_driver_sql(self._raw_insert, inserts)
            else:
                connection.execute(insert(TICKET), [dict(zip(self.new_columns, row)) for row in inserts])
            connection.execute(
                insert(EVENT).from_select(
                    ["ticket_id", "kind", "at", "operator", "note"],
                    select(
                        TICKET.c.id,
                        literal(str(EventKind.imported)),
                        literal(now_epoch, BigInteger),
                        literal(self.operator),
                        literal(self.note),
                    ).where(TICKET.c.ticket_no.in_([row[0] for row in inserts])),
                )
            )
        if updates:
            result = connection.execute(self._update, updates)
            if connection.dialect.supports_sane_multi_rowcount and result.rowcount != len(updates):
                raise Conflict()
            connection.execute(insert(EVENT), events)
