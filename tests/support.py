"""What many test modules share: settling the app after keys, reading what a list
shows, and the data sets the screens are tried on."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

from sqlmodel import Session, select

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.domain.models import OutboxEntry
from woq_tui.i18n import set_language
from woq_tui.store.db import make_engine

H = timedelta(hours=1)
M = timedelta(minutes=1)


async def settle(pilot) -> None:
    """Run the workers the last keys started, and the answers they posted, until none
    is left running."""
    await pilot.pause()
    for _ in range(10):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return


def shown(app) -> list[str]:
    """The ticket numbers the current list holds, in order."""
    return [row.ticket_no for row in app.screen.window]


def build_data(engine) -> None:
    """Three stations, twelve open tickets at known distances from NOW, one resolved."""
    add_all(
        engine,
        station("S001", "东丽城东供电所", "urban", "dlcd"),
        station("S002", "西青农村供电所", "rural", "xqnc"),
        station("S003", "汉沽边远供电所", "remote", "hgby"),
    )
    kinds = ["repair", "complaint", "consultation", "report"]
    statuses = ["new", "dispatched", "accepted", "in_progress"]
    summaries = [
        "小区停电，整栋楼没电已经三个小时，居民多次来电催促",
        "投诉抢修人员态度差",
        "咨询峰谷电价",
        "举报窃电",
    ]
    rows = [
        ticket(
            NOW - (i + 1) * H,
            ticket_no=f"9559820261126{i:04d}",
            type=kinds[i % 4],
            station_code=f"S00{i % 3 + 1}",
            status=statuses[i % 4],
            due_at=NOW + (30 * i - 100) * M,
            summary=summaries[i % 4],
            address=f"天津市第{i}大街",
            escalated=i % 5 == 0,
            dispatch_count=2 if i % 4 == 0 else 1,
            reopen_count=1 if i == 7 else 0,
            customer_phone=f"1381234{i:04d}",
        )
        for i in range(12)
    ]
    rows.append(
        ticket(NOW - 9 * H, ticket_no="95598202611269999", resolved_at=NOW - 2 * H, status="resolved",
               due_at=NOW - 5 * H)
    )
    add_all(engine, *rows)


STATIONS = [
    ("S001", "东丽城东供电所", "urban"),
    ("S002", "宁河农村供电所", "rural"),
    ("S003", "蓟州山区供电所", "remote"),
    ("S004", "河西供电所", "urban"),
    ("S005", "静海供电所", "rural"),
]


def fill_weeks(engine, seed: int = 42) -> None:
    """Three weeks of tickets up to the frozen NOW, stations of different quality."""
    rng = random.Random(seed)
    add_all(engine, *(station(code, name, area) for code, name, area in STATIONS))
    slowness = {"S001": 0.5, "S002": 1.4, "S003": 2.2, "S004": 0.8, "S005": 1.1}
    rows = []
    start = NOW - timedelta(days=17)
    for number in range(360):
        created = start + timedelta(seconds=int(number * 17 * 86400 / 360) + rng.randrange(600))
        code = STATIONS[number % 5][0]
        # the week before last, S002 was the worst; last week S005 slipped
        slow = slowness[code] * (1.6 if code == "S005" and created > NOW - timedelta(days=10) else 1.0)
        handling = timedelta(minutes=int(rng.expovariate(1 / (150 * slow))) + 10)
        resolved = created + handling
        rows.append(
            ticket(
                created,
                ticket_no=f"W{number + 1:05d}",  # fixed, so snapshots do not depend on test order
                station_code=code,
                type=rng.choice(("repair", "repair", "repair", "consultation", "complaint")),
                first_response_at=created + timedelta(minutes=rng.randrange(2, int(40 * slow) + 3)),
                resolved_at=resolved if resolved <= NOW else None,
                due_at=created + timedelta(minutes=225),
                dispatch_count=rng.choice((1, 1, 1, 2)),
                escalated=rng.random() < 0.05 * slow,
                satisfaction=rng.choice(("satisfied", "basically_satisfied", "unsatisfied", None)),
                summary=f"停电报修 {number}",
            )
        )
    add_all(engine, *rows)


def snapshot_app(database_url, settings, clock, language: str) -> WoqApp:
    set_language(language)
    settings.console.language = language
    engine = make_engine(database_url)
    fill_weeks(engine)
    return WoqApp(ConsoleContext(settings=settings, engine=engine, clock=clock, label="demo"))


async def watch(pilot, count: int, engine=None):
    """An event set once `count` entries reached a final state, and what they reached.

    The pusher starts from the app's warm-up worker, after the first frame with rows:
    settle until it is there. With `engine`, entries the pusher finished before the
    hook was in place (it runs in its own thread) count too.
    """
    app = pilot.app
    for _ in range(50):
        await settle(pilot)
        if app.outbox_pusher is not None:
            break
    done, seen = threading.Event(), {}
    inner = app.outbox_pusher.pusher.on_change

    def note(ticket_no: str, state: str) -> None:
        if state != "pending":
            seen[ticket_no] = state
            if len(seen) >= count:
                done.set()

    def hook(change):
        inner(change)
        note(change.ticket_no, change.state)

    app.outbox_pusher.pusher.on_change = hook
    if engine is not None:
        with Session(engine) as session:
            for entry in session.exec(select(OutboxEntry)).all():
                note(entry.ticket_no, entry.state)
    return done, seen
