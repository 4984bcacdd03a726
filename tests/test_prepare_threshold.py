"""`?prepare_threshold=none` on a psycopg URL turns off server-side prepared statements,
which a pooler in transaction mode cannot keep (docs/consoles.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from woq_tui.errors import DatabaseError
from woq_tui.store.db import make_engine

pytestmark = pytest.mark.postgres


def _prepared_after_repeats(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            for _ in range(8):  # psycopg prepares a statement on its fifth run
                connection.execute(text("SELECT count(*) FROM ticket WHERE station_code = :code"), {"code": "S001"})
            return connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
    finally:
        engine.dispose()


def test_statements_are_prepared_by_default(pg_url):
    assert _prepared_after_repeats(pg_url) >= 1


@pytest.mark.parametrize("value", ["none", "None"])
def test_prepare_threshold_none_prepares_nothing(pg_url, value):
    assert _prepared_after_repeats(f"{pg_url}?prepare_threshold={value}") == 0


def test_a_bad_prepare_threshold_says_what_it_takes(pg_url):
    with pytest.raises(DatabaseError, match="prepare_threshold is none or a whole number, not 'never'"):
        make_engine(f"{pg_url}?prepare_threshold=never")
