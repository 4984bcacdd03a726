"""the type × local-day rollup beside station_day, and type changes logged

`report`'s types read every ticket of the period: 3.4 s of a year's report at 10M
tickets, which station_day cannot answer (docs/speed.md, "The type × day rollup").
type_day holds the same 12 sums by type and local day, computed with station_day by the
same refresh (store/day_rollup_refresh.py) and read like it (store/type_rollup.py).

A ticket's type was not a column the logging triggers watched (no station figure reads
it); a reclassified ticket now logs its day too, on both databases.

The rollup is left unbuilt (its state row removed; PostgreSQL's triggers disabled as
migration 0010 left them): type_day must be computed for every day station_day holds,
which takes the zone's local days, and the reads stay exact and direct until the next
build (`woq-console db rollup`, or `generate`).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SUMS = ("tickets", "resolved", "overdue", "on_time", "responded", "response_s", "handling_s",
        "repeat", "escalated", "one_time", "surveyed", "satisfied")
WHERE_READS = ("station_code", "created_at")
FIGURE_READS = ("due_at", "resolved_at", "first_response_at", "dispatch_count", "reopen_count", "escalated", "satisfaction")
PG_TRIGGERS = ("station_day_insert", "station_day_update", "station_day_delete")


def _pg_function(watched: tuple[str, ...]) -> str:
    old = ", ".join(f"o.{name}" for name in watched)
    new = ", ".join(f"n.{name}" for name in watched)
    return f"""
CREATE OR REPLACE FUNCTION woq_station_day_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO station_day_dirty (station_code, created_at) SELECT station_code, created_at FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO station_day_dirty (station_code, created_at) SELECT station_code, created_at FROM old_rows;
    ELSE
        INSERT INTO station_day_dirty (station_code, created_at)
        SELECT DISTINCT cell.station_code, cell.created_at
        FROM old_rows o JOIN new_rows n ON n.id = o.id,
            LATERAL (VALUES (o.station_code, o.created_at), (n.station_code, n.created_at)) AS cell(station_code, created_at)
        WHERE ({old}) IS DISTINCT FROM ({new});
    END IF;
    RETURN NULL;
END $$;
"""


def _sqlite_update_trigger(watched: tuple[str, ...]) -> str:
    changed = " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in watched)
    moved = " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in WHERE_READS)
    return f"""CREATE TRIGGER station_day_update AFTER UPDATE OF {", ".join(watched)} ON ticket
    WHEN EXISTS (SELECT 1 FROM station_day_state) AND ({changed})
    BEGIN
        INSERT INTO station_day_dirty (station_code, created_at) VALUES (OLD.station_code, OLD.created_at);
        INSERT INTO station_day_dirty (station_code, created_at) SELECT NEW.station_code, NEW.created_at WHERE {moved};
    END"""


def _watch(watched: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_pg_function(watched))
    else:
        op.execute("DROP TRIGGER IF EXISTS station_day_update")
        op.execute(_sqlite_update_trigger(watched))


def _unbuild() -> None:
    op.execute("DELETE FROM station_day_state")
    op.execute("DELETE FROM station_day_dirty")  # the next build starts afresh (its rows too)
    if op.get_bind().dialect.name == "postgresql":
        for name in PG_TRIGGERS:
            op.execute(f"ALTER TABLE ticket DISABLE TRIGGER {name}")


def upgrade() -> None:
    op.create_table(
        "type_day",
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("day_end", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in SUMS),
        sa.Column("settled_by", sa.BigInteger(), nullable=True),
        sa.Column("unsettled", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("type", "day_start"),
        sqlite_with_rowid=False,
    )
    _watch((*WHERE_READS, "type", *FIGURE_READS))
    _unbuild()


def downgrade() -> None:
    _unbuild()
    _watch((*WHERE_READS, *FIGURE_READS))
    op.drop_table("type_day")
