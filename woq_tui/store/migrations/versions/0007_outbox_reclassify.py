"""reclassification through the same outbox; the `reclassified` event's types

- outbox_entry.kind: 'reassign' | 'reclassify' (every existing row a reassignment), so
  that one outbox, one pusher and one set of guarantees carry both commands
  (docs/dispatch.md). outbox_entry.from_type / to_type: a reclassification's types.
  outbox_entry.to_station becomes nullable: a reclassification has no target station.
- ticket_event.from_type / to_type: what a `reclassified` event changed.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_entry") as table:
        table.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="reassign"))
        table.add_column(sa.Column("from_type", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("to_type", sa.String(length=32), nullable=True))
        table.alter_column("to_station", existing_type=sa.String(length=64), nullable=True)
    with op.batch_alter_table("ticket_event") as table:
        table.add_column(sa.Column("from_type", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("to_type", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket_event") as table:
        table.drop_column("to_type")
        table.drop_column("from_type")
    # Reclassifications have no station: the reassignment outbox of 0005 cannot hold them.
    op.execute("DELETE FROM outbox_entry WHERE kind <> 'reassign'")
    with op.batch_alter_table("outbox_entry") as table:
        table.alter_column("to_station", existing_type=sa.String(length=64), nullable=False)
        table.drop_column("to_type")
        table.drop_column("from_type")
        table.drop_column("kind")
