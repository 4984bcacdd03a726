"""`?prepare_threshold=none` on a psycopg URL turns off server-side prepared statements,
which a pooler in transaction mode cannot keep (docs/consoles.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from woq_tui.errors import DatabaseError
from woq_tui.i18n import set_language
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


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "prepare_threshold is none or a whole number, not 'never'"), ("zh", "prepare_threshold 只能是 none 或整数，不能是 'never'")],
)
def test_a_bad_prepare_threshold_says_what_it_takes_in_the_users_language(pg_url, language, said):
    set_language(language)
    with pytest.raises(DatabaseError, match=said) as raised:
        make_engine(f"{pg_url}?prepare_threshold=never")
    assert "\n" not in str(raised.value)
