"""the station × local-day rollup of the figures' sums, and the triggers that log changes

A year's station figures read every ticket of the year (docs/speed.md, "What is left of
issue 17"). These tables let a long period read one row per station and local day
(~9 tickets a row at 1M tickets, 300 stations) instead (store/day_rollup.py):

- station_day: the 12 integer sums of domain/metrics.aggregates for a station's tickets
  of one local day, as they are once settled; settled_by and unsettled say for which
  as_of the row holds (a read takes it only if every ticket in it is settled by then);
- station_day_dirty: (station, created_at) of every ticket inserted, deleted or changed
  in a column the figures read, before and after the change, appended by the database's
  own triggers (every writer: importer, generator, dispatch, simulator, psql). A read
  takes no row whose day one of them falls in; the refresh recomputes those days;
- station_day_state: the zone the rows' days are in; no row until the first refresh
  builds them, and until then the reads stay direct and the triggers log nothing (SQLite:
  their WHEN; PostgreSQL: they are created disabled and the first build enables them,
  under the lock ALTER TABLE takes, so no writer's change falls between the build's read
  and the trigger: a catalog change, which even a REPEATABLE READ writer sees).

PostgreSQL's triggers are per statement, with transition tables: a COPY of a million
tickets logs them in one INSERT ... SELECT.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# What the figures read of a ticket (domain/metrics.aggregates, models.FIGURE_COLUMNS)
# besides where it falls (station, created_at): a change to any of them changes a sum.
FIGURE_READS = ("due_at", "resolved_at", "first_response_at", "dispatch_count", "reopen_count", "escalated", "satisfaction")
WHERE_READS = ("station_code", "created_at")
SUMS = ("tickets", "resolved", "overdue", "on_time", "responded", "response_s", "handling_s",
        "repeat", "escalated", "one_time", "surveyed", "satisfied")
PG_TRIGGERS = ("station_day_insert", "station_day_update", "station_day_delete")

_OLD_ROW = ", ".join(f"o.{name}" for name in (*WHERE_READS, *FIGURE_READS))
_NEW_ROW = ", ".join(f"n.{name}" for name in (*WHERE_READS, *FIGURE_READS))
_PG_FUNCTION = f"""
CREATE FUNCTION woq_station_day_log() RETURNS trigger LANGUAGE plpgsql AS $$
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
        WHERE ({_OLD_ROW}) IS DISTINCT FROM ({_NEW_ROW});
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER station_day_insert AFTER INSERT ON ticket REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION woq_station_day_log();
CREATE TRIGGER station_day_update AFTER UPDATE ON ticket REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION woq_station_day_log();
CREATE TRIGGER station_day_delete AFTER DELETE ON ticket REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION woq_station_day_log();
ALTER TABLE ticket DISABLE TRIGGER station_day_insert;
ALTER TABLE ticket DISABLE TRIGGER station_day_update;
ALTER TABLE ticket DISABLE TRIGGER station_day_delete;
"""
_PG_DROP = """
DROP TRIGGER IF EXISTS station_day_delete ON ticket;
DROP TRIGGER IF EXISTS station_day_update ON ticket;
DROP TRIGGER IF EXISTS station_day_insert ON ticket;
DROP FUNCTION IF EXISTS woq_station_day_log();
"""
_BUILT = "EXISTS (SELECT 1 FROM station_day_state)"
_LOG = "INSERT INTO station_day_dirty (station_code, created_at) VALUES ({row}.station_code, {row}.created_at)"
_CHANGED = " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in (*WHERE_READS, *FIGURE_READS))
_MOVED = " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in WHERE_READS)
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER station_day_insert AFTER INSERT ON ticket WHEN {_BUILT} BEGIN {_LOG.format(row='NEW')}; END",
    f"CREATE TRIGGER station_day_delete AFTER DELETE ON ticket WHEN {_BUILT} BEGIN {_LOG.format(row='OLD')}; END",
    f"""CREATE TRIGGER station_day_update AFTER UPDATE OF {", ".join((*WHERE_READS, *FIGURE_READS))} ON ticket
    WHEN {_BUILT} AND ({_CHANGED})
    BEGIN
        {_LOG.format(row='OLD')};
        INSERT INTO station_day_dirty (station_code, created_at) SELECT NEW.station_code, NEW.created_at WHERE {_MOVED};
    END""",
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in ("station_day_update", "station_day_delete", "station_day_insert")]


def upgrade() -> None:
    op.create_table(
        "station_day",
        sa.Column("station_code", sa.String(length=64), nullable=False),
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("day_end", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in SUMS),
        sa.Column("settled_by", sa.BigInteger(), nullable=True),
        sa.Column("unsettled", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("station_code", "day_start"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "station_day_dirty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_station_day_dirty_cell", "station_day_dirty", ["station_code", "created_at"])
    op.create_index("ix_station_day_dirty_created", "station_day_dirty", ["created_at"])
    op.create_table("station_day_state", sa.Column("zone", sa.String(length=64), nullable=False), sa.PrimaryKeyConstraint("zone"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_DROP)
    else:
        for statement in _SQLITE_DROP:
            op.execute(statement)
    op.drop_table("station_day_state")
    op.drop_index("ix_station_day_dirty_created", table_name="station_day_dirty")
    op.drop_index("ix_station_day_dirty_cell", table_name="station_day_dirty")
    op.drop_table("station_day_dirty")
    op.drop_table("station_day")
