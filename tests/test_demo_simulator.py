"""The live simulator: arrivals and progress, one step at a time, on a frozen clock."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import event, func, select, update

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from woq_tui.config import parse_settings
from woq_tui.demo.generator import generate
from woq_tui.demo.simulator import LiveSimulator, StepResult
from woq_tui.dispatch.server import serve_in_background
from woq_tui.domain.clock import FixedClock
from woq_tui.domain.models import Ticket, TicketEvent
from woq_tui.store.db import make_engine, upgrade

POLICY = parse_settings({}).sla_policy()
ORDER = ["new", "dispatched", "accepted", "in_progress", "resolved"]


def _demo_engine(url: str, stations: int = 8, days: int = 10):
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, POLICY, seed=11, stations=stations, days=days, end=NOW)
    return engine


@pytest.fixture
def demo_engine(database_url):
    engine = _demo_engine(database_url)
    yield engine
    engine.dispose()


def _tickets(engine) -> dict[str, Ticket]:
    with engine.connect() as connection:
        return {row.ticket_no: row for row in connection.execute(select(Ticket.__table__)).all()}


def _events(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(select(TicketEvent.__table__).order_by(TicketEvent.id)).all()


def test_a_step_adds_tickets_and_moves_open_ones_on(demo_engine):
    clock = FixedClock(NOW)
    simulator = LiveSimulator(demo_engine, POLICY, clock, seed=5, speed=120, interval_seconds=5)
    before, events_before = _tickets(demo_engine), len(_events(demo_engine))
    results: list[StepResult] = []
    for _ in range(6):
        clock.advance(timedelta(seconds=5))
        results.append(simulator.step(clock.now()))
    # Each step plays 5 s x 120 = 10 simulated minutes: at 10:00 with 8 stations, a
    # few arrivals and a handful of changes over the six steps.
    created = [number for result in results for number in result.created]
    changed = [change for result in results for change in result.changed]
    assert created and changed
    after = _tickets(demo_engine)
    assert after.keys() == before.keys() | set(created)
    for number in created:
        ticket = after[number]
        assert ticket.version >= 1 and ticket.dispatch_count <= 1
        assert ticket.created_at <= ticket.updated_at <= clock.now()
        assert ticket.due_at == POLICY.due_at(ticket.type, _area(demo_engine, ticket.station_code), ticket.created_at)
        assert number[:8] == (ticket.created_at + timedelta(hours=8)).strftime("%Y%m%d")
    paths: dict[str, list[str]] = defaultdict(list)
    for number, what in changed:
        paths[number].append(what)
    for number, old in before.items():
        new, path = after[number], paths.get(number, [])
        # One version step per change, and nothing changed without one.
        assert new.version - old.version == len(path)
        assert (new.updated_at > old.updated_at) == bool(path)
        if old.resolved_at is None and path:  # an open ticket only moves forward
            assert set(path) <= set(ORDER) | {"escalated", "closed", "updated", "surveyed"}
            assert ORDER.index(new.status if new.status in ORDER else "resolved") >= ORDER.index(old.status)
            if new.status in ("accepted", "in_progress", "resolved") and old.status in ("new", "dispatched"):
                assert new.first_response_at is not None
            if "resolved" in path:
                assert new.resolved_at is not None and old.resolved_at is None
    assert any(before[number].resolved_at is None for number in paths if number in before)
    # One event per change: created, dispatched, responded, resolved, escalated.
    new_events = _events(demo_engine)[events_before:]
    assert len(new_events) == len(created) + len([c for c in changed if c[1] != "in_progress"])
    assert {event.operator for event in new_events} == {"SIM"}
    assert all(event.at <= clock.now() for event in new_events)


def _area(engine, code: str) -> str:
    with engine.connect() as connection:
        from woq_tui.domain.models import Station

        return connection.execute(select(Station.area_type).where(Station.code == code)).scalar_one()


def test_the_same_seed_and_steps_give_the_same_changes(tmp_path):
    engines = [_demo_engine(f"sqlite:///{tmp_path / name}", stations=5, days=5) for name in ("a.db", "b.db")]
    try:
        outcomes = []
        for engine in engines:
            clock = FixedClock(NOW)
            simulator = LiveSimulator(engine, POLICY, clock, seed=9, speed=300)
            steps = []
            for _ in range(5):
                clock.advance(timedelta(seconds=5))
                steps.append(simulator.step(clock.now()))
            outcomes.append((steps, _tickets(engine), [tuple(e)[1:] for e in _events(engine)]))
        assert outcomes[0] == outcomes[1]
        kinds = {what for step in outcomes[0][0] for _number, what in step.changed}
        assert any(step.created for step in outcomes[0][0]) and {"dispatched", "surveyed", "closed"} <= kinds
    finally:
        for engine in engines:
            engine.dispose()


def test_arrivals_follow_the_hour_of_day(tmp_path):
    engine = _demo_engine(f"sqlite:///{tmp_path / 'hours.db'}", stations=20, days=2)
    try:

        def arrivals(start) -> int:
            clock = FixedClock(start)
            simulator = LiveSimulator(engine, POLICY, clock, seed=4, speed=60)
            total = 0
            for _ in range(20):
                clock.advance(timedelta(seconds=10))
                total += len(simulator.step(clock.now()).created)
            return total

        # 03:00 and 10:30 Shanghai time, one simulated 200 minutes each.
        night = arrivals(NOW + timedelta(hours=17))
        morning = arrivals(NOW + timedelta(days=1, hours=0, minutes=30))
        assert morning > 3 * max(night, 1)
    finally:
        engine.dispose()


def test_a_long_pause_is_not_replayed(demo_engine):
    clock = FixedClock(NOW)
    simulator = LiveSimulator(demo_engine, POLICY, clock, seed=2, speed=1, max_gap=timedelta(minutes=10))
    simulator.step(clock.now())
    clock.advance(timedelta(days=3))
    result = simulator.step(clock.now())
    # At most ten minutes are played: at this rate about one arrival, never hundreds.
    assert len(result.created) < 10


def test_the_background_thread_steps_until_stopped(demo_engine):
    clock = FixedClock(NOW)
    stepped = threading.Event()
    simulator = LiveSimulator(demo_engine, POLICY, clock, seed=1, on_step=lambda result: stepped.set())
    simulator.start(interval_seconds=0.01)
    try:
        assert simulator.running
        assert stepped.wait(timeout=10)
    finally:
        simulator.stop()
    assert not simulator.running and simulator.steps >= 1 and simulator.errors == 0


def _reopen_all_closed(engine) -> list[int]:
    """Make every archived ticket of a generated database resolved and unsurveyed again:
    a population of a realistic mix of types and areas waiting for after-care."""
    t = Ticket.__table__.c
    with engine.begin() as connection:
        ids = list(connection.execute(select(t.id).where(t.status == "closed")).scalars())
        connection.execute(
            update(Ticket.__table__)
            .where(t.status == "closed")
            .values(status="resolved", closed_at=None, satisfaction=None, reopen_count=0, updated_at=NOW)
        )
    return ids


def test_resolved_tickets_are_surveyed_reopened_and_archived(tmp_path):
    engine = _demo_engine(f"sqlite:///{tmp_path / 'care.db'}", stations=20, days=12)
    try:
        population = set(_reopen_all_closed(engine))
        assert len(population) > 1500
        clock = FixedClock(NOW)
        # 5 s x 720 = one simulated hour a step; 120 steps = five days.
        simulator = LiveSimulator(engine, POLICY, clock, seed=3, speed=720, interval_seconds=5)
        seen: dict[str, list[str]] = defaultdict(list)
        checked_reopen = False
        for _ in range(120):
            clock.advance(timedelta(seconds=5))
            result = simulator.step(clock.now())
            assert result.skipped == 0
            for number, what in result.changed:
                seen[what].append(number)
                if what == "reopened" and not checked_reopen:
                    # Back in the open queue at once: in progress, resolution cleared.
                    ticket = _tickets(engine)[number]
                    assert ticket.status == "in_progress" and ticket.resolved_at is None and ticket.closed_at is None
                    assert ticket.reopen_count >= 1 and ticket.updated_at == clock.now()
                    checked_reopen = True
        assert checked_reopen
        tickets = [ticket for ticket in _tickets(engine).values() if ticket.id in population]
        closed = [ticket for ticket in tickets if ticket.status == "closed"]
        # Archiving: a mean of 18 simulated hours, so after five days nearly all.
        assert len(closed) > 0.95 * len(tickets)
        assert all(ticket.closed_at is not None and ticket.resolved_at <= ticket.closed_at for ticket in closed)
        # The survey call comes first for about 72 % of them (the generator's share).
        surveyed = sum(ticket.satisfaction is not None for ticket in closed) / len(closed)
        assert 0.66 < surveyed < 0.80
        answers = {ticket.satisfaction for ticket in closed} - {None}
        assert answers == {"satisfied", "basically_satisfied", "unsatisfied"}
        # Reopenings: 1.5 % (4 % of complaints), more when the customer was unsatisfied.
        reopened = [ticket for ticket in tickets if ticket.reopen_count]
        assert 0.01 < len(reopened) / len(tickets) < 0.07
        assert len(seen["reopened"]) == sum(ticket.reopen_count for ticket in tickets) + sum(
            1 for number in seen["reopened"] if _tickets(engine)[number].id not in population
        )
        # Every change left its event, by the simulator, at the step's instant.
        with engine.connect() as connection:
            kinds = dict(
                connection.execute(
                    select(TicketEvent.kind, func.count())
                    .where(TicketEvent.operator == "SIM", TicketEvent.kind.in_(["closed", "reopened", "updated"]))
                    .group_by(TicketEvent.kind)
                ).all()
            )
            notes = set(
                connection.execute(select(TicketEvent.note).where(TicketEvent.kind == "updated")).scalars()
            )
        assert kinds == {"closed": len(seen["closed"]), "reopened": len(seen["reopened"]), "updated": len(seen["surveyed"])}
        assert notes == {"回访：满意", "回访：基本满意", "回访：不满意"}
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("fields", "then"),
    [
        (dict(status="resolved", resolved_at=NOW - timedelta(hours=1)), "surveyed"),
        (dict(status="new", dispatch_count=0), "dispatched"),
    ],
    ids=["resolved", "open"],
)
def test_a_concurrent_reassignment_wins_over_the_simulator(engine, monkeypatch, fields, then):
    """The dispatch API reassigns the ticket between the simulator's read and its UPDATE:
    the simulator's change is dropped (skipped), the reassignment stays, and the next
    step changes the ticket on top of it."""
    token = "simulator-race-token-0123456789"
    monkeypatch.setenv("WOQ_DISPATCH_TOKEN", token)
    add_all(engine, station("S001"), station("S002", "东丽城西供电所", initials="dlcx"))
    add_all(engine, ticket(NOW - timedelta(hours=5), ticket_no="R0001", **fields))
    target = _tickets(engine)["R0001"]
    clock = FixedClock(NOW)
    raced: list[int] = []

    def reassign_first(connection, cursor, statement, parameters, context, executemany) -> None:
        # Before the simulator's first write of the step, so it holds no lock yet.
        if not statement.startswith("UPDATE ticket") or raced:
            return
        raced.append(context.compiled_parameters[0]["id_1"])
        answer = httpx.post(
            f"{handle.url}/tickets/R0001/reassign",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race-1"},
            json={
                "to_station": "S002",
                "reason": "辖区调整",
                "operator": "D1023",
                "expected_version": 1,
                "requested_at": NOW.isoformat(),
            },
            timeout=30,
        )
        assert answer.status_code == 200, answer.text

    # Enough simulated time that the ticket surely moves: a survey, a dispatch.
    simulator = LiveSimulator(engine, POLICY, clock, seed=1, speed=12_000, interval_seconds=5)
    with serve_in_background(engine, token=token, clock=clock) as handle:
        event.listen(engine, "before_cursor_execute", reassign_first)
        try:
            result = simulator.step(clock.now())
        finally:
            event.remove(engine, "before_cursor_execute", reassign_first)
    assert raced == [target.id]
    assert result.skipped == 1 and "R0001" not in {number for number, _what in result.changed}
    # Exactly the reassignment: its station, one version step, its event only.
    after = _tickets(engine)["R0001"]
    assert (after.station_code, after.version, after.status, after.satisfaction) == (
        "S002",
        2,
        target.status,
        target.satisfaction,
    )
    kinds = [(e.kind, e.operator) for e in _events(engine) if e.ticket_id == target.id]
    assert kinds == [("reassigned", "D1023")]
    # The next step reads the new version and goes on from there.
    clock.advance(timedelta(seconds=5))
    result = simulator.step(clock.now())
    assert [what for number, what in result.changed if number == "R0001"] == [then]
    after = _tickets(engine)["R0001"]
    assert (after.station_code, after.version) == ("S002", 3)
