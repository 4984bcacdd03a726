"""Screen 6 (质检) on a demo database: how long from pressing 6 until the week's flags
are on screen, against the store's own read of them (ConsoleStore.audit_view, the
bare work the screen cannot do without); and the queue's flag marker read.

    .venv/bin/python -m bench.audit_screen_bench [--runs 5]

Writes `woq-console generate`'s demo (60 stations, 120 days, ending 2026-11-26 10:00
Shanghai) into bench/out/audit-screen.db once. Medians of `--runs` runs, each screen
run in a new headless app at 160×45. The machine is shared: the figures carry that
caveat.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import ensure_demo
from woq_tui.config import parse_settings
from woq_tui.context import ConsoleContext
from woq_tui.domain.clock import FixedClock
from woq_tui.domain.periods import last_full_period
from woq_tui.store.db import make_engine

UTC = timezone.utc
OUT = Path(__file__).parent / "out"
DB = OUT / "audit-screen.db"
END = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def context(settings) -> ConsoleContext:
    return ConsoleContext(settings=settings, engine=make_engine(f"sqlite:///{DB}"), clock=FixedClock(END), label="bench")


async def open_screen(settings) -> tuple[float, int]:
    """Seconds from the key 6 to the flags on screen, and how many rows."""
    from woq_tui.app import WoqApp
    from woq_tui.screens.audit import AuditScreen

    app = WoqApp(context(settings))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        began = time.perf_counter()
        await pilot.press("6")
        while not (isinstance(app.screen, AuditScreen) and app.screen.table.row_count):
            await pilot.pause(0.005)
        return time.perf_counter() - began, app.screen.table.row_count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = parse_settings({"console": {"language": "zh", "operator": "bench"}})
    ensure_demo(DB, settings, stations=60, days=120, end=END, what="120 days of demo tickets at 60 stations")
    ctx = context(settings)
    period = last_full_period("week", END, settings.tz)
    store_times, marker_times = [], []
    for _ in range(args.runs):
        began = time.perf_counter()
        view = ctx.store.audit_view(period, END)
        store_times.append(time.perf_counter() - began)
    held = [flag.ticket_no for flag in view.flags][:40]  # about a screenful of the queue
    for _ in range(args.runs):
        began = time.perf_counter()
        ctx.store.flagged_among(held, END)
        marker_times.append(time.perf_counter() - began)
    screen_times, rows = [], 0
    for _ in range(args.runs):
        seconds, rows = asyncio.run(open_screen(settings))
        screen_times.append(seconds)
    store, screen = statistics.median(store_times), statistics.median(screen_times)
    print(f"week {period.first_day}–{period.last_day}: {len(view.flags):,} flags, {rows:,} rows drawn")
    print(f"store audit_view (baseline)     median {store * 1000:8.1f} ms")
    print(f"screen 6: key 6 → flags shown   median {screen * 1000:8.1f} ms  ({screen / store:.2f}× the store's read)")
    print(f"queue marker: flagged_among(40) median {statistics.median(marker_times) * 1000:8.1f} ms")
    print("(a shared 2-CPU machine: medians of", args.runs, "runs)")


if __name__ == "__main__":
    main()
