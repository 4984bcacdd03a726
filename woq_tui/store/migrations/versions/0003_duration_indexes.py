"""indexes ordered by the two durations the percentiles rank

A p90 is `ORDER BY d DESC LIMIT 1 OFFSET n - ceil(0.9 n)`. With only the covering
indexes of 0002, every group's rows are read and sorted: for a year, ~0.35 ms a
station and ~90 ms for the total, per percentile (SQLite, 320,000 tickets). Walking an
index ordered by the duration from the top, filtered by the period, reads about a
tenth of the group instead: ~0.04 ms a station, ~2 ms for the total
(bench/figures_bench.py, docs/figures.md).

- ix_ticket_station_handling / _response: (station, duration, ...), for each station;
- ix_ticket_handling / _response: (duration, ...), for groups holding a large share
  of the table (a year's total, an area, the repair type).
The columns after the duration keep each walk index-only: the period, the duration's
own end (is it defined at as_of?), and the station and type a group is made of.
store/figures.py picks them on SQLite (INDEXED BY) only where a walk beats the sort;
PostgreSQL's planner picks them by itself.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DURATIONS = {"handling": "resolved_at", "response": "first_response_at"}


def upgrade() -> None:
    for name, end in DURATIONS.items():
        duration = sa.text(f"({end} - created_at)")
        op.create_index(f"ix_ticket_station_{name}", "ticket", ["station_code", duration, "created_at", end])
        op.create_index(f"ix_ticket_{name}", "ticket", [duration, "created_at", end, "station_code", "type"])
    op.execute("ANALYZE")


def downgrade() -> None:
    for name in DURATIONS:
        op.drop_index(f"ix_ticket_{name}", table_name="ticket")
        op.drop_index(f"ix_ticket_station_{name}", table_name="ticket")
