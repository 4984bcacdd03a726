"""covering indexes for the quality figures

The year's station figures read every ticket of the period; with only
(station_code, created_at) SQLite walks that index and fetches each row from the
table, twice as slow as a full scan (docs/decisions.md). These indexes hold every column the
figures read, so each grouping is an index-only range: per station, per type, or by
time (totals and days). Measured in bench/figures_bench.py; docs/figures.md.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FIGURE_COLUMNS = ["due_at", "resolved_at", "first_response_at", "dispatch_count", "reopen_count", "escalated", "satisfaction"]


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_station_created")
        batch_op.create_index("ix_ticket_station_created", ["station_code", "created_at", *FIGURE_COLUMNS])
        batch_op.create_index("ix_ticket_type_created", ["type", "created_at", "station_code", *FIGURE_COLUMNS])
        batch_op.create_index("ix_ticket_created_cover", ["created_at", "station_code", "type", *FIGURE_COLUMNS])
    # Fresh statistics, so SQLite's planner knows the new indexes' selectivity.
    op.execute("ANALYZE")


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_created_cover")
        batch_op.drop_index("ix_ticket_type_created")
        batch_op.drop_index("ix_ticket_station_created")
        batch_op.create_index("ix_ticket_station_created", ["station_code", "created_at"])
