"""Every rule of docs/audit.md on hand-built tickets, each at its boundary (exactly at the
threshold, one unit past), on SQLite and PostgreSQL (the `engine` fixture runs both)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.audit_support import IN_PERIOD, audit_settings, flags, minutes, numbers, stations
from tests.conftest import NOW
from tests.factories import add_all, ticket

T = IN_PERIOD
S = timedelta(seconds=1)


@pytest.fixture
def db(engine):
    stations(engine)
    return engine


def test_missing_summary_counts_trimmed_characters(db):
    add_all(
        db,
        ticket(T, ticket_no="four", summary="停电报修"),
        ticket(T, ticket_no="three", summary="停电报"),
        ticket(T, ticket_no="padded", summary=" \u3000停电报\t "),
        ticket(T, ticket_no="padded4", summary="\u3000停电报修\u3000"),
        ticket(T, ticket_no="none", summary=None),
        ticket(T, ticket_no="blank", summary=" \n "),
    )
    assert numbers(db, "missing_summary") == {"three", "padded", "none", "blank"}
    assert flags(db, "missing_summary")[("three", "missing_summary")] == {}


def test_missing_address_on_repairs_only(db):
    add_all(
        db,
        ticket(T, ticket_no="none", address=None),
        ticket(T, ticket_no="blank", address="\u3000 "),
        ticket(T, ticket_no="given", address="金钟街3号"),
        ticket(T, ticket_no="complaint", type="complaint", address=None),
    )
    assert numbers(db, "missing_address") == {"none", "blank"}


def test_missing_arrival_of_repairs_resolved_at_as_of(db):
    add_all(
        db,
        ticket(T, ticket_no="at", resolved_at=NOW, status="resolved"),
        ticket(T, ticket_no="after", resolved_at=NOW + S, status="resolved"),
        ticket(T, ticket_no="arrived", resolved_at=NOW, arrived_at=T + minutes(30), status="resolved"),
        ticket(T, ticket_no="complaint", type="complaint", resolved_at=NOW, status="resolved"),
    )
    assert numbers(db, "missing_arrival") == {"at"}


def test_missing_contact_of_complaints_resolved_at_as_of(db):
    add_all(
        db,
        ticket(T, ticket_no="at", type="complaint", resolved_at=NOW),
        ticket(T, ticket_no="after", type="complaint", resolved_at=NOW + S),
        ticket(T, ticket_no="contacted", type="complaint", resolved_at=NOW, first_response_at=T + minutes(5)),
        ticket(T, ticket_no="repair", resolved_at=NOW),
    )
    assert numbers(db, "missing_contact") == {"at"}


def test_missing_survey_after_survey_days(db):
    closed = NOW - timedelta(days=3)
    add_all(
        db,
        ticket(T, ticket_no="at", closed_at=closed, status="closed"),
        ticket(T, ticket_no="later", closed_at=closed + S, status="closed"),
        ticket(T, ticket_no="empty", type="complaint", closed_at=closed, satisfaction=" ", status="closed"),
        ticket(T, ticket_no="surveyed", closed_at=closed, satisfaction="satisfied", status="closed"),
        ticket(T, ticket_no="consult", type="consultation", closed_at=closed, status="closed"),
    )
    assert numbers(db, "missing_survey") == {"at", "empty"}
    assert numbers(db, "missing_survey", settings=audit_settings(survey_days=0)) == {"at", "later", "empty"}


def test_status_mismatch_and_its_evidence(db):
    add_all(
        db,
        ticket(T, ticket_no="open_resolved", status="in_progress", resolved_at=NOW),
        ticket(T, ticket_no="resolved_later", status="in_progress", resolved_at=NOW + S),
        ticket(T, ticket_no="done_unresolved", status="closed", resolved_at=None, closed_at=T),
        ticket(T, ticket_no="closed_not_closed", status="resolved", resolved_at=T, closed_at=T + S),
        ticket(T, ticket_no="fine", status="closed", resolved_at=T, closed_at=T + S),
        ticket(T, ticket_no="fine_open", status="dispatched"),
    )
    found = flags(db, "status_mismatch")
    assert {no for no, _ in found} == {"open_resolved", "done_unresolved", "closed_not_closed"}
    assert found[("open_resolved", "status_mismatch")] == {"status": "in_progress", "resolved_at": NOW, "closed_at": None}


def test_time_order_names_the_first_pair_out_of_order(db):
    d = T + minutes(5)
    add_all(
        db,
        ticket(T, ticket_no="arrived_early", dispatched_at=d, arrived_at=d - S, resolved_at=d - 2 * S),
        ticket(T, ticket_no="equal", dispatched_at=d, arrived_at=d, resolved_at=d, closed_at=d),
        ticket(T, ticket_no="closed_early", dispatched_at=d, resolved_at=d + S, closed_at=d),
        ticket(T, ticket_no="no_pair", dispatched_at=None, arrived_at=d - S),
    )
    found = flags(db, "time_order")
    assert {no for no, _ in found} == {"arrived_early", "closed_early"}
    assert found[("arrived_early", "time_order")] == {"pair": ["dispatched_at", "arrived_at"], "dispatched_at": d, "arrived_at": d - S}
    assert found[("closed_early", "time_order")]["pair"] == ["resolved_at", "closed_at"]


def test_too_fast_complaints_within_the_minutes(db):
    add_all(
        db,
        ticket(T, ticket_no="at", type="complaint", resolved_at=T + minutes(10)),
        ticket(T, ticket_no="past", type="complaint", resolved_at=T + minutes(10) + S),
        ticket(T, ticket_no="repair", resolved_at=T + minutes(1)),
        ticket(T, ticket_no="open", type="complaint"),
    )
    found = flags(db, "too_fast")
    assert set(found) == {("at", "too_fast")} and found[("at", "too_fast")] == {"minutes": 10.0}
    assert numbers(db, "too_fast", settings=audit_settings(too_fast_minutes=0)) == set()


def test_due_mismatch_against_the_configured_limits(db):
    # Friday 20th 10:00 local: a complaint's 4 working days end Thursday 26th 10:00
    complaint_due = datetime(2026, 11, 26, 2, 0, tzinfo=T.tzinfo)
    add_all(
        db,
        ticket(T, ticket_no="repair_ok", due_at=T + minutes(225) + minutes(1)),
        ticket(T, ticket_no="repair_late", due_at=T + minutes(225) + minutes(1) + S),
        ticket(T, ticket_no="repair_early", due_at=T + minutes(225) - minutes(1) - S),
        ticket(T, ticket_no="rural_ok", station_code="S002", due_at=T + minutes(330)),
        ticket(T, ticket_no="rural_as_urban", station_code="S002", due_at=T + minutes(225)),
        ticket(T, ticket_no="complaint_ok", type="complaint", due_at=complaint_due),
        ticket(T, ticket_no="complaint_off", type="complaint", due_at=complaint_due + timedelta(days=1)),
        ticket(T, ticket_no="no_due", due_at=None),
    )
    found = flags(db, "due_mismatch")
    assert {no for no, _ in found} == {"repair_late", "repair_early", "rural_as_urban", "complaint_off"}
    assert found[("complaint_off", "due_mismatch")] == {"expected_due_at": complaint_due}
    assert found[("rural_as_urban", "due_mismatch")] == {"expected_due_at": T + minutes(330)}
    overridden = audit_settings()
    overridden.sla.limits = {}
    from woq_tui.config import parse_settings

    longer = parse_settings({"sla": {"limits": {"repair": {"rural": {"resolve_minutes": 225}}}}})
    assert "rural_as_urban" not in numbers(db, "due_mismatch", settings=longer)


def test_due_mismatch_reads_each_periods_own_calendar_from_one_engine(db):
    # The working-day shift is SQL text written per period (store/audit/due.py,
    # ShiftTree) and compiled statements are cached: a period's statement must never
    # be reused for another. A Friday's complaint is due 6 days later (the weekend),
    # a Monday's 4 days later; each period alone holds one run of days.
    from tests.audit_support import SHANGHAI
    from woq_tui.domain.periods import days_period

    friday, monday = T, T + timedelta(days=3)
    add_all(
        db,
        ticket(friday, ticket_no="friday", type="complaint", due_at=friday + timedelta(days=6)),
        ticket(monday, ticket_no="monday", type="complaint", due_at=monday + timedelta(days=4)),
    )
    on_friday = days_period(friday.astimezone(SHANGHAI).date(), friday.astimezone(SHANGHAI).date(), SHANGHAI)
    on_monday = days_period(monday.astimezone(SHANGHAI).date(), monday.astimezone(SHANGHAI).date(), SHANGHAI)
    for _ in range(2):
        assert numbers(db, "due_mismatch", period=on_friday) == set()
        assert numbers(db, "due_mismatch", period=on_monday) == set()


def test_repeat_call_within_the_window_by_normalised_phone(db):
    week = timedelta(days=7)
    add_all(
        db,
        ticket(T - week, ticket_no="A_edge", customer_phone="+86 138-0000-0001"),
        ticket(T - week - S, ticket_no="A_before", customer_phone="13800000001"),
        ticket(T - minutes(1), ticket_no="A_newer", customer_phone="0086 13800000001", type="complaint"),
        ticket(T, ticket_no="A_now", customer_phone="13800000001"),
        ticket(T, ticket_no="A_same_second", customer_phone="138 0000 0001"),
        ticket(T - minutes(5), ticket_no="B_short", customer_phone="123456"),
        ticket(T, ticket_no="B_short2", customer_phone="123456"),
        ticket(T, ticket_no="C_alone", customer_phone="13900000009"),
    )
    found = flags(db, "repeat_call")
    assert found[("A_now", "repeat_call")] == {"earlier": ["A_newer", "A_edge"]}
    assert found[("A_same_second", "repeat_call")] == {"earlier": ["A_newer", "A_edge"]}
    # A_before lies a second outside A_now's window, inside A_newer's and A_edge's
    assert found[("A_newer", "repeat_call")] == {"earlier": ["A_edge", "A_before"]}
    assert set(found) == {("A_now", "repeat_call"), ("A_same_second", "repeat_call"), ("A_newer", "repeat_call"),
                          ("A_edge", "repeat_call")}  # fmt: skip
    assert found[("A_edge", "repeat_call")] == {"earlier": ["A_before"]}
    assert numbers(db, "repeat_call", settings=audit_settings(repeat_days=1)) == {"A_now", "A_same_second", "A_edge"}


def test_repeat_fault_repairs_at_the_same_address(db):
    add_all(
        db,
        ticket(T - timedelta(days=7), ticket_no="F1", address="金钟街 3号 B座", customer_phone=None),
        ticket(T - timedelta(days=1), ticket_no="F2", address="金钟街3号b座", type="complaint", customer_phone=None),
        ticket(T, ticket_no="F3", address="  金钟街3号B座\u3000", customer_phone=None),
        ticket(T, ticket_no="F4_complaint", address="金钟街3号B座", type="complaint", customer_phone=None),
        ticket(T, ticket_no="F5_other", address="金钟街4号", customer_phone=None),
        ticket(T - timedelta(days=7) - S, ticket_no="G1", address="海河路1号", customer_phone=None),
        ticket(T, ticket_no="G2", address="海河路1号", customer_phone=None),
    )
    assert flags(db, "repeat_fault") == {("F3", "repeat_fault"): {"earlier": ["F1"]}}


def test_repeat_dispatch_and_reopened_counts(db):
    add_all(
        db,
        ticket(T, ticket_no="twice", dispatch_count=2),
        ticket(T, ticket_no="once", dispatch_count=1),
        ticket(T, ticket_no="reopened", reopen_count=1),
        ticket(T, ticket_no="never", reopen_count=0),
    )
    assert flags(db, "repeat_dispatch") == {("twice", "repeat_dispatch"): {"count": 2}}
    assert flags(db, "reopened") == {("reopened", "reopened"): {"count": 1}}


def _history(code: str, stations: list[str], start, address: str = "金钟街3号"):
    return [ticket(start + minutes(i), ticket_no=f"{code}{i}", station_code=s, address=address, customer_phone=None)
            for i, s in enumerate(stations)]  # fmt: skip


def test_station_suspect_at_the_share_and_the_minimum_history(db):
    old = T - timedelta(days=300)
    add_all(
        db,
        # exactly 4 of 5 at S002 (0.8): fires on the S001 ticket after them
        *_history("a", ["S002", "S002", "S001", "S002", "S002"], old, "金钟街3号"),
        ticket(T, ticket_no="A", station_code="S001", address="金钟街 3号", customer_phone=None),
        # 3 of 4 at S002, then 4 of 5 with one at S003: the share is of all earlier ones
        *_history("b", ["S002", "S002", "S003", "S002", "S001"], old, "海河路1号"),
        ticket(T, ticket_no="B", station_code="S001", address="海河路1号", customer_phone=None),
        # only 4 earlier, all S002: too little history
        *_history("c", ["S002"] * 4, old, "卫津路9号"),
        ticket(T, ticket_no="C", station_code="S001", address="卫津路9号", customer_phone=None),
        # its own station holds them
        *_history("d", ["S001"] * 6, old, "南京路2号"),
        ticket(T, ticket_no="D", station_code="S001", address="南京路2号", customer_phone=None),
        # a sixth created in the same second as E is not earlier than it
        *_history("e", ["S002"] * 3 + ["S001"], old, "黄河道5号"),
        ticket(T, ticket_no="e_same", station_code="S002", address="黄河道5号", customer_phone=None),
        ticket(T, ticket_no="E", station_code="S001", address="黄河道5号", customer_phone=None),
    )
    found = flags(db, "station_suspect")
    assert set(found) == {("A", "station_suspect")}
    assert found[("A", "station_suspect")] == {"station": "S002", "share": 0.8, "history": 5}
    lower = audit_settings(route_threshold=0.6, route_min_history=4)
    # B: 3 of 5 at S002; C: 4 of 4; E: 3 of 4 (e_same, its own second, is not earlier)
    assert numbers(db, "station_suspect", settings=lower) == {"A", "B", "C", "E"}
