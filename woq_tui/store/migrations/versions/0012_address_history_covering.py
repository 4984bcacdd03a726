"""PostgreSQL: the ticket id in the address index, for station_suspect's history

station_suspect reads every earlier ticket at the cohort's busy addresses: their id,
station and creation instant (store/audit/history.py). The address index held all but
the id, so on PostgreSQL each of those tickets was a heap fetch: a week's audit at 10M
tickets read 617,498 of them at 20,728 busy addresses, 6 s with a cold cache (docs/audit.md,
"Speed"). With the id as an INCLUDE column the read is an index-only scan: 0.5 s.
SQLite's indexes carry the rowid, which is the id, already.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = ["address_key", "created_at", "station_code"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_ticket_address_key", table_name="ticket")
    op.create_index("ix_ticket_address_key", "ticket", COLUMNS, postgresql_include=["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_ticket_address_key", table_name="ticket")
    op.create_index("ix_ticket_address_key", "ticket", COLUMNS)
