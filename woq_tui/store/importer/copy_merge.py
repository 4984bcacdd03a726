"""PostgreSQL: a batch COPYed into a temporary table, then one statement that sorts it
against the stored tickets and writes the new and changed ones with their events
(docs/import.md, "How it works")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from woq_tui.domain.enums import EventKind
from woq_tui.domain.import_rows import DERIVED_KEYS, TICKET_FIELDS, ParsedRow
from woq_tui.store.copy_rows import copy_rows
from woq_tui.store.importer.tables import TICKET, Conflict


class CopyMerge:
    """The statements of a PostgreSQL batch for the columns a file covers.

    `merge` reads the batch against the stored tickets and, in the same statement (one
    snapshot): inserts the new tickets (version 1) and their `imported` events, updates
    the changed ones (version + 1, guarded by the version it read) and records an
    `updated` event naming the changed columns, as the row-by-row path does. It returns
    (inserted, changed, updated): fewer updated than changed means another writer got
    in between, and the batch is rolled back and read again.
    """

    TABLE = "woq_import_batch"

    def __init__(self, dialect: Any, covered: Sequence[str]) -> None:
        q = dialect.identifier_preparer.quote
        # every column a new ticket gets; only the covered ones are compared and updated
        names = ["ticket_no", *TICKET_FIELDS]
        columns = ", ".join(f"{q(c)} {TICKET.c[c].type.compile(dialect)}" for c in names)
        self.create = text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.TABLE} ({columns}) ON COMMIT DELETE ROWS")
        self.custom_plans = text("SET LOCAL plan_cache_mode = force_custom_plan")
        listed = ", ".join(q(c) for c in names)
        self.copy = f"COPY {self.TABLE} ({listed}) FROM STDIN"
        # the audit's keys change only with the column they are made from: not named
        changed = ", ".join(
            f"CASE WHEN t.{q(c)} IS DISTINCT FROM b.{q(c)} THEN '{c}' END" for c in covered if c not in DERIVED_KEYS
        )
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

    def write(
        self, connection: Connection, batch: list[ParsedRow], now_epoch: int, operator: str, note: str
    ) -> tuple[int, int, int]:
        """COPY the batch and merge it, in the caller's transaction: (inserted,
        updated, unchanged). Raises Conflict when a ticket changed after the snapshot,
        psycopg.Error when COPY fails."""
        connection.execute(self.create)
        # psycopg prepares a statement run five times, and the server may then keep
        # one generic plan: planned while the ticket table was small, it would scan
        # the whole table for every batch of a long import. Plan each batch afresh.
        connection.execute(self.custom_plans)
        copy_rows(connection, self.copy, ([parsed.ticket_no, *[parsed.values[c] for c in TICKET_FIELDS]] for parsed in batch))
        inserted, candidates, updated = connection.execute(
            self.merge, {"now": now_epoch, "operator": operator, "note": note}
        ).one()
        if updated != candidates:  # a ticket changed after our snapshot: read again
            raise Conflict()
        return inserted, updated, len(batch) - inserted - updated
