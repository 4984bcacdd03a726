"""The outbox and its pusher against real HTTP servers on 127.0.0.1 (SQLite and
PostgreSQL): never lost, never applied twice, never given up inside its retry window."""

from __future__ import annotations

import logging
import random
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session

from tests.conftest import NOW
from tests.dispatch_support import (
    FAST,
    TOKEN,
    FailFirst,
    RunningClock,
    StallAfterApply,
    seed,
    settings_for,
    ticket_state,
)
from woq_tui.dispatch.outbox import (
    BackgroundPusher,
    OutboxCounts,
    OutboxError,
    Pusher,
    RetryPolicy,
    drop,
    find,
    give_up_at,
    list_entries,
    outbox_counts,
    push_until_settled,
    record,
    retry,
    ticket_states,
    will_retry,
)
from woq_tui.dispatch.server import bind_socket, create_app, serve_app_in_background, socket_url
from woq_tui.domain.models import OutboxEntry
from woq_tui.values.outbox import TicketRef


def refs(*numbers: str, version: int = 1, station: str = "S001") -> list[TicketRef]:
    return [TicketRef(number, station, version) for number in numbers]


def entry(engine, entry_id: str) -> OutboxEntry:
    with Session(engine) as session:
        return session.get(OutboxEntry, entry_id)


def push(engine, url, clock, **kwargs):
    """One attempt at every pending entry, as `outbox push` makes."""
    settings = settings_for(url, **kwargs.pop("dispatch", {}))
    pusher = Pusher(engine, settings, clock, policy=FAST, **kwargs)
    try:
        return pusher.push(force=True)
    finally:
        pusher.close()


def push_until_done(engine, url, **kwargs) -> list:
    """Push as `outbox push --wait` does, on a clock that runs; every change seen."""
    seen: list = []
    settings = settings_for(url, **kwargs.pop("dispatch", {}))
    pusher = Pusher(engine, settings, RunningClock(NOW), policy=FAST, on_change=seen.append, **kwargs)
    try:
        push_until_settled(pusher)
    finally:
        pusher.close()
    return seen


def test_record_writes_pending_entries_with_their_own_keys(engine, clock):
    seed(engine)
    made = record(engine, clock, refs("T0001", "T0002"), "S002", " 地址错误 ", "D1023")
    assert len({e.id for e in made}) == 2
    rows = list_entries(engine)
    assert {(r.ticket_no, r.state, r.reason, r.expected_version, r.from_station) for r in rows} == {
        ("T0001", "pending", "地址错误", 1, "S001"),
        ("T0002", "pending", "地址错误", 1, "S001"),
    }
    assert outbox_counts(engine).pending == 2


def test_record_refuses_a_blank_reason_and_skips_tickets_already_there(engine, clock):
    seed(engine)
    with pytest.raises(OutboxError):
        record(engine, clock, refs("T0001"), "S002", "   ", "D1023")
    assert record(engine, clock, refs("T0001"), "S001", "why", "D1023") == []
    assert list_entries(engine) == []


def test_success_confirms_and_applies(engine, server, clock):
    seed(engine)
    [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
    seen = []
    changes = push(engine, server.url, clock, on_change=seen.append)
    assert [c.state for c in changes] == ["confirmed"] and seen == changes
    assert changes[0].body == {"ticket_no": "T0001", "station_code": "S002", "version": 2}
    stored = entry(engine, made.id)
    assert (stored.state, stored.attempts, stored.last_error) == ("confirmed", 1, None)
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)
    assert ticket_states(engine, ["T0001", "T0002"]) == {"T0001": "confirmed"}


def test_bulk_reassignment_confirms_each_ticket(engine, server, clock):
    seed(engine, tickets=5)
    record(engine, clock, refs("T0001", "T0002", "T0003", "T0004", "T0005"), "S003", "station merged", "D1023")
    changes = push(engine, server.url, clock)
    assert [c.state for c in changes] == ["confirmed"] * 5
    assert all(ticket_state(engine, f"T000{n}") == ("S003", 2, 2, 1) for n in range(1, 6))


def test_stale_version_is_a_conflict_and_not_retried(engine, server, clock):
    seed(engine)
    [made] = record(engine, clock, refs("T0001", version=0), "S002", "wrong area", "D1023")
    [change] = push(engine, server.url, clock)
    assert change.state == "conflict"
    assert change.body == {"error": "version_conflict", "current_version": 1, "current_station": "S001"}
    stored = entry(engine, made.id)
    assert (stored.state, stored.attempts) == ("conflict", 1)
    assert "version_conflict" in stored.last_error
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


@pytest.mark.parametrize(("ticket_no", "to", "error"), [("T0404", "S002", "unknown_ticket"), ("T0001", "S404", "unknown_station")])
def test_unknown_ticket_or_station_is_refused_with_the_reason(engine, server, clock, ticket_no, to, error):
    seed(engine)
    [made] = record(engine, clock, refs(ticket_no), to, "wrong area", "D1023")
    [change] = push(engine, server.url, clock)
    assert change.state == "refused" and error in change.last_error
    assert entry(engine, made.id).attempts == 1


def test_a_bad_token_is_refused_and_never_shown(engine, clock, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    seed(engine)
    handle = serve_app_in_background(create_app(engine, TOKEN, clock))
    try:
        monkeypatch.setenv("WOQ_DISPATCH_TOKEN", "not-the-token")
        [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        [change] = push(engine, handle.url, clock)
    finally:
        handle.stop()
    assert change.state == "refused" and "unauthorized" in change.last_error
    stored = entry(engine, made.id)
    for text in (stored.last_error, stored.response, caplog.text):
        assert TOKEN not in text and "not-the-token" not in text
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


def test_the_token_is_sent_but_never_written_anywhere(engine, server, clock, caplog):
    caplog.set_level(logging.DEBUG)
    seed(engine)
    record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
    record(engine, clock, refs("T0002"), "S404", "wrong area", "D1023")
    changes = push(engine, server.url, clock)
    assert sorted(c.state for c in changes) == ["confirmed", "refused"]
    assert TOKEN not in caplog.text
    for row in list_entries(engine, confirmed_since=clock.now()):
        assert TOKEN not in f"{row.last_error} {row.response}"


def test_a_token_that_is_not_a_header_value_is_not_sent(engine, server, clock, monkeypatch):
    seed(engine)
    monkeypatch.setenv("WOQ_DISPATCH_TOKEN", f"{TOKEN}\nX-Evil: 1")
    [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
    [change] = push(engine, server.url, clock)
    assert change.state == "refused" and TOKEN not in change.last_error


def test_500_twice_then_200_is_applied_once(engine, clock, token):
    seed(engine)
    flaky = FailFirst(create_app(engine, token, clock), count=2, status=500)
    handle = serve_app_in_background(flaky)
    try:
        [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        seen = push_until_done(engine, handle.url)
    finally:
        handle.stop()
    assert [(c.state, c.attempts) for c in seen] == [("pending", 1), ("pending", 2), ("confirmed", 3)]
    assert flaky.seen == 3
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_retry_after_is_honoured_and_push_sends_at_once_whatever_it_says(engine, clock, token):
    seed(engine)
    busy = FailFirst(create_app(engine, token, clock), count=1, status=429, headers={"Retry-After": "120"})
    handle = serve_app_in_background(busy)
    try:
        [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        [change] = push(engine, handle.url, clock)
        assert change.state == "pending" and change.next_attempt_at == NOW + timedelta(seconds=120)
        assert entry(engine, made.id).next_attempt_at == NOW + timedelta(seconds=120)
        settings = settings_for(handle.url)
        pusher = Pusher(engine, settings, clock, policy=FAST)
        assert pusher.push() == [] and busy.seen == 1  # not due: the server said when
        clock.advance(timedelta(seconds=119))
        assert pusher.push() == [] and busy.seen == 1
        clock.advance(timedelta(seconds=1))
        [change] = pusher.push()  # due now
        pusher.close()
    finally:
        handle.stop()
    assert change.state == "confirmed" and busy.seen == 2


def test_a_retry_after_longer_than_the_window_is_cut_to_its_end(engine, clock, token):
    seed(engine)
    busy = FailFirst(create_app(engine, token, clock), count=1, status=503, headers={"Retry-After": str(10 * 86400)})
    handle = serve_app_in_background(busy)
    try:
        [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        [change] = push(engine, handle.url, clock, dispatch={"retry_for_minutes": 60})
    finally:
        handle.stop()
    assert change.state == "pending" and change.next_attempt_at == NOW + timedelta(minutes=60)


def test_transient_failures_stay_pending_for_the_whole_window_then_fail(engine, clock, token):
    """The issue's first finding: with max_attempts 1 to 3 and the API down, the entry
    was failed at once and nothing retried it. Now max_attempts bounds nothing here:
    the entry stays pending, due again and again, until retry_for_minutes have passed."""
    seed(engine)
    down = FailFirst(create_app(engine, token, clock), count=10**6, status=503)
    handle = serve_app_in_background(down)
    dispatch = {"max_attempts": 1, "retry_for_minutes": 90}
    try:
        [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        for attempt in range(1, 6):
            [change] = push(engine, handle.url, clock, dispatch=dispatch)
            assert (change.state, change.attempts) == ("pending", attempt)
            assert will_retry(entry(engine, made.id))
            clock.advance(timedelta(minutes=17))  # 85 minutes after the request at the end
        assert outbox_counts(engine) == OutboxCounts(pending=1)
        clock.advance(timedelta(minutes=5))  # 90 minutes: the window has passed
        [change] = push(engine, handle.url, clock, dispatch=dispatch)
        assert (change.state, change.attempts) == ("failed", 6) and "503" in change.last_error
        assert not will_retry(entry(engine, made.id))
        assert outbox_counts(engine) == OutboxCounts(failed=1)
        assert push(engine, handle.url, clock, dispatch=dispatch) == []  # nothing retries a failed entry
        # By hand: a new window from now, the same request and key.
        retried = retry(engine, clock, made.id[:8])
        assert (retried.state, retried.retrying_since, retried.requested_at) == ("pending", clock.now(), NOW)
        assert give_up_at(retried, 90) == clock.now() + timedelta(minutes=90)
        [change] = push(engine, handle.url, clock, dispatch=dispatch)
        assert change.state == "pending"  # failing again does not fail it at once
        down.left = 0
        [change] = push(engine, handle.url, clock, dispatch=dispatch)
    finally:
        handle.stop()
    assert change.state == "confirmed"
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_the_backoff_doubles_with_jitter_up_to_max_backoff_seconds(engine, clock, token):
    policy, rng = RetryPolicy(), random.Random(7)
    for attempts in range(1, 30):
        base = min(300.0, 0.5 * 2 ** (attempts - 1))
        waits = [policy.wait(attempts, 300, rng) for _ in range(50)]
        assert all(base / 2 <= wait <= base for wait in waits)
        assert max(waits) - min(waits) > base / 10  # jittered
    # The pusher schedules with it, capped by the config's max_backoff_seconds.
    seed(engine)
    down = FailFirst(create_app(engine, token, clock), count=10**6, status=500)
    handle = serve_app_in_background(down)
    try:
        [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        settings = settings_for(handle.url, max_backoff_seconds=20)
        pusher = Pusher(engine, settings, clock, policy=RetryPolicy())
        waits = []
        for _ in range(8):
            [change] = pusher.push(force=True)
            waits.append((change.next_attempt_at - clock.now()).total_seconds())
        pusher.close()
    finally:
        handle.stop()
    bases = [0.5, 1, 2, 4, 8, 16, 20, 20]
    assert all(base / 2 <= wait <= base for wait, base in zip(waits, bases)), waits


def test_server_down_then_started_the_outbox_drains(engine, clock, token):
    seed(engine)
    sock = bind_socket()  # bound, not listening: connections are refused
    url = socket_url(sock)
    made = record(engine, clock, refs("T0001", "T0002"), "S003", "wrong area", "D1023")
    settings = settings_for(url)
    confirmed = threading.Event()
    states: dict[str, str] = {}

    def seen(change):
        states[change.entry_id] = change.state
        if [states.get(e.id) for e in made] == ["confirmed", "confirmed"]:
            confirmed.set()

    pusher = Pusher(engine, settings, RunningClock(NOW), policy=FAST, on_change=seen)
    pusher.push(force=True)  # one refused connection each: still pending
    assert all(entry(engine, e.id).state == "pending" for e in made)
    assert "ConnectError" in entry(engine, made[0].id).last_error
    background = BackgroundPusher(pusher, interval=60).start()
    handle = serve_app_in_background(create_app(engine, token, clock), sock=sock)
    try:
        background.wake()
        assert confirmed.wait(30)
    finally:
        background.stop(timeout=10)
        handle.stop()
    assert all(ticket_state(engine, n) == ("S003", 2, 2, 1) for n in ("T0001", "T0002"))


def test_the_background_pusher_comes_back_when_an_entry_falls_due(engine, token):
    """Not only every `interval`: a 503 with a short backoff is retried after it, with
    nobody waking the pusher."""
    seed(engine)
    clock = RunningClock(NOW)
    flaky = FailFirst(create_app(engine, token, clock), count=2, status=503)
    handle = serve_app_in_background(flaky)
    confirmed = threading.Event()
    pusher = Pusher(
        engine,
        settings_for(handle.url),
        clock,
        policy=FAST,
        on_change=lambda change: change.state == "confirmed" and confirmed.set(),
    )
    try:
        record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        background = BackgroundPusher(pusher, interval=3600).start()
        try:
            assert confirmed.wait(30)
        finally:
            background.stop(timeout=10)
    finally:
        handle.stop()
    assert flaky.seen == 3 and ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_a_timeout_after_the_server_applied_it_is_not_applied_twice(engine, clock, token):
    seed(engine)
    stall = StallAfterApply(create_app(engine, token, clock))
    handle = serve_app_in_background(stall)
    try:
        [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        seen = push_until_done(engine, handle.url, dispatch={"timeout_seconds": 0.5})
    finally:
        handle.stop()
    assert stall.held == 1
    change = seen[-1]
    assert (change.state, change.attempts) == ("confirmed", 2)
    assert change.body["version"] == 2
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_deliver_makes_its_budget_of_attempts_and_leaves_the_entry_pending(engine, clock, token):
    """What `reassign` does: a few attempts of its own, then the outbox's business."""
    seed(engine)
    down = FailFirst(create_app(engine, token, clock), count=10**6, status=502)
    handle = serve_app_in_background(down)
    try:
        [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
        pusher = Pusher(engine, settings_for(handle.url, max_attempts=3), RunningClock(NOW), policy=FAST)
        change = pusher.deliver(made)
        pusher.close()
    finally:
        handle.stop()
    assert (change.state, change.attempts, down.seen) == ("pending", 3, 3)
    assert will_retry(entry(engine, made.id))


def test_outbox_counts_every_state_in_one_call(engine, server, clock):
    seed(engine, tickets=4)
    record(engine, clock, refs("T0001"), "S002", "ok", "D1023")
    record(engine, clock, refs("T0002", version=0), "S002", "stale", "D1023")
    record(engine, clock, refs("T0003"), "S404", "no such station", "D1023")
    push(engine, server.url, clock)
    record(engine, clock, refs("T0004"), "S003", "not pushed yet", "D1023")
    assert outbox_counts(engine) == OutboxCounts(pending=1, conflict=1, refused=1)
    counts = outbox_counts(engine, confirmed_since=NOW)
    assert counts == OutboxCounts(pending=1, conflict=1, refused=1, confirmed=1)
    assert (counts.needs_a_person, counts.unsettled) == (2, 3)
    assert outbox_counts(engine).pending == 1


def test_two_pushers_over_one_outbox_deliver_each_once(engine, server, clock):
    seed(engine, tickets=6)
    record(engine, clock, refs(*(f"T000{n}" for n in range(1, 7))), "S002", "wrong area", "D1023")
    results: list = []
    start = threading.Barrier(2)

    def run():
        start.wait()
        results.extend(push(engine, server.url, clock))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(c.ticket_no for c in results if c.state == "confirmed") == [f"T000{n}" for n in range(1, 7)]
    assert all(ticket_state(engine, f"T000{n}") == ("S002", 2, 2, 1) for n in range(1, 7))


def test_find_retry_and_drop_by_id_prefix(engine, clock):
    seed(engine)
    [made] = record(engine, clock, refs("T0001"), "S002", "wrong area", "D1023")
    assert find(engine, made.id[:6].upper()).id == made.id
    with pytest.raises(OutboxError):
        find(engine, "abc")
    with pytest.raises(OutboxError):
        find(engine, "ffffffff-none")
    dropped = drop(engine, made.id[:8])
    assert dropped.id == made.id and list_entries(engine) == []


def test_retry_refuses_answers_that_would_repeat(engine, server, clock):
    seed(engine)
    [made] = record(engine, clock, refs("T0001", version=0), "S002", "wrong area", "D1023")
    push(engine, server.url, clock)
    with pytest.raises(OutboxError, match="answered Conflict; a retry would get the same answer"):
        retry(engine, clock, made.id)
