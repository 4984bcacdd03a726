"""type_suspect (audit.md): the stored classifier's most likely type for a ticket's
summary is not its recorded type, with probability >= classify_threshold.

The prediction is the model's (woq_tui/classifier), computed in Python over the
cohort's summaries; what it finds is written into a temporary table of this
connection, so that the flags, the figures and the reviews read it in SQL like every
other rule's (store/audit/flags.py). Only the tickets it fires on are written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Float, MetaData, String, Table, delete, insert, select

from woq_tui.audit_settings import AuditSettings
from woq_tui.domain.audit_conditions import missing
from woq_tui.domain.models import Ticket
from woq_tui.domain.tables import table_of
from woq_tui.store.audit.history import Cohort

TICKET = table_of(Ticket)
SUSPECTS = Table(
    "woq_audit_suspect",
    MetaData(),
    Column("ticket_id", BigInteger, primary_key=True),
    Column("station_code", String(64)),
    Column("type", String(32)),
    Column("predicted", String(32)),
    Column("probability", Float),
    prefixes=["TEMPORARY"],
)
BATCH = 5000


def fill_suspects(connection: Connection, cohort: Cohort, settings: AuditSettings, model: Any) -> None:
    """Classify the cohort's summaries; keep the tickets type_suspect fires on."""
    SUSPECTS.create(connection, checkfirst=True)
    connection.execute(delete(SUSPECTS))
    c = TICKET.c
    rows = connection.execute(
        select(c.id, c.station_code, c.type, c.summary).where(cohort.holds(c), ~missing(c.summary))
    )
    threshold = settings.classify_threshold
    while True:
        batch = rows.fetchmany(BATCH)
        if not batch:
            return
        predictions = model.predict([row.summary for row in batch])
        found = [
            {"ticket_id": row.id, "station_code": row.station_code, "type": row.type, "predicted": predicted,
             "probability": float(probability)}  # fmt: skip
            for row, (predicted, probability) in zip(batch, predictions)
            if predicted != row.type and probability >= threshold
        ]
        if found:
            connection.execute(insert(SUSPECTS), found)
