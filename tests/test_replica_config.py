"""`[database] read_url` (docs/replica.md): checked with the settings, in one line in
the user's language; where it applies; a replica that does not answer is unreachable
like the primary. No replica is needed here (tests/test_replica.py has the real one)."""

from __future__ import annotations

from argparse import Namespace

import pytest

from tests.support import build_data, settle
from woq_tui.app import WoqApp
from woq_tui.cli import main
from woq_tui.commands.head_start import _open
from woq_tui.config import ConfigError, parse_settings, resolve_read_url
from woq_tui.context import ConsoleContext
from woq_tui.i18n import set_language
from woq_tui.widgets.refresh import RefreshStatus

PRIMARY = "postgresql+psycopg://woq@db:5432/woq"
REPLICA = "postgresql+psycopg://woq@replica:5432/woq"
# Nothing listens on port 1: connecting is refused at once.
NOBODY = "postgresql+psycopg://postgres@127.0.0.1:1/woq"


def _database(**keys) -> dict:
    return {"database": keys}


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ({"url": PRIMARY, "read_url": "not a url"}, "database.read_url: not a database URL"),
        ({"url": PRIMARY, "read_url": "sqlite:///replica.db"}, "a read replica must be PostgreSQL (postgresql+psycopg://), not sqlite"),
        ({"url": PRIMARY, "read_url": "mysql://woq@replica/woq"}, "not mysql"),
        # SQLite has no replica: a read_url beside it is refused, not used as a second file
        ({"url": "sqlite:///tickets.db", "read_url": REPLICA}, "needs a PostgreSQL [database] url"),
        ({"read_url": REPLICA}, "needs a PostgreSQL [database] url"),
        ({"url": PRIMARY, "read_url": 5433}, "database.read_url: Input should be a valid string"),
    ],
)
def test_a_read_url_that_cannot_be_used_is_one_line(keys, words):
    with pytest.raises(ConfigError) as raised:
        parse_settings(_database(**keys))
    line = str(raised.value)
    assert words in line and "\n" not in line


def test_the_line_hides_a_password_and_speaks_chinese():
    set_language("zh")
    with pytest.raises(ConfigError) as raised:
        parse_settings(_database(url=PRIMARY, read_url="mysql://woq:s3cret@replica/woq"))
    line = str(raised.value)
    assert "只读副本须为 PostgreSQL" in line and "s3cret" not in line and "***" in line


def test_the_command_line_stops_with_status_2(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/t.db"\nread_url = "{REPLICA}"\n', encoding="utf-8")
    assert main(["--config", str(config), "db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "database.read_url" in err
    assert not (tmp_path / "t.db").exists()  # nothing opened


def test_an_empty_read_url_is_no_replica():
    assert resolve_read_url(None, parse_settings(_database(url=PRIMARY, read_url=""))) is None


def test_where_the_replica_applies_and_its_password(monkeypatch):
    settings = parse_settings(_database(url="postgresql://woq@db:5432/woq", read_url="postgresql://woq@replica:5432/woq"))
    monkeypatch.delenv("WOQ_DATABASE_URL", raising=False)
    monkeypatch.setenv("WOQ_DATABASE_PASSWORD", "s3cret")
    assert resolve_read_url(None, settings) == "postgresql+psycopg://woq:s3cret@replica:5432/woq"
    # the replica copies [database] url: --db or WOQ_DATABASE_URL naming another database read it
    assert resolve_read_url("sqlite:///other.db", settings) is None
    monkeypatch.setenv("WOQ_DATABASE_URL", "postgresql+psycopg://woq@elsewhere/woq")
    assert resolve_read_url(None, settings) is None
    monkeypatch.setenv("WOQ_DATABASE_URL", "postgresql://woq@db:5432/woq")
    assert resolve_read_url(None, settings) is not None


def test_the_head_start_hands_the_replica_to_the_console(sqlite_url, monkeypatch):
    """The console's process makes its engines from what the head start opened."""
    monkeypatch.delenv("WOQ_DATABASE_URL", raising=False)
    monkeypatch.delenv("WOQ_DATABASE_PASSWORD", raising=False)
    settings = parse_settings({})
    settings.database.read_url = REPLICA  # as if configured (the check wants a PostgreSQL url)
    settings.database.url = sqlite_url
    engine, opened = _open(Namespace(db=None), settings)
    engine.dispose()
    assert opened.read_url == REPLICA


async def test_a_replica_that_does_not_answer_is_unreachable_in_one_line(settings, engine, clock):
    build_data(engine)
    context = ConsoleContext(settings, engine, read_url=NOBODY, clock=clock, label="test")
    app = WoqApp(context)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        status = app.screen.query_one(RefreshStatus)
        assert status.has_class("-failing")
        assert "Database unreachable" in app.screen.query_one("AppHeader").refreshed
        assert str(status.render()).count("\n") <= 1
        assert status.failures == 1
    context.dispose()


def test_the_context_makes_both_engines_from_the_opening(settings):
    """Without a read_url the reads use the primary's engine itself; with one, each
    engine gets its URL from what the head start opened (no connection is made)."""
    from concurrent.futures import Future

    from woq_tui.commands.head_start import Opened

    alone = ConsoleContext(settings, url="sqlite:///alone.db")
    assert alone.read_engine is alone.engine and not alone.has_replica
    opening: Future = Future()
    opening.set_result(Opened(PRIMARY, PRIMARY, REPLICA))
    context = ConsoleContext(settings, opening=opening)
    assert context.has_replica
    assert context.read_engine.url.host == "replica" and context.engine.url.host == "db"
    context.dispose()
