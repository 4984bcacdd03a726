"""What the product sets for its own PostgreSQL sessions (docs/speed.md, "Session
settings"), in every session of its pool and whatever the server's default."""

from __future__ import annotations

import pytest

from woq_tui.store.db import make_engine, snapshot

pytestmark = pytest.mark.postgres


def test_every_session_runs_without_jit_compilation(pg_url):
    engine = make_engine(pg_url)
    try:
        with engine.connect() as first, engine.connect() as second:
            assert first.exec_driver_sql("SHOW jit").scalar_one() == "off"
            assert second.exec_driver_sql("SHOW jit").scalar_one() == "off"
        with snapshot(engine) as reading:  # the figures' REPEATABLE READ snapshots too
            assert reading.exec_driver_sql("SHOW jit").scalar_one() == "off"
            assert reading.exec_driver_sql("SHOW transaction_isolation").scalar_one() == "repeatable read"
    finally:
        engine.dispose()
