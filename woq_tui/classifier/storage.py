"""The stored classifier: rows of the `audit_model` table (migration 0006), the latest
one wins (docs/audit-classifier.md, "Storage").

A row holds the arrays of model.Weights as .npz bytes, the feature schema and the
metrics as JSON, the scikit-learn version that trained it and when. Reading a row runs
no code from it: the schema is compared with features.SCHEMA, the arrays are read
without pickles and checked for shape. Older rows are kept up to KEEP, so that a model
trained in error can be looked at; the rest are deleted when a new one is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, desc, insert, inspect, select

from woq_tui.classifier.features import SCHEMA
from woq_tui.domain.models import AuditModel
from woq_tui.domain.tables import table_of

KEEP = 3
_TABLE = table_of(AuditModel)


@dataclass(frozen=True)
class StoredRow:
    id: int
    trained_at: datetime
    trained_by: str | None
    library: str | None
    features: str | None
    metrics: str | None
    payload: bytes | None


def has_table(engine: Engine) -> bool:
    return inspect(engine).has_table(_TABLE.name)


def latest_id(engine: Engine) -> tuple[int, datetime] | None:
    """(id, trained_at) of the model in use, without reading its payload."""
    with engine.connect() as connection:
        row = connection.execute(
            select(_TABLE.c.id, _TABLE.c.trained_at).order_by(desc(_TABLE.c.trained_at), desc(_TABLE.c.id)).limit(1)
        ).first()
    return (row.id, row.trained_at) if row else None


def read(engine: Engine, model_id: int) -> StoredRow | None:
    with engine.connect() as connection:
        row = connection.execute(select(_TABLE).where(_TABLE.c.id == model_id)).first()
    return StoredRow(**row._mapping) if row else None


def store(engine: Engine, payload: bytes, metrics: dict[str, Any], trained_at: datetime, trained_by: str, library: str) -> int:
    """Insert the new model and delete all but the KEEP newest; its id."""
    with engine.begin() as connection:
        new_id = connection.execute(
            insert(_TABLE)
            .values(
                trained_at=trained_at,
                trained_by=trained_by,
                library=library,
                features=json.dumps(SCHEMA, sort_keys=True),
                metrics=json.dumps(metrics, ensure_ascii=False, sort_keys=True),
                payload=payload,
            )
            .returning(_TABLE.c.id)
        ).scalar_one()
        kept = select(_TABLE.c.id).order_by(desc(_TABLE.c.trained_at), desc(_TABLE.c.id)).limit(KEEP)
        connection.execute(delete(_TABLE).where(_TABLE.c.id.not_in(kept.scalar_subquery())))
    return new_id


def history(engine: Engine, batch: int = 20_000):
    """(ticket_no, summary, type) of every resolved ticket with a summary, streamed
    (audit.md: "the recorded types of resolved tickets"). Blank summaries are left out
    by training.split, after normalising."""
    from woq_tui.domain.models import Ticket

    ticket = table_of(Ticket)
    query = select(ticket.c.ticket_no, ticket.c.summary, ticket.c.type).where(
        ticket.c.resolved_at.is_not(None), ticket.c.summary.is_not(None)
    )
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=batch).execute(query)
        for rows in result.partitions():
            yield from rows
