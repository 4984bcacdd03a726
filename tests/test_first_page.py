"""The head start's direct read of the first page (store/first_page.py): the SQL compiled
ahead is today's, it reads what SQLAlchemy's path reads, it steps aside for any file it
cannot vouch for, and it loads no SQLAlchemy."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from argparse import Namespace
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.factories import add_all, station, ticket
from woq_tui.commands.head_start import Opened, answers
from woq_tui.config import parse_settings, resolve_database_url
from woq_tui.context import ConsoleContext
from woq_tui.domain.models import OutboxEntry, TicketEvent
from woq_tui.store import queries
from woq_tui.store.db import describe_url, make_engine, upgrade
from woq_tui.store.first_page import (
    GENERATED,
    connect_if_current,
    generated_source,
    plain_sqlite_file,
    read_first_page,
    read_kpis,
)
from woq_tui.store.schema_marks import DROPPED_MARK
from woq_tui.values.live import FIRST_REQUEST
from woq_tui.values.queue import PAGE_SIZE


def test_the_compiled_sql_is_up_to_date():
    assert GENERATED.read_text(encoding="utf-8") == generated_source(), (
        "store/first_page_sql.py is out of date: run python -m woq_tui.store.first_page"
    )


def _outbox(ticket_no: str, state: str, at, number: int) -> OutboxEntry:
    return OutboxEntry(
        id=f"{ticket_no}-{number}", ticket_no=ticket_no, to_station="S002", reason="r", operator="D1",
        expected_version=1, state=state, requested_at=at, updated_at=at,
    )


def _fill(engine, now, open_dated: int, open_undated: int) -> None:
    rows = [station(), station("S002", "城西供电所", "rural", "cxgds")]
    for index in range(open_dated):
        rows.append(ticket(now - timedelta(hours=index % 40), escalated=index % 7 == 0, summary=None if index % 5 else "停电"))
    for index in range(open_undated):
        rows.append(ticket(now - timedelta(minutes=index), due_at=None, station_code="S002", reopen_count=1))
    for _ in range(30):
        rows.append(ticket(now - timedelta(days=3), resolved_at=now - timedelta(days=2), status="resolved"))
    numbers = [row.ticket_no for row in rows[2:12]]
    add_all(engine, *rows)
    with Session(engine) as session:
        for number, ticket_no in enumerate(numbers):
            session.add(_outbox(ticket_no, "failed", now - timedelta(minutes=30), number))
            session.add(_outbox(ticket_no, "pending", now - timedelta(minutes=5), number + 100))
        session.commit()


@pytest.mark.parametrize(
    ("open_dated", "open_undated"),
    [(0, 0), (12, 3), (PAGE_SIZE - 2, 5), (PAGE_SIZE + 40, 4)],
    ids=["empty", "a few", "all of them just past a page", "more than a page"],
)
def test_reads_what_sqlalchemys_path_reads(sqlite_url, settings, clock, open_dated, open_undated):
    engine = make_engine(sqlite_url)
    _fill(engine, clock.now(), open_dated, open_undated)
    expected = ConsoleContext(settings, engine, clock=clock).store.live(replace(FIRST_REQUEST, kpis=False))
    engine.dispose()
    connection = connect_if_current(plain_sqlite_file(sqlite_url))
    assert connection is not None
    got = read_first_page(connection)
    connection.close()
    assert got == expected
    assert len(got.page.rows) == min(PAGE_SIZE, open_dated + open_undated)
    assert [type(value) for value in vars_of(got.page.rows[:1])] == [type(value) for value in vars_of(expected.page.rows[:1])]


def vars_of(rows) -> list:
    return [getattr(row, name) for row in rows for name in row.__slots__]


@pytest.mark.parametrize(
    "url",
    ["sqlite:///tickets.db", "sqlite:////tmp/a b/t.db", "sqlite+pysqlite:////var/lib/woq/x+y.db", "sqlite:///~/t.db"],
)
def test_a_plain_sqlite_url_is_its_file_and_its_own_label(url):
    assert plain_sqlite_file(url) is not None
    # What the head start says without SQLAlchemy is what the other path would say.
    assert resolve_database_url(url, parse_settings({})) == url
    assert describe_url(url) == url


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "sqlite:///t.db?mode=ro", "sqlite:///a%20b.db", "sqlite:////tmp/工单.db", "sqlite:////a@b.db",
     "postgresql+psycopg://postgres@127.0.0.1/test", "sqlite+aiosqlite:///t.db"],
)
def test_any_other_url_goes_through_sqlalchemy(url):
    assert plain_sqlite_file(url) is None


def _schema_at(tmp_path: Path, revision: str) -> Path:
    path = tmp_path / "t.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, revision)
    engine.dispose()
    return path


def test_steps_aside_for_a_file_it_cannot_vouch_for(tmp_path: Path):
    assert connect_if_current(tmp_path / "missing.db") is None
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("hello", encoding="utf-8")
    assert connect_if_current(not_a_database) is None
    assert connect_if_current(_schema_at(tmp_path / "old", "0002")) is None
    dropped = _schema_at(tmp_path / "dropped", "head")
    with sqlite3.connect(dropped) as connection:
        connection.execute(f"PRAGMA user_version = {DROPPED_MARK}")
    assert connect_if_current(dropped) is None  # the schema check rebuilds the indexes first


def _args(tmp_path: Path, url: str, config: str = "[console]\nlanguage = 'en'\n") -> Namespace:
    file = tmp_path / "config.toml"
    file.write_text(config, encoding="utf-8")
    return Namespace(db=url, config=str(file), lang=None)


def test_an_older_schema_is_upgraded_by_the_head_start_as_before(tmp_path: Path):
    path = _schema_at(tmp_path, "0002")
    url = f"sqlite:///{path}"
    told = answers(_args(tmp_path, url))
    kind, settings = next(told)
    assert kind == "ok" and settings.console.language == "en"
    assert next(told) == ("ok", Opened(url, url))
    kind, page = next(told)
    assert kind == "ok" and page.page.rows == []
    assert connect_if_current(path) is not None  # upgraded


def test_a_broken_config_is_the_head_starts_first_answer(tmp_path: Path, sqlite_url):
    told = list(answers(_args(tmp_path, sqlite_url, "[console]\nrefresh_seconds = 0\n")))
    assert len(told) == 1 and told[0][0] == "error"
    assert "console.refresh_seconds: Input should be greater than or equal to 1" in str(told[0][1])


CHILD = """
import json, sys
from argparse import Namespace
from woq_tui.commands.head_start import answers
told = [value for _, value in answers(Namespace(db=sys.argv[1], config=sys.argv[2], lang="zh"))]
print(json.dumps({"language": told[0].console.language, "rows": len(told[2].page.rows), "open": told[3].open,
                  "sqlalchemy": "sqlalchemy" in sys.modules}))
"""


def test_the_head_start_loads_no_sqlalchemy_for_a_current_sqlite_file(tmp_path: Path, sqlite_url, clock):
    engine = make_engine(sqlite_url)
    _fill(engine, clock.now(), 3, 1)
    engine.dispose()
    config = _args(tmp_path, sqlite_url).config
    out = subprocess.run([sys.executable, "-c", CHILD, sqlite_url, config], capture_output=True, text=True, timeout=60)
    assert json.loads(out.stdout) == {"language": "zh", "rows": 4, "open": 4, "sqlalchemy": False}, out.stderr


@pytest.mark.parametrize("warn", [{}, {"at_risk_fraction": 0.9, "at_risk_minutes": 600}])
def test_counts_what_sqlalchemys_path_counts(sqlite_url, clock, warn):
    engine = make_engine(sqlite_url)
    now = clock.now()
    _fill(engine, now, 40, 3)
    with Session(engine) as session:
        escalated = ticket(now - timedelta(hours=2), escalated=True, updated_at=now - timedelta(minutes=5))
        session.add(escalated)
        session.flush()
        session.add(TicketEvent(ticket_id=escalated.id, kind="escalated", at=now - timedelta(minutes=5), operator="A1"))
        session.commit()
    policy = parse_settings({"sla": warn}).sla_policy()
    with Session(engine) as session:
        expected = queries.kpis(session, now, policy)
    engine.dispose()
    connection = connect_if_current(plain_sqlite_file(sqlite_url))
    assert read_kpis(connection, now, policy) == expected
    connection.close()
    assert expected.escalated_today == 1 and expected.outbox_pending == 10
    assert expected.new_last_hour > 0 and expected.at_risk > 0 and expected.overdue > 0
