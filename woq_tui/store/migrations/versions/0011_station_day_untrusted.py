"""PostgreSQL: indexes that find the rollup rows a read may not trust

A read of the station × day rollup (store/day_rollup.py) reads directly the tickets of
every row that is not settled by its as_of (`unsettled <> 0` or `settled_by > as_of`):
about 1 % of the rows for a year judged now. Without an index PostgreSQL found them by
walking the whole primary key over the year (1.09M rows at 10M tickets, 3,000 stations:
1.5–1.9 s of the year's station screen; docs/speed.md, "The station × day rollup").
These two let it take them by a bitmap OR of two small index ranges instead. SQLite
keeps its scan in station order (its planner would take an index on the table for the
year's read and sort; the rows a read skips are cheap there).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index("ix_station_day_unsettled", "station_day", ["day_start"], postgresql_where=sa.text("unsettled <> 0"))
    op.create_index("ix_station_day_settled_by", "station_day", ["settled_by"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_station_day_settled_by", table_name="station_day")
    op.drop_index("ix_station_day_unsettled", table_name="station_day")
