"""The address tally (migration 0014, store/address_tally.py): on PostgreSQL the rollup's
refresh keeps the count of every address with more than one ticket, and station_suspect
looks up only the cohort's addresses it leaves, or that the log holds since. It narrows
the lookups and never what is found: the same flags with and without it, before and after
a refresh, for an address that became busy after the tally was counted."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, update

from tests.audit_support import SHANGHAI, audit_settings, stations
from tests.factories import add_all, ticket
from woq_tui.config import parse_settings
from woq_tui.demo.generator import generate
from woq_tui.domain.contact_keys import address_key
from woq_tui.domain.periods import days_period
from woq_tui.store import address_tally, day_rollup
from woq_tui.store.address_tally import TALLY, TICKET
from woq_tui.store.audit import evaluate
from woq_tui.store.audit.history import Cohort, station_suspects
from woq_tui.store.day_rollup_refresh import refresh
from woq_tui.store.db import snapshot

END = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
SETTINGS = parse_settings({})


def tally(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(select(TALLY.c.address_key, TALLY.c.tickets)).all())


def direct(engine) -> dict[str, int]:
    c = TICKET.c
    query = select(c.address_key, func.count()).where(c.address_key.is_not(None)).group_by(c.address_key)
    with engine.connect() as connection:
        return {key: count for key, count in connection.execute(query) if count > 1}


def usable(engine) -> bool:
    with engine.connect() as connection:
        return address_tally.usable(connection)


def test_a_refresh_counts_the_addresses_again_that_changed_since(engine):
    generate(engine, SETTINGS.sla_policy(), seed=11, stations=6, days=40, end=END)
    assert not usable(engine), "no rollup built: the reads do not narrow"
    assert refresh(engine, SHANGHAI).rebuilt
    if engine.dialect.name != "postgresql":
        assert tally(engine) == {} and not usable(engine), "SQLite keeps no tally"
        return
    assert usable(engine)
    assert tally(engine) == direct(engine) and len(tally(engine)) > 10
    with engine.begin() as connection:
        c = TICKET.c
        ids = connection.execute(select(c.id).where(c.address_key.is_not(None)).order_by(c.id).limit(3)).scalars().all()
        connection.execute(update(TICKET).where(c.id == ids[0]).values(address_key="moved:1"))
        connection.execute(delete(TICKET).where(c.id == ids[1]))
        copy = connection.execute(select(c.address_key).where(c.id == ids[2])).scalar_one()
    add_all(engine, ticket(END, station_code="S001", address=None, address_key=copy),
            ticket(END, station_code="S001", address=None, address_key="new:1"),
            ticket(END, station_code="S002", address=None, address_key="new:1"))  # fmt: skip
    assert tally(engine) != direct(engine), "changed since the count"
    assert refresh(engine, SHANGHAI).entries > 0
    assert tally(engine) == direct(engine)
    assert tally(engine)["new:1"] == 2


@pytest.mark.postgres
def test_a_log_of_many_addresses_builds_the_tally_whole(pg_url, monkeypatch):
    """An import's log (a share of the table's addresses) is cheaper to count whole."""
    from woq_tui.store.db import make_engine

    engine = make_engine(pg_url)
    generate(engine, SETTINGS.sla_policy(), seed=12, stations=4, days=20, end=END)
    refresh(engine, SHANGHAI)
    add_all(engine, *[ticket(END, station_code="S001", address=None, address_key=f"bulk:{n // 2}") for n in range(40)])
    built: list[bool] = []
    monkeypatch.setattr(address_tally, "REBUILD_RATIO", 10**9)
    monkeypatch.setattr(address_tally, "build", lambda connection, whole=address_tally.build: built.append(True) or whole(connection))
    refresh(engine, SHANGHAI)
    assert built == [True]
    assert tally(engine) == direct(engine) and tally(engine)["bulk:0"] == 2
    engine.dispose()


def _busy_after_the_count(engine) -> str:
    """An address with six tickets at S002, written after the tally was counted, and one
    at S001 inside the period: station_suspect fires on it only if the read takes the
    logged address as possibly busy."""
    old = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
    add_all(engine, *[ticket(old + timedelta(hours=n), station_code="S002", address="金钟街3号", customer_phone=None)
                      for n in range(6)])  # fmt: skip
    add_all(engine, ticket(datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc), ticket_no="MISSENT", station_code="S001",
                           address="金钟街 3号", customer_phone=None))  # fmt: skip
    return address_key("金钟街3号") or ""


@pytest.mark.postgres
def test_the_audit_finds_the_same_flags_through_the_tally(pg_url):
    from woq_tui.store.db import make_engine

    engine = make_engine(pg_url)
    stations(engine)
    add_all(engine, ticket(datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc), station_code="S003", address="卫津路9号"))
    refresh(engine, SHANGHAI)
    key = _busy_after_the_count(engine)
    assert key not in tally(engine), "counted before the address had tickets"
    period = days_period(date(2026, 11, 16), date(2026, 11, 22), SHANGHAI)
    settings = audit_settings()

    def suspects(tallied: bool) -> set[tuple]:
        with snapshot(engine) as connection:
            cohort = replace(Cohort(int(period.start.timestamp()), int(period.end.timestamp())), tallied=tallied)
            return set(connection.execute(station_suspects(cohort, settings.audit)).all())

    assert suspects(True) == suspects(False) != set(), "the logged address is looked up"
    found = evaluate(engine, period, END, settings, rules=["station_suspect"]).view.flags
    assert [(flag.ticket_no, flag.evidence["station"]) for flag in found] == [("MISSENT", "S002")]
    refresh(engine, SHANGHAI)
    assert tally(engine)[key] == 7
    assert suspects(True) == suspects(False)
    with engine.begin() as connection:  # the tally alone, as after a refresh with an empty log
        assert connection.execute(select(func.count()).select_from(address_tally.DIRTY)).scalar_one() == 0
    assert evaluate(engine, period, END, settings, rules=["station_suspect"]).view.flags == found
    engine.dispose()


@pytest.mark.postgres
def test_on_a_generated_demo_the_tally_changes_no_flag(pg_url):
    from woq_tui.store.db import make_engine

    engine = make_engine(pg_url)
    generate(engine, SETTINGS.sla_policy(), seed=7, stations=12, days=75, end=END)
    refresh(engine, SHANGHAI)
    assert usable(engine)
    found_any = False
    with snapshot(engine) as connection:
        for days, back, station in ((7, 7, None), (30, 40, None), (7, 20, "S005"), (1, 3, None)):
            start = int(END.timestamp()) - back * 86400
            cohort = Cohort(start, start + days * 86400, station=station)
            plain = set(connection.execute(station_suspects(cohort, SETTINGS.audit)).all())
            tallied = set(connection.execute(station_suspects(replace(cohort, tallied=True), SETTINGS.audit)).all())
            assert tallied == plain, (days, back, station)
            found_any = found_any or bool(plain)
    assert found_any, "the demo plants misrouted tickets in these periods"
    engine.dispose()


def test_migration_0014_builds_the_tally_with_the_next_rollup_and_goes_back(engine):
    """PostgreSQL: a rollup built before 0014 has no tally, so 0014 leaves it to be built
    again (as 0013 did) and the next build counts it; SQLite's rollup stays built. The
    downgrade removes the table and the log's column."""
    from alembic import command
    from sqlalchemy import inspect

    from woq_tui.store.db import _alembic_config, upgrade

    generate(engine, SETTINGS.sla_policy(), seed=5, stations=4, days=20, end=END)
    command.downgrade(_alembic_config(engine), "0013")
    with engine.begin() as connection:  # built as 0013 left it
        connection.execute(day_rollup.STATE.insert().values(zone=SHANGHAI.key))
    upgrade(engine)
    postgresql = engine.dialect.name == "postgresql"
    assert usable(engine) is False
    with engine.connect() as connection:
        assert (day_rollup.built_zone(connection) is None) is postgresql
    assert refresh(engine, SHANGHAI).rebuilt is postgresql
    assert tally(engine) == (direct(engine) if postgresql else {})
    assert usable(engine) is postgresql
    command.downgrade(_alembic_config(engine), "0013")
    assert "address_tally" not in inspect(engine).get_table_names()
    assert "address_key" not in {column["name"] for column in inspect(engine).get_columns("station_day_dirty")}
    upgrade(engine)
