"""Reviews (docs/audit.md, "Reviews"), disabled rules, the skipped classifier and the
figures of docs/audit.md, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.audit_support import IN_PERIOD, PERIOD, audit_settings, flags, stations
from tests.conftest import NOW
from tests.factories import add_all, ticket
from woq_tui.errors import ReviewError
from woq_tui.store.audit import evaluate, quality_report, review

T = IN_PERIOD


@pytest.fixture
def db(engine):
    stations(engine)
    add_all(
        engine,
        ticket(T, ticket_no="R1", reopen_count=1, dispatch_count=2, address="金钟街3号"),
        ticket(T + timedelta(minutes=1), ticket_no="R2", reopen_count=1, address="金钟街4号", station_code="S002",
               due_at=T + timedelta(minutes=331)),
        ticket(T, ticket_no="OK", address="金钟街5号", type="complaint", customer_phone="13900000000",
               due_at=None, first_response_at=T),
    )  # fmt: skip
    return engine


def test_dismissed_flags_are_left_out_and_confirmed_ones_carry_their_review(db):
    settings = audit_settings()
    review(db, settings, "R1", "reopened", "dismissed", "客户误操作", NOW)
    confirmed = review(db, settings, "R2", "reopened", "confirmed", None, NOW, operator="D2046")
    assert (confirmed.verdict, confirmed.operator, confirmed.note) == ("confirmed", "D2046", None)
    view = evaluate(db, PERIOD, NOW, settings, rules=["reopened", "repeat_dispatch"]).view
    by_key = {(f.ticket_no, f.rule): f for f in view.flags}
    assert set(by_key) == {("R1", "repeat_dispatch"), ("R2", "reopened")}
    assert by_key[("R2", "reopened")].review == confirmed and by_key[("R1", "repeat_dispatch")].review is None
    # a new review replaces the old: confirmed after all
    review(db, settings, "R1", "reopened", "confirmed", "复核后确认", NOW + timedelta(minutes=1))
    again = {(f.ticket_no, f.rule): f for f in evaluate(db, PERIOD, NOW, settings, rules=["reopened"]).view.flags}
    assert again[("R1", "reopened")].review.note == "复核后确认"
    assert again[("R1", "reopened")].review.at == NOW + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("ticket_no", "rule", "verdict", "key"),
    [
        ("NOPE", "reopened", "confirmed", "audit.review.unknown_ticket"),
        ("R1", "no_rule", "confirmed", "audit.review.unknown_rule"),
        ("R1", "reopened", "maybe", "audit.review.unknown_verdict"),
        ("OK", "reopened", "dismissed", "audit.review.no_flag"),
        ("R1", "type_suspect", "dismissed", "audit.review.no_flag"),  # no model: never fires
    ],
)
def test_a_review_of_no_flag_is_refused_and_writes_nothing(db, ticket_no, rule, verdict, key):
    with pytest.raises(ReviewError) as caught:
        review(db, audit_settings(), ticket_no, rule, verdict, None, NOW)
    assert caught.value.key == key
    with db.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM audit_review").scalar() == 0


def test_disabled_rules_and_the_missing_model_are_skipped(db):
    settings = audit_settings(disabled=["reopened", "missing_survey"])
    evaluation = evaluate(db, PERIOD, NOW, settings)
    assert evaluation.view.skipped == ("missing_survey", "reopened", "type_suspect")
    assert evaluation.view.model is None and evaluation.notice is not None
    assert not [f for f in evaluation.view.flags if f.rule in ("reopened", "missing_survey")]
    assert ("R1", "repeat_dispatch") in flags(db, settings=settings)


def test_station_and_ticket_filters(db):
    assert {no for no, _ in flags(db, "reopened", station="S002")} == {"R2"}
    assert {no for no, _ in flags(db, "reopened", ticket_nos=["R1", "OK"])} == {"R1"}


def test_figures_by_station_type_area_and_in_total(db):
    settings = audit_settings()
    review(db, settings, "R2", "reopened", "dismissed", None, NOW)
    report = quality_report(db, PERIOD, NOW, settings)
    totals = report.totals
    # R1: reopened, repeat_dispatch, repeat_call; R2: only repeat_call of R1's phone; OK: none
    assert (totals.tickets, totals.flagged) == (3, 2)
    assert totals.quality_pass_rate == 1 - 2 / 3
    assert totals.flags_by_rule["reopened"] == 1 and totals.flags_by_rule["repeat_dispatch"] == 1
    assert totals.flags_by_rule["repeat_call"] == 1 and "type_suspect" not in totals.flags_by_rule
    assert report.by_station["S001"].flagged == 1 and report.by_station["S002"].flagged == 1
    assert report.by_type["complaint"] == report.by_station["S001"].__class__(1, 0, 1.0, {r: 0 for r in totals.flags_by_rule})
    assert report.by_area["rural"].tickets == 1 and report.by_area["urban"].tickets == 2
    assert report.skipped == ("type_suspect",)


def test_a_wide_cohort_read_by_a_scan_finds_the_same_flags(db, monkeypatch):
    """SQLite reads a cohort of most of the table by a scan (flags.wide_cohort): only
    how it is read changes, never what is found; PostgreSQL never takes this path."""
    from woq_tui.store.audit import flags as flag_module

    wide = flags(db)
    monkeypatch.setattr(flag_module, "WIDE_SHARE", 1.0)  # never wide
    assert flags(db) == wide and len(wide) >= 4


def _wait_until_blocked(engine, count: int) -> None:
    """PostgreSQL: until `count` backends wait on a lock (the reviews queued behind the
    holder). SQLite shows no waiters; its reviews queue on the busy timeout either way."""
    if engine.dialect.name != "postgresql":
        return
    import time

    with engine.connect() as watcher:
        while watcher.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).scalar_one() < count:
            time.sleep(0.01)  # polling a condition the server reports, not a guess at timing


def test_two_reviews_of_one_flag_at_once_both_succeed_and_the_later_stands(db):
    import threading

    settings = audit_settings()
    done: dict[str, object] = {}

    def reviewer(name: str, verdict: str) -> None:
        try:
            done[name] = review(db, settings, "R1", "reopened", verdict, name, NOW, operator=name)
        except Exception as exc:
            done[name] = exc

    with db.connect() as holder:  # holds the review table's write lock until both wait
        if db.dialect.name == "postgresql":
            holder.exec_driver_sql("BEGIN")
            holder.exec_driver_sql("LOCK TABLE audit_review IN EXCLUSIVE MODE")
        else:
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        threads = [threading.Thread(target=reviewer, args=(n, v)) for n, v in (("A", "confirmed"), ("B", "dismissed"))]
        for thread in threads:
            thread.start()
        _wait_until_blocked(db, 2)
        holder.rollback()
    for thread in threads:
        thread.join()
    assert not [value for value in done.values() if isinstance(value, Exception)], done
    with db.connect() as connection:
        rows = connection.exec_driver_sql("SELECT operator, verdict FROM audit_review WHERE ticket_no = 'R1'").all()
    assert len(rows) == 1 and rows[0][1] == {"A": "confirmed", "B": "dismissed"}[rows[0][0]]
