"""duration indexes led by the ticket's type and by its station's area type

A large group's p90 (a type, an area) walked the table-wide duration index of 0003
from the top, past every other group's rows, until it had passed its own offset: about
a tenth of the whole cohort per group and percentile, whatever the group's share
(docs/speed.md, "Type and area percentiles"). Led by the group, each walk reads only
its own group's top tenth, as the stations' do:

- ix_ticket_type_handling / _response: (type, duration, created_at, end);
- ticket.area_type: the ticket's station's area type, kept by the database itself
  (triggers: a ticket written or moved to a station takes the station's area type; a
  station whose area type changes passes it on to its tickets), so that every writer
  (importer, generator, dispatch, simulator, psql) keeps it right without knowing of it;
- ix_ticket_area_handling / _response: (area_type, duration, created_at, end).

On PostgreSQL the ticket's trigger reads the station FOR SHARE: an area change
committing between that read and the ticket's commit would otherwise be missed (the
station's trigger cannot see the uncommitted ticket); the lock waits for it instead.
SQLite has one writer at a time.

Revision ID: 0009
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

_PG_TRIGGERS = """
CREATE FUNCTION woq_ticket_area_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.area_type := (SELECT area_type FROM station WHERE code = NEW.station_code FOR SHARE);
    RETURN NEW;
END $$;
CREATE TRIGGER ticket_area_type BEFORE INSERT OR UPDATE OF station_code, area_type ON ticket
    FOR EACH ROW EXECUTE FUNCTION woq_ticket_area_type();
CREATE FUNCTION woq_station_area_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket SET area_type = NEW.area_type
    WHERE station_code = NEW.code AND area_type IS DISTINCT FROM NEW.area_type;
    RETURN NULL;
END $$;
CREATE TRIGGER station_area_type AFTER UPDATE OF area_type ON station
    FOR EACH ROW WHEN (OLD.area_type IS DISTINCT FROM NEW.area_type) EXECUTE FUNCTION woq_station_area_type();
"""
_PG_DROP = """
DROP TRIGGER IF EXISTS station_area_type ON station;
DROP FUNCTION IF EXISTS woq_station_area_type();
DROP TRIGGER IF EXISTS ticket_area_type ON ticket;
DROP FUNCTION IF EXISTS woq_ticket_area_type();
"""
# SQLite cannot change NEW in a BEFORE trigger: the row is put right after it is
# written, and only when it is not already (a writer that knows the area pays a lookup).
_STATION_AREA = "(SELECT area_type FROM station WHERE code = NEW.station_code)"
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER ticket_area_type_insert AFTER INSERT ON ticket
    WHEN NEW.area_type IS NOT {_STATION_AREA}
    BEGIN UPDATE ticket SET area_type = {_STATION_AREA} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER ticket_area_type_update AFTER UPDATE OF station_code, area_type ON ticket
    WHEN NEW.area_type IS NOT {_STATION_AREA}
    BEGIN UPDATE ticket SET area_type = {_STATION_AREA} WHERE id = NEW.id; END""",
    """CREATE TRIGGER station_area_type AFTER UPDATE OF area_type ON station
    WHEN NEW.area_type IS NOT OLD.area_type
    BEGIN UPDATE ticket SET area_type = NEW.area_type WHERE station_code = NEW.code; END""",
]
_SQLITE_DROP = ["DROP TRIGGER IF EXISTS station_area_type", "DROP TRIGGER IF EXISTS ticket_area_type_update",
                "DROP TRIGGER IF EXISTS ticket_area_type_insert"]

# The indexes: (group's column, duration, created_at, the duration's end), as 0003's
# station-led ones.
GROUPS = {"type": "type", "area": "area_type"}
DURATIONS = {"handling": "resolved_at", "response": "first_response_at"}


def upgrade() -> None:
    # In place, not in batch mode: a batch copy of the ticket table would lose 0003's
    # expression indexes (see 0006's downgrade) and these triggers.
    op.add_column("ticket", sa.Column("area_type", sa.String(length=16), nullable=True))
    op.execute("UPDATE ticket SET area_type = (SELECT area_type FROM station WHERE station.code = ticket.station_code)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGERS)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    for name, end in DURATIONS.items():
        duration = sa.text(f"({end} - created_at)")
        for group, column in GROUPS.items():
            op.create_index(f"ix_ticket_{group}_{name}", "ticket", [column, duration, "created_at", end])
    op.execute("ANALYZE")


def downgrade() -> None:
    for name in DURATIONS:
        for group in GROUPS:
            op.drop_index(f"ix_ticket_{group}_{name}", table_name="ticket")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_DROP)
    else:
        for statement in _SQLITE_DROP:
            op.execute(statement)
    op.drop_column("ticket", "area_type")
