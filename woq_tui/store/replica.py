"""How far a read replica's data is behind its primary (docs/replica.md, "Lag").

Read on the replica itself, in one statement: 0 when it has replayed all the WAL it
has received, else the age of the last transaction it replayed. The first half is
what keeps an idle primary from showing a growing false delay: with nothing to send,
received = replayed, and the last replayed transaction may be hours old while the data
is current. A server that is not in recovery (read_url naming a primary) is 0 behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replay_lag(engine: Engine) -> float:
    """Seconds the replica's data is behind (0 when caught up); raises when it does
    not answer, as every read does."""
    if engine.dialect.name != "postgresql":
        return 0.0  # SQLite has no replicas (config.read_url_problem)
    with engine.connect() as connection:
        return max(float(connection.exec_driver_sql(LAG_SQL).scalar_one()), 0.0)
