"""The live simulator: arrivals and progress, one step at a time, on a frozen clock."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import NOW
from woq_tui.config import parse_settings
from woq_tui.demo.generator import generate
from woq_tui.demo.simulator import LiveSimulator, StepResult
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
    for number, what in changed:
        if number in before:
            old, new = before[number], after[number]
            assert new.version > old.version and new.updated_at > old.updated_at
            assert ORDER.index(new.status) >= ORDER.index(old.status)
    moved = [number for number in before if after[number].version != before[number].version]
    for number in moved:
        old, new = before[number], after[number]
        steps = ORDER.index(new.status) - ORDER.index(old.status) + (new.escalated and not old.escalated)
        assert new.version - old.version == steps >= 1
        if new.status in ("accepted", "in_progress", "resolved") and old.status in ("new", "dispatched"):
            assert new.first_response_at is not None
        if new.status == "resolved":
            assert new.resolved_at is not None and new.resolved_at == new.updated_at
    # One event per change: created, dispatched, responded, resolved, escalated.
    new_events = _events(demo_engine)[events_before:]
    assert len(new_events) >= len(created) + len([c for c in changed if c[1] != "in_progress"])
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
        assert any(step.created or step.changed for step in outcomes[0][0])
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
