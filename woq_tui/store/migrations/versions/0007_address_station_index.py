"""ix_ticket_address_key covers station_code

The suggested stations (docs/dispatch-assist.md) and the audit's station_suspect count
the stations of the earlier tickets at an address, or under an address prefix (a
village, a street). With station_code in the index those counts read the index alone;
without it every matching row is a lookup in the table: on a year at 100 stations a
suggestion took a median of ≈15 ms on SQLite instead of ≈2 ms (bench/suggest_bench.py,
docs/dispatch-assist.md "Measured").

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_ticket_address_key", table_name="ticket")
    op.create_index("ix_ticket_address_key", "ticket", ["address_key", "created_at", "station_code"])


def downgrade() -> None:
    op.drop_index("ix_ticket_address_key", table_name="ticket")
    op.create_index("ix_ticket_address_key", "ticket", ["address_key", "created_at"])
