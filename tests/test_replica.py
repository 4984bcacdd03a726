"""The read/write split and the lag banner on a real streaming replica (docs/replica.md,
tests/replica_support.py). Replay is paused on the replica to hold its data back:
what the product writes then is on the primary and not yet on the replica."""

from __future__ import annotations

import csv
import json
import re

import pytest
from sqlalchemy import text

from tests.factories import add_all, station, ticket
from tests.replica_support import Replica
from tests.support import build_data, settle
from woq_tui.app import WoqApp
from woq_tui.cli import main
from woq_tui.context import ConsoleContext
from woq_tui.store.db import make_engine
from woq_tui.values.live import FIRST_REQUEST
from woq_tui.widgets.app_header import AppHeader
from woq_tui.widgets.refresh import LAG_SHOWN, RefreshStatus

pytestmark = pytest.mark.postgres

SIZE = (140, 36)
HEADER = ["ticket_no", "type", "station_code", "station_name", "area_type", "created_at", "dispatched_at",
          "resolved_at", "summary", "customer_phone"]  # fmt: skip
NEW_TICKET = ["R0001", "投诉", "S01", "东丽城东供电所", "城区", "2026-11-25 09:05", "", "", "抢修太慢", ""]


@pytest.fixture
def split(replica: Replica, pg_url, settings, clock):
    """The console's context on the test's database: the primary, and its replica
    for the reads (the database is on the replica once the replica has replayed it)."""
    replica.wait_replayed()
    context = ConsoleContext(settings, make_engine(pg_url), read_url=replica.url_of(pg_url), clock=clock, label="test")
    yield context
    context.dispose()


def _live_tickets(context: ConsoleContext) -> set[str]:
    result = context.store.live(FIRST_REQUEST)
    assert result.page is not None
    return {row.ticket_no for row in result.page.rows}


def _on_primary(context: ConsoleContext, ticket_no: str) -> bool:
    with context.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM ticket WHERE ticket_no = :n"), {"n": ticket_no}).scalar_one() == 1


def test_reads_come_from_the_replica_and_writes_go_to_the_primary(replica, split, pg_url, tmp_path, capsys):
    add_all(split.engine, station("S01"), ticket(split.clock.now(), ticket_no="A0001", station_code="S01"))
    replica.wait_replayed()
    assert _live_tickets(split) == {"A0001"}
    config = tmp_path / "config.toml"
    config.write_text(
        f'[console]\nlanguage = "en"\n[database]\nurl = "{pg_url}"\nread_url = "{replica.url_of(pg_url)}"\n',
        encoding="utf-8",
    )
    source = tmp_path / "new.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER, NEW_TICKET])

    with replica.replay_paused():
        # a write through the product, configured with the replica: it goes to the primary
        # (the replica would refuse it: a hot standby is read-only)
        assert main(["import", str(source), "--config", str(config), "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["inserted"] == 1
        assert _on_primary(split, "R0001")
        assert _live_tickets(split) == {"A0001"}  # the replica has not replayed it yet
        assert split.store.kpis().open == 1
        # what the console wrote itself shows at once: the outbox is read on the primary
        ref = split.store.ticket_ref("R0001")
        assert ref is not None
        split.store.record_reassignment([ref], "S02", "wrong station")
        assert [entry.ticket_no for entry in split.store.outbox_entries()] == ["R0001"]
        assert split.store.outbox_marks(["R0001"])["R0001"].state == "pending"

    replica.wait_replayed()
    assert _live_tickets(split) == {"A0001", "R0001"}
    result = split.store.live(FIRST_REQUEST)
    assert result.marks["R0001"].state == "pending"


async def test_the_header_shows_the_replicas_delay_while_it_lags(replica, split):
    build_data(split.engine)
    replica.wait_replayed()
    app = WoqApp(split)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = app.screen.query_one(AppHeader)
        assert "Refreshed" in header.refreshed and "behind" not in header.refreshed
        with replica.replay_paused():
            urged = split.store.urge(["95598202611260000"])  # a write on the primary
            assert urged.urged == ["95598202611260000"]
            replica.wait_until(lambda: replica.lag() >= LAG_SHOWN, f"the replica to be {LAG_SHOWN} s behind")
            app.screen.query_one(RefreshStatus).fetch()
            await settle(pilot)
            shown = re.search(r"Data (\d+) s behind · Refreshed", header.refreshed)
            assert shown is not None and int(shown.group(1)) >= LAG_SHOWN
            assert shown.group(0) in str(header.render())
        replica.wait_replayed()
        app.screen.query_one(RefreshStatus).fetch()
        await settle(pilot)
        assert "behind" not in header.refreshed and "Refreshed" in header.refreshed


def _report_tickets(config, capsys) -> int:
    argv = ["--config", str(config), "report", "--format", "json", "--from", "2026-11-16", "--to", "2026-11-23",
            "--as-of", "2026-11-23T10:00", "--with-audit"]  # fmt: skip
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)["totals"]["tickets"]


def test_the_report_command_reads_the_replica(replica, split, pg_url, tmp_path, capsys):
    """Its figures from the replica, its audit columns from the primary (below)."""
    created = split.clock.now().replace(day=20)
    add_all(split.engine, station("S01"), ticket(created, ticket_no="A0001", station_code="S01"))
    replica.wait_replayed()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[console]\nlanguage = "en"\n[database]\nurl = "{pg_url}"\nread_url = "{replica.url_of(pg_url)}"\n',
        encoding="utf-8",
    )
    assert _report_tickets(config, capsys) == 1
    with replica.replay_paused():
        add_all(split.engine, ticket(created, ticket_no="A0002", station_code="S01"))
        assert _report_tickets(config, capsys) == 1
    replica.wait_replayed()
    assert _report_tickets(config, capsys) == 2


def test_why_the_audit_reads_the_primary(split):
    """type_suspect writes its predictions into a temporary table: a hot standby refuses
    even that (docs/replica.md), so the audit is evaluated on the primary."""
    from sqlalchemy.exc import DBAPIError

    from woq_tui.store.audit.suspects import SUSPECTS

    with split.read_engine.connect() as connection, pytest.raises(DBAPIError, match="read-only transaction"):
        SUSPECTS.create(connection)
    with split.engine.connect() as connection:
        SUSPECTS.create(connection)  # the primary takes it
