"""The live queue under load: 1,000,000 tickets, 10,000 of them open.

Prints, with the caveat that the machine is shared:
- start to first painted queue, in a fresh process, and an empty Textual app's start
  in the same run (the ratio is the figure to watch; aim ≤ 2.5×);
- one refresh tick with 100 changed tickets: the query (worker thread) and the apply
  (UI thread), against the same query in raw sqlite3 (aim < 20 ms);
- key press to repaint: from the key event posted to the next compositor update
  rendered to segments (not pilot.press timing; docs/decisions.md), for cursor moves and for
  a sort that goes to the database (aim < 16 ms for moves);
- event-loop lag sampled every 50 ms while refreshing continuously (aim p95 < 50 ms);
- peak memory (ru_maxrss) of the console process (aim < 200 MB).

    .venv/bin/python bench/queue_bench.py [--db URL] [--tickets N] [--open N]

The database is built once by a deterministic Core bulk insert and reused.
"""

from __future__ import annotations

import time

T0 = time.time()  # before any import: the start of a child process

import argparse  # noqa: E402
import asyncio  # noqa: E402
import compileall  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import peak_rss_mb  # noqa: E402
from bench.first_frame import is_update  # noqa: E402

UTC = timezone.utc
APP_CSS = str(ROOT / "woq_tui" / "app.tcss")  # subclasses look beside their own module
END = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
DEFAULT_DB = Path(os.environ.get("WOQ_BENCH_DIR", "/tmp/woq-bench")) / "queue-1m.db"
# The CLI child's config, written by the parent (not timed)
CLI_CONFIG = DEFAULT_DB.parent / "console.toml"
TYPES = ("repair", "complaint", "consultation", "report", "suggestion", "service_request", "other")
WEIGHTS = (37, 12, 28, 3, 6, 6, 8)
LIMIT_MINUTES = {"repair": 225, "consultation": 1440}  # others: about 4 working days


# --- the database -----------------------------------------------------------------


def build(url: str, tickets: int, open_count: int, seed: int = 95598) -> bool:
    """Build the database unless it is there already; whether it was built."""
    from sqlalchemy import func, select

    from woq_tui.domain.models import Station, Ticket
    from woq_tui.store.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as connection:
        count, resolved = connection.execute(select(func.count(), func.max(Ticket.resolved_at))).one()
        # (Databases built before resolved times were kept before END are rebuilt.)
        if count == tickets and resolved is not None and resolved <= END:
            engine.dispose()
            return False
        # It deletes every ticket: never in a database it did not build (another's,
        # a province; even a delete rolled back clears PostgreSQL's visibility map).
        codes = set(connection.scalars(select(Station.code)))
        if count and codes != {f"S{index:04d}" for index in range(200)}:
            engine.dispose()
            raise SystemExit(f"{url} holds tickets the bench did not make: it builds only into an empty database or its own")
    print(f"building {tickets:,} tickets ({open_count:,} open) in {url} …", flush=True)
    rng = random.Random(seed)
    syllables = ["dong", "li", "xi", "qing", "bei", "chen", "jin", "nan", "wu", "qing", "bao", "di", "ning", "he"]
    hanzi = "东丽西青北辰津南武清宝坻宁河滨海和平河东河西南开红桥静海蓟州"
    stations = []
    for index in range(200):
        name = "".join(rng.choice(hanzi) for _ in range(4))
        stations.append(
            {
                "code": f"S{index:04d}",
                "name": f"{name}供电所",
                "area_type": ("urban", "rural", "remote")[index % 3],
                "initials": "".join(rng.choice(syllables)[0] for _ in range(4)),
            }
        )
    end = int(END.timestamp())
    span = 365 * 86400
    started = time.perf_counter()
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
        connection.execute(Ticket.__table__.delete())
        connection.execute(Station.__table__.delete())
        connection.execute(Station.__table__.insert(), stations)
        batch = []
        for number in range(tickets):
            is_open = number >= tickets - open_count
            # open tickets are the newest, created over the last three days
            created = end - rng.randrange(3 * 86400) if is_open else end - 3 * 86400 - rng.randrange(span)
            kind = rng.choices(TYPES, WEIGHTS)[0]
            due = created + LIMIT_MINUTES.get(kind, 5760) * 60
            # resolved before END (the clock of the bench): nothing happens in its future
            resolved = None if is_open else min(created + rng.randrange(60, 6 * 86400), end - 60)
            batch.append(
                {
                    "ticket_no": f"95598{number:012d}",
                    "type": kind,
                    "station_code": stations[rng.randrange(len(stations))]["code"],
                    "channel": "phone",
                    "status": rng.choice(("new", "dispatched", "accepted", "in_progress")) if is_open else "closed",
                    "created_at": created,
                    "due_at": due,
                    "resolved_at": resolved,
                    "escalated": rng.random() < 0.03,
                    "dispatch_count": 2 if rng.random() < 0.08 else 1,
                    "reopen_count": 1 if rng.random() < 0.02 else 0,
                    "summary": "小区停电，居民反映整栋楼没电" if kind == "repair" else "客户来电反映问题，请尽快处理",
                    "customer_phone": f"138{rng.randrange(10**8):08d}",
                    "address": f"天津市第{number % 500}大街{number % 97}号",
                    "version": 1,
                    "updated_at": resolved or created,
                }
            )
            if len(batch) == 20000:
                connection.execute(Ticket.__table__.insert(), batch)
                batch.clear()
        if batch:
            connection.execute(Ticket.__table__.insert(), batch)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    engine.dispose()
    return True


def context_for(url: str):
    from woq_tui.config import parse_settings
    from woq_tui.context import ConsoleContext
    from woq_tui.domain.clock import FixedClock
    from woq_tui.i18n import set_language
    from woq_tui.store.db import make_engine

    set_language("zh")
    settings = parse_settings({"console": {"language": "zh", "operator": "BENCH", "refresh_seconds": 3600}})
    return ConsoleContext(settings=settings, engine=make_engine(url), clock=FixedClock(END), label="bench")


def run_child(kind: str, url: str) -> dict:
    """One start in a fresh process. The CLI's on a pseudo-terminal, as users run it:
    on a terminal the console starts its app before the head start's verdict."""
    command = [sys.executable, "-m", "bench.first_frame", kind, url, str(CLI_CONFIG)]
    started = time.time()
    if kind == "cli":
        import pty

        master, terminal = pty.openpty()
        child = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=subprocess.PIPE, cwd=ROOT)
        os.close(terminal)
        printed = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            printed += chunk
        os.close(master)
        stderr = child.communicate(timeout=120)[1].decode(errors="replace")
        stdout = printed.decode(errors="replace")
    else:
        out = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
        stdout, stderr = out.stdout, out.stderr
    line = [line.strip() for line in stdout.splitlines() if line.strip().startswith("{")]
    if not line:
        raise RuntimeError(f"child {kind} printed nothing: {stderr[-2000:]}")
    result = json.loads(line[-1])
    return {"seconds": result["first_frame"] - started, "rss_mb": result["rss_mb"]}


# --- in-process measurements -----------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def touch(engine, ticket_nos: list[str], at: datetime, flip: int) -> None:
    from sqlalchemy import update

    from woq_tui.domain.models import Ticket

    statuses = ("dispatched", "accepted", "in_progress")
    with engine.begin() as connection:
        connection.execute(
            update(Ticket)
            .where(Ticket.ticket_no.in_(ticket_nos))
            .values(status=statuses[flip % 3], updated_at=at, version=Ticket.version + 1)
        )


async def in_process(url: str) -> dict:
    from sqlalchemy import select
    from textual import events

    from woq_tui.app import WoqApp
    from woq_tui.domain.models import Ticket

    context = context_for(url)
    frames: list[float] = []
    waiter: dict[str, asyncio.Event] = {}

    class Timed(WoqApp):
        CSS_PATH = APP_CSS

        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            if is_update(renderable):
                list(renderable.render_segments(self.console))
                frames.append(time.perf_counter())
                if "frame" in waiter:
                    waiter["frame"].set()

    async def settle(pilot):
        for _ in range(20):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if not any(w.is_running for w in pilot.app.workers):
                return

    async def key_to_frame(app, key: str) -> float:
        waiter["frame"] = asyncio.Event()
        started = time.perf_counter()
        app.post_message(events.Key(key, key if len(key) == 1 else None))
        await asyncio.wait_for(waiter["frame"].wait(), 5)
        return (time.perf_counter() - started) * 1000

    results: dict = {}
    app = Timed(context)
    async with app.run_test(size=(160, 45), headless=True) as pilot:
        await settle(pilot)
        screen = app.screen
        results["rows_held"] = len(screen.window)
        results["open_total"] = screen.total
        with context.engine.connect() as connection:
            open_numbers = connection.execute(
                select(Ticket.ticket_no).where(Ticket.resolved_at.is_(None)).order_by(Ticket.id)
            ).scalars().all()

        # 1. one refresh tick with 100 changed tickets (after whatever earlier runs
        # changed, so that each tick's changes are past the watermark)
        rng = random.Random(7)
        fetch_ms, apply_ms, raw_ms, kpi_tick_ms = [], [], [], []
        now = max(END, screen.watermark or END)
        for tick in range(40):
            now += timedelta(seconds=5)
            context.clock.instant = now
            touch(context.engine, rng.sample(open_numbers, 100), now, tick)
            with_kpis = tick % 4 == 3
            if with_kpis:  # the KPI strip's own cadence (queue.KPI_SECONDS), forced here
                screen._kpis_due = 0
            request = screen.live_request()
            assert request.kpis == with_kpis and not request.reload
            started = time.perf_counter()
            result = await asyncio.to_thread(screen.fetch_live, request)
            fetched = (time.perf_counter() - started) * 1000
            assert result.changes is not None and len(result.changes.rows) >= 100
            started = time.perf_counter()
            screen.apply_live(request, result)
            applied = (time.perf_counter() - started) * 1000
            if with_kpis:
                kpi_tick_ms.append(fetched + applied)
                continue
            fetch_ms.append(fetched)
            apply_ms.append(applied)
            await pilot.pause()
            if context.engine.dialect.name == "sqlite":
                import sqlite3

                raw = sqlite3.connect(context.engine.url.database)
                started = time.perf_counter()
                raw.execute(
                    "SELECT t.*, s.name FROM ticket t JOIN station s ON s.code = t.station_code "
                    "WHERE t.updated_at >= ?",
                    (int(now.timestamp()) - 2,),
                ).fetchall()
                raw_ms.append((time.perf_counter() - started) * 1000)
                raw.close()
        results["tick_fetch_ms"] = fetch_ms
        results["tick_apply_ms"] = apply_ms
        results["tick_raw_sql_ms"] = raw_ms
        results["tick_kpis_ms"] = kpi_tick_ms

        # 2. key press to repaint
        await settle(pilot)
        moves, repeat = [], []
        for index in range(200):
            moves.append(await key_to_frame(app, "j" if (index // 50) % 2 == 0 else "k"))
        # A held key repeats 25-30 times a second: each press then finds Textual's
        # 60 fps update timer idle, instead of waiting out the frame just drawn.
        for index in range(200):
            await asyncio.sleep(0.04)
            repeat.append(await key_to_frame(app, "j" if (index // 50) % 2 == 0 else "k"))
        results["key_repeat_ms"] = repeat
        pages = [await key_to_frame(app, "pagedown") for _ in range(30)]
        results["key_move_ms"] = moves
        results["key_page_ms"] = pages
        sorts = []
        for _ in range(10):
            waiter["frame"] = asyncio.Event()
            started = time.perf_counter()
            app.post_message(events.Key("s", "s"))
            # the sort goes to the database: wait for the page, then its frame
            for _ in range(200):
                await asyncio.sleep(0)
                if not screen.need_reload:
                    break
                await pilot.app.workers.wait_for_complete()
            waiter["frame"] = asyncio.Event()
            await asyncio.wait_for(waiter["frame"].wait(), 5)
            sorts.append((time.perf_counter() - started) * 1000)
        results["key_sort_ms"] = sorts

        # 3. event-loop lag while refreshing all the time
        lags: list[float] = []
        stop = False

        async def sampler():
            while not stop:
                started = time.perf_counter()
                await asyncio.sleep(0.05)
                lags.append((time.perf_counter() - started - 0.05) * 1000)

        task = asyncio.create_task(sampler())
        for tick in range(40):
            now += timedelta(seconds=5)
            context.clock.instant = now
            await asyncio.to_thread(touch, context.engine, rng.sample(open_numbers, 100), now, tick)
            screen.refresh_now()
            await settle(pilot)
            await pilot.press("j")
        stop = True
        await task
        results["loop_lag_ms"] = lags
    results["rss_mb"] = peak_rss_mb()
    context.engine.dispose()
    return results


def summary(name: str, values: list[float], unit: str = "ms") -> str:
    if not values:
        return f"{name}: —"
    return (
        f"{name}: median {statistics.median(values):.1f} {unit}, p95 {pct(values, 95):.1f}, "
        f"max {max(values):.1f} (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=f"sqlite:///{DEFAULT_DB}")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    built = build(args.db, args.tickets, args.open)
    CLI_CONFIG.write_text('[console]\nlanguage = "zh"\noperator = "BENCH"\nrefresh_seconds = 3600\n', encoding="utf-8")
    # Bytecode for the console's modules, as an installed package has: with
    # PYTHONDONTWRITEBYTECODE set (as on these machines) an editable install would
    # otherwise compile every module of woq_tui at each start.
    compileall.compile_dir(ROOT / "woq_tui", quiet=1)
    print(f"woq-console queue bench: {args.tickets:,} tickets, {args.open:,} open, {args.db}")
    print("(2 shared cores, other work running: read the ratios, not the absolute figures)\n")
    empty = []
    floor, queue, cli = [], [], []
    for _ in range(args.runs):  # interleaved, so load from other work hits all alike
        empty.append(run_child("empty", args.db))
        floor.append(run_child("floor", args.db))
        queue.append(run_child("queue", args.db))
        cli.append(run_child("cli", args.db))
    empty_s = statistics.median(run["seconds"] for run in empty)
    floor_s = statistics.median(run["seconds"] for run in floor)
    queue_s = statistics.median(run["seconds"] for run in queue)
    cli_s = statistics.median(run["seconds"] for run in cli)
    print(f"first frame, empty Textual app:  {empty_s * 1000:.0f} ms (median of {args.runs})")
    print(f"  the same after importing SQLAlchemy ORM + SQLModel: {floor_s * 1000:.0f} ms → {floor_s / empty_s:.2f}× (floor)")
    print(f"first painted queue (WoqApp):    {queue_s * 1000:.0f} ms  → {queue_s / empty_s:.2f}× (aim ≤ 2.5×)")
    print(f"first painted queue (the CLI):   {cli_s * 1000:.0f} ms  → {cli_s / empty_s:.2f}× "
          "(config, schema check, then the same)")
    print(f"peak memory at first paint:      {max(run['rss_mb'] for run in queue):.0f} MB "
          f"(empty app {max(run['rss_mb'] for run in empty):.0f} MB)")

    results = asyncio.run(in_process(args.db))
    print(f"\nrows held by the queue widget: {results['rows_held']:,} of {results['open_total']:,} open")
    print(summary("refresh tick, query (thread)  ", results["tick_fetch_ms"]))
    print(summary("refresh tick, apply (UI)      ", results["tick_apply_ms"]))
    total = [a + b for a, b in zip(results["tick_fetch_ms"], results["tick_apply_ms"])]
    print(summary("refresh tick, total (aim < 20)", total))
    print(summary("  a tick that also counts the KPIs (every 15 s)", results["tick_kpis_ms"]))
    if results["tick_raw_sql_ms"]:
        raw = statistics.median(results["tick_raw_sql_ms"])
        print(summary("  raw sqlite3 changed-rows query", results["tick_raw_sql_ms"])
              + f"  → query/raw {statistics.median(results['tick_fetch_ms']) / raw:.1f}×")
    print(summary("key j/k to repaint, back to back (capped by 60 fps)", results["key_move_ms"]))
    print(summary("key j/k to repaint at key-repeat rate (aim < 16)", results["key_repeat_ms"]))
    print(summary("key pagedown to repaint        ", results["key_page_ms"]))
    print(summary("key s (sort, via database)     ", results["key_sort_ms"]))
    print(summary("event-loop lag while refreshing (aim p95 < 50)", results["loop_lag_ms"]))
    print(f"peak memory of the benchmark process: {results['rss_mb']:.0f} MB (aim < 200)"
          + (" (this run built the database too: run again for the console's own)" if built else ""))


if __name__ == "__main__":
    main()
