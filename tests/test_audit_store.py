"""The console's way to the audit (ConsoleStore, AUDIT_CONTRACT.md): the period's view,
a ticket's flags, the queue's markers, reviews and their refusal for viewers."""

from __future__ import annotations

import pytest

from tests.audit_support import IN_PERIOD, PERIOD, stations
from tests.factories import add_all, ticket
from woq_tui.console_store import ConsoleStore
from woq_tui.context import ConsoleContext
from woq_tui.errors import ReadOnlyError

T = IN_PERIOD


@pytest.fixture
def store(context):
    stations(context.engine)
    add_all(context.engine, ticket(T, ticket_no="R1", reopen_count=1, address="金钟街3号"),
            ticket(T, ticket_no="OK", address="金钟街5号", customer_phone=None))  # fmt: skip
    return ConsoleStore(context)


def test_view_detail_markers_and_review(store, clock):
    now = clock.now()
    view = store.audit_view(PERIOD, now)
    assert [(f.ticket_no, f.rule) for f in view.flags] == [("R1", "reopened")]
    assert view.station_names["S001"] == "东丽城东供电所" and "type_suspect" in view.skipped
    assert [f.rule for f in store.ticket_flags("R1", now)] == ["reopened"]
    assert store.flagged_among(["R1", "OK", "NOPE"], now) == frozenset({"R1"})
    review = store.review_flag("R1", "reopened", "dismissed", "  ")
    assert (review.verdict, review.operator, review.at, review.note) == ("dismissed", "D1023", now, None)
    assert store.flagged_among(["R1"], now) == frozenset()
    by_station, totals = store.quality_by_station(PERIOD, now)
    assert (totals.tickets, totals.flagged, totals.quality_pass_rate) == (2, 0, 1.0)
    assert by_station["S001"].flags_by_rule["reopened"] == 0


@pytest.mark.parametrize("how", ["viewer", "read_only"])
def test_viewers_and_read_only_cannot_review(store, settings, engine, clock, how):
    if how == "viewer":
        settings.console.role = "viewer"
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, read_only=how == "read_only")
    with pytest.raises(ReadOnlyError):
        ConsoleStore(context).review_flag("R1", "reopened", "dismissed", None)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM audit_review").scalar() == 0
