"""Fixtures every test shares: real databases (SQLite and PostgreSQL), a frozen clock,
settings, and ticket factories.

PostgreSQL: set WOQ_TEST_DATABASE_URL (CI does) to a server and database the tests may
use; each test gets a database of its own, cloned from a migrated template, so tests
and parallel runs never see each other's rows. Unset: the PostgreSQL cases skip with a
reason. Set but unreachable: they fail.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from woq_tui.config import Settings, parse_settings
from woq_tui.context import ConsoleContext
from woq_tui.domain.clock import FixedClock
from woq_tui.i18n import set_language
from woq_tui.store.db import make_engine, upgrade

# The dispatch fixtures (`token`, `server`) and the streaming replica (`replica`) live
# beside the helpers they use; registered here so that tests ask for them by name instead of importing them (an import that
# pytest reads as a fixture and a linter as an unused name shadowed by a parameter).
pytest_plugins = ["tests.dispatch_support", "tests.replica_support"]

PG_URL = os.environ.get("WOQ_TEST_DATABASE_URL")
UTC = UTC
# Thursday 2026-11-26 10:00 in Shanghai: the instant every frozen test lives in.
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _admin_engine():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


@pytest.fixture(scope="session")
def pg_template():
    """A migrated template database on the test server, dropped at the end."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need WOQ_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test)")
    name = f"woq_tpl_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_template):
    name = f"woq_t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tickets.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def settings() -> Settings:
    set_language("en")
    return parse_settings({"console": {"language": "en", "operator": "D1023", "timezone": "Asia/Shanghai"}})


@pytest.fixture
def context(settings, engine, clock) -> ConsoleContext:
    return ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")


@pytest.fixture(autouse=True)
def _english_by_default():
    set_language("en")
    yield
    set_language("en")
