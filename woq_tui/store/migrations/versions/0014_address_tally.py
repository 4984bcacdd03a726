"""address_tally: the tickets at each address with more than one, kept by the rollup's refresh

station_suspect looked up every address of its cohort in the address index to find the
busy ones: 160,000 lookups for a week at 10M tickets, 1.4 of its 2.8 s (docs/audit.md,
"Speed"). Only an address with more than route_min_history tickets can be busy, and only
1.5M of 6.3M addresses ever had two; address_tally holds those, with their count, so
that the cohort's addresses are matched against the few with enough tickets by a hash,
and only those are looked up.

It is kept by the rollup's refresh (store/day_rollup_refresh.py) from the same log: the
logging triggers now log a ticket's address key with its station and day, and watch
address_key too. A logged address is counted again by the refresh; until then a read
takes it as possibly busy, so that the tally only ever narrows the lookups and never
what the rule finds.

PostgreSQL only (store/address_tally.py): SQLite's lookups are in-process seeks (a week
of its audit is 50 ms), and its importer suspends the triggers and logs days, not
addresses (store/day_rollup_log.py). The table and the log's column exist on both; on
SQLite they stay empty.

On PostgreSQL, like 0013, the rollup is left unbuilt (state row removed, triggers
disabled): the next build (`woq-console db rollup`, or `generate`) fills the tally.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WHERE_READS = ("station_code", "created_at")
FIGURE_READS = ("due_at", "resolved_at", "first_response_at", "dispatch_count", "reopen_count", "escalated", "satisfaction")
WATCHED = (*WHERE_READS, "type", *FIGURE_READS)
PG_TRIGGERS = ("station_day_insert", "station_day_update", "station_day_delete")


def _pg_function(logged: tuple[str, ...], watched: tuple[str, ...]) -> str:
    columns = ", ".join(logged)
    old = ", ".join(f"o.{name}" for name in watched)
    new = ", ".join(f"n.{name}" for name in watched)
    cells = ", ".join(f"({', '.join(f'{row}.{name}' for name in logged)})" for row in ("o", "n"))
    return f"""
CREATE OR REPLACE FUNCTION woq_station_day_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO station_day_dirty ({columns}) SELECT {columns} FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO station_day_dirty ({columns}) SELECT {columns} FROM old_rows;
    ELSE
        INSERT INTO station_day_dirty ({columns})
        SELECT DISTINCT {", ".join(f"cell.{name}" for name in logged)}
        FROM old_rows o JOIN new_rows n ON n.id = o.id,
            LATERAL (VALUES {cells}) AS cell({columns})
        WHERE ({old}) IS DISTINCT FROM ({new});
    END IF;
    RETURN NULL;
END $$;
"""


def _log(logged: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        watched = (*WATCHED, "address_key") if "address_key" in logged else WATCHED
        op.execute(_pg_function(logged, watched))


def _unbuild() -> None:
    """PostgreSQL: the rollup to be built again, with its tally (SQLite's is unchanged)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DELETE FROM station_day_state")
        op.execute("DELETE FROM station_day_dirty")  # the next build starts afresh (its rows too)
        for name in PG_TRIGGERS:
            op.execute(f"ALTER TABLE ticket DISABLE TRIGGER {name}")


def upgrade() -> None:
    _unbuild()
    op.add_column("station_day_dirty", sa.Column("address_key", sa.String(), nullable=True))
    op.create_table(
        "address_tally",
        sa.Column("address_key", sa.String(), nullable=False),
        sa.Column("tickets", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address_key"),
    )
    op.create_index("ix_address_tally_tickets", "address_tally", ["tickets", "address_key"])
    _log(("station_code", "created_at", "address_key"))


def downgrade() -> None:
    _unbuild()
    _log(("station_code", "created_at"))
    op.drop_index("ix_address_tally_tickets", table_name="address_tally")
    op.drop_table("address_tally")
    # in place (SQLite ≥ 3.35): a batch's copy of the table breaks the triggers that name it
    op.execute("ALTER TABLE station_day_dirty DROP COLUMN address_key")
