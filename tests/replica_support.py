"""A real streaming replica for the tests that need one (docs/replica.md).

The `replica` session fixture runs scripts/pg_replica.sh up, which makes a second
PostgreSQL cluster on port 5433 from the test server by pg_basebackup (once; later
sessions reuse it) and starts it. A database the tests create on the primary appears
on the replica by itself. Where it cannot start (not root, no pg_createcluster, a test
server that is not the local cluster) the tests that ask for it skip, saying why. The
fixture stops the replica at the end only if it was the one that started it.

Waiting is by polling the replica's replay position against the primary's WAL
position, never by sleeping a guessed time.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pg_replica.sh"
REPLICA_PORT = 5433
# The script copies the cluster on this address; another test server has no replica here.
PRIMARY = ("127.0.0.1", 5432)
POLL = 0.05
WAIT = 120.0


def _admin(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


@dataclass
class Replica:
    """The running replica: URLs of it, and what a test does to it."""

    primary_admin: Engine  # the primary's `postgres` database
    replica_admin: Engine  # the replica's

    def url_of(self, primary_url: str) -> str:
        """The replica's URL for the same database as `primary_url`."""
        return make_url(primary_url).set(port=REPLICA_PORT).render_as_string(hide_password=False)

    def wait_replayed(self) -> None:
        """Until the replica has replayed everything the primary had written when asked."""
        with self.primary_admin.connect() as connection:
            target = connection.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
        self.wait_until(
            lambda: self._replica_says("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)", lsn=target),
            f"the replica to replay up to {target}",
        )

    @contextlib.contextmanager
    def replay_paused(self) -> Iterator[None]:
        """WAL replay paused on the replica (it still receives), resumed on the way out."""
        self._replica_does("SELECT pg_wal_replay_pause()")
        try:
            self.wait_until(lambda: self._replica_says("SELECT pg_get_wal_replay_pause_state() = 'paused'"), "the pause")
            yield
        finally:
            self._replica_does("SELECT pg_wal_replay_resume()")

    def lag(self) -> float:
        from woq_tui.store.replica import replay_lag

        return replay_lag(self.replica_admin)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f} s for {what}")
            time.sleep(POLL)

    def _replica_does(self, sql: str) -> None:
        with self.replica_admin.connect() as connection:
            connection.execute(text(sql))

    def _replica_says(self, sql: str, **values: object) -> bool:
        with self.replica_admin.connect() as connection:
            return bool(connection.execute(text(sql), values).scalar_one())


def _run(action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(SCRIPT), action], capture_output=True, text=True, timeout=1800, check=False)


@pytest.fixture(scope="session")
def replica() -> Iterator[Replica]:
    if not PG_URL:
        pytest.skip("the replica tests need WOQ_TEST_DATABASE_URL (the primary)")
    url = make_url(PG_URL)
    if (url.host, url.port or 5432) != PRIMARY:
        pytest.skip(f"scripts/pg_replica.sh copies the local cluster at 127.0.0.1:5432, not {url.host}:{url.port}")
    running_before = _run("status").stdout.strip() == "running"
    started = _run("up")
    if started.returncode != 0:
        reason = (started.stderr.strip().splitlines() or [f"exit status {started.returncode}"])[-1]
        pytest.skip(f"no streaming replica: {reason}")
    found = Replica(
        _admin(url.set(database="postgres").render_as_string(hide_password=False)),
        _admin(url.set(database="postgres", port=REPLICA_PORT).render_as_string(hide_password=False)),
    )
    try:
        yield found
    finally:
        found.primary_admin.dispose()
        found.replica_admin.dispose()
        if not running_before:
            _run("down")
