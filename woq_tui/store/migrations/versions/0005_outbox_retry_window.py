"""the outbox's retry window and the dispatch server's request hashes

- outbox_entry.retrying_since: when the entry's current retry window began (NULL: at
  requested_at). Transient failures are retried for `[dispatch] retry_for_minutes`
  after it; `outbox retry` starts a new window without touching requested_at, which is
  part of the request and so of its Idempotency-Key's hash (docs/dispatch.md).
- dispatch_idempotency.request_hash: the SHA-256 of the request a key was first used
  for, so that the same key with another body is refused (422
  idempotency_key_reused) instead of replayed as success (docs/dispatch-api.md). NULL
  for answers stored before this revision: those keys replay as before.

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from woq_tui.domain.timestamps import EpochSeconds

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_entry") as table:
        table.add_column(sa.Column("retrying_since", EpochSeconds(), nullable=True))
    with op.batch_alter_table("dispatch_idempotency") as table:
        table.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dispatch_idempotency") as table:
        table.drop_column("request_hash")
    with op.batch_alter_table("outbox_entry") as table:
        table.drop_column("retrying_since")
