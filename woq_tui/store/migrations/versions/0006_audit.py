"""the ticket quality audit: normalised contact keys, reviews, the stored classifier

- ticket.phone_key, ticket.address_key: customer_phone and address normalised as
  docs/audit.md's repeat rules compare them (domain/contact_keys.py), each indexed with
  created_at so that a ticket's earlier ones at the same phone or address are an index
  range (docs/audit.md); the address's also holds station_code, so that
  station_suspect counts an address's stations from the index alone. Rows stored
  before this revision are filled here, in batches by id, so that a year's table is
  not held in memory at once.
- audit_review: a supervisor's verdict on one flag; unique per (ticket_no, rule), a
  new review replaces the old.
- audit_model: the trained classifier as plain arrays and its feature schema (the
  latest row wins; woq_tui/classifier).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from woq_tui.domain.contact_keys import address_key, phone_key
from woq_tui.domain.timestamps import EpochSeconds

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 5000


def _fill_keys() -> None:
    connection = op.get_bind()
    ticket = sa.table(
        "ticket",
        sa.column("id", sa.Integer),
        sa.column("customer_phone", sa.String),
        sa.column("address", sa.String),
        sa.column("phone_key", sa.String),
        sa.column("address_key", sa.String),
    )
    read = (
        sa.select(ticket.c.id, ticket.c.customer_phone, ticket.c.address)
        .where(ticket.c.id > sa.bindparam("after"))
        .where(sa.or_(ticket.c.customer_phone.is_not(None), ticket.c.address.is_not(None)))
        .order_by(ticket.c.id)
        .limit(BATCH)
    )
    write = (
        sa.update(ticket)
        .where(ticket.c.id == sa.bindparam("b_id"))
        .values(phone_key=sa.bindparam("b_phone"), address_key=sa.bindparam("b_address"))
    )
    after = 0
    while True:
        rows = connection.execute(read, {"after": after}).all()
        if not rows:
            return
        params = [
            {"b_id": row.id, "b_phone": phone_key(row.customer_phone), "b_address": address_key(row.address)}
            for row in rows
        ]
        changed = [p for p in params if p["b_phone"] is not None or p["b_address"] is not None]
        if changed:
            connection.execute(write, changed)
        after = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table("ticket") as table:
        table.add_column(sa.Column("phone_key", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("address_key", sa.String(), nullable=True))
    _fill_keys()
    with op.batch_alter_table("ticket") as table:
        table.create_index("ix_ticket_phone_key", ["phone_key", "created_at"])
        table.create_index("ix_ticket_address_key", ["address_key", "created_at", "station_code"])
    op.create_table(
        "audit_review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_no", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("at", EpochSeconds(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.UniqueConstraint("ticket_no", "rule", name="uq_audit_review_ticket_rule"),
    )
    op.create_table(
        "audit_model",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trained_at", EpochSeconds(), nullable=False),
        sa.Column("trained_by", sa.String(length=64), nullable=True),
        sa.Column("library", sa.String(), nullable=True),
        sa.Column("features", sa.String(), nullable=True),
        sa.Column("metrics", sa.String(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
    )
    op.execute("ANALYZE")


def downgrade() -> None:
    op.drop_table("audit_model")
    op.drop_table("audit_review")
    op.drop_index("ix_ticket_address_key", table_name="ticket")
    op.drop_index("ix_ticket_phone_key", table_name="ticket")
    # In place, not in batch mode: on SQLite a batch copies the table from what
    # reflection sees, which misses 0003's expression indexes and so would lose them
    # (tests/test_metrics.py downgrades past 0003). SQLite drops a column since 3.35.
    op.drop_column("ticket", "address_key")
    op.drop_column("ticket", "phone_key")
