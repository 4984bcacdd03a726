"""Keys and loading lag (issue 17): key press to frame in the ticket lists and the
station screen, and the event loop's lag while the station screen loads a year.

Prints, per key, the time from the key event posted to the next compositor update
rendered to segments (as bench/queue_bench.py measures it), p50/p95/max, and the lag
of a 10 ms asyncio sleep while the station screen reads a year (the time it came back
late: what a key pressed then waits). Each figure is also given against an empty
Textual app's key-to-frame in the same process (the bare baseline). Beside each key's
wall time, the UI thread's CPU over the same span (time.thread_time: on a shared
machine the figure to compare, the wall time being mostly the wait for a core); per
process its peak RSS and the collector's full passes. WOQ_JANK_PROFILE="s (sort),stations
s" writes a cProfile (thread time) of the UI thread over those keys only to bench/out/.

Two code trees can run against the same database in the same run, interleaved, each in
its own process (`--before ../main-checkout`: the woq_tui of another checkout, e.g. of main, against this one's):

    .venv/bin/python bench/jank_bench.py [--db URL] [--before TREE] [--runs N]

The database is bench/queue_bench.py's (1,000,000 tickets, 10,000 open, 200 stations,
a year), built once if missing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# every key this bench presses, in the order printed
KEYS = ("j/k", "pagedown", "s (sort)", "f (filter dialog)", "filter applied", "/ then typing", "search applied",
        "stations j/k", "stations s")


# a key whose frame has not come after this many seconds is counted as this long
TIMEOUT = 60
# how many of each key (--quick: a third of it)
SCALE = 3 if "--quick" in sys.argv else 1


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# --- the child: one code tree, one process ---------------------------------------------


async def measure(url: str) -> dict:
    from textual import events
    from textual.app import App
    from textual.binding import Binding
    from textual.widgets import Static

    from bench.first_frame import is_update
    from bench.queue_bench import APP_CSS, context_for
    from woq_tui.app import WoqApp
    from woq_tui.domain.periods import last_full_period

    frames: list[float] = []
    # the UI thread's CPU time at each frame, beside its wall time
    frames_cpu: list[float] = []
    waiter: dict[str, asyncio.Event] = {}
    # per key: the UI thread's CPU from the key posted to its frame (time.thread_time)
    cpu: dict[str, list[float]] = {}
    # WOQ_JANK_PROFILE="s (sort),stations s": cProfile (thread time) of the UI thread
    # over those keys only, written to bench/out/jank-<key>.prof
    profiled = {name: cProfile.Profile(time.thread_time) for name in filter(None, os.environ.get("WOQ_JANK_PROFILE", "").split(","))}

    # the collector's full passes (generation 2) while the console runs, in ms
    full_passes: list[float] = []
    # per key: the full passes' time inside each key that had one (ms)
    collected_in: dict[str, list[float]] = {}
    # what the bench was doing when each full pass came: the last key pressed
    pass_phases: list[str] = []
    doing = ["start"]
    pass_started = [0.0]

    def collected(phase: str, info: dict) -> None:
        if phase == "start":
            pass_started[0] = time.perf_counter()
        elif info["generation"] == 2:
            full_passes.append((time.perf_counter() - pass_started[0]) * 1000)
            pass_phases.append(doing[0])

    gc.callbacks.append(collected)

    def framed(app: App, renderable) -> None:
        if is_update(renderable):
            list(renderable.render_segments(app.console))
            frames_cpu.append(time.thread_time())
            frames.append(time.perf_counter())
            if "frame" in waiter:
                waiter["frame"].set()

    class Empty(App):
        BINDINGS = [Binding("j", "step", "step")]
        count = 0

        def compose(self):
            yield Static("0", id="count")

        def action_step(self) -> None:
            self.count += 1
            self.query_one(Static).update(str(self.count))

        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            framed(self, renderable)

    class Timed(WoqApp):
        CSS_PATH = APP_CSS

        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            framed(self, renderable)

    async def key_to_frame(app: App, key: str, until=None, pause: float = 0.04, name: str | None = None) -> float:
        """Key posted → the first frame after which `until()` holds (default: any);
        the UI thread's CPU over the same span is kept under `name`."""
        await asyncio.sleep(pause)  # key-repeat rate: the update timer is idle again
        profile = profiled.get(name or "")
        passes_before = len(full_passes)
        doing[0] = f"after {name or key}"
        if profile is not None:
            profile.enable()
        try:
            wall, spent = await _key_to_frame(app, key, until)
        finally:
            if profile is not None:
                profile.disable()
        if name is not None:
            cpu.setdefault(name, []).append(spent)
            # the collector's full passes that fell inside this key, in ms
            inside = sum(full_passes[passes_before:])
            if inside:
                collected_in.setdefault(name, []).append(inside)
        return wall

    async def _key_to_frame(app: App, key: str, until) -> tuple[float, float]:
        waiter["frame"] = asyncio.Event()
        started, started_cpu = time.perf_counter(), time.thread_time()
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))
        deadline = started + TIMEOUT
        while True:
            try:
                await asyncio.wait_for(waiter["frame"].wait(), 1.0)
            except TimeoutError:
                # Done, and no frame since: what it changed showed in the last frame
                # (or nothing visible changed).
                if until is not None and until() and frames and frames[-1] > started:
                    return (frames[-1] - started) * 1000, (frames_cpu[-1] - started_cpu) * 1000
                if time.perf_counter() > deadline:
                    return TIMEOUT * 1000, (time.thread_time() - started_cpu) * 1000  # counted as that long: it was at least
                continue
            if until is None or until():
                return (time.perf_counter() - started) * 1000, (frames_cpu[-1] - started_cpu) * 1000
            waiter["frame"] = asyncio.Event()

    async def settle(app: App) -> None:
        from textual.worker import WorkerCancelled

        for _ in range(50):
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass  # a load made stale by a newer one: the newer is waited for next
            await asyncio.sleep(0.05)
            if not any(worker.is_running for worker in app.workers):
                return

    results: dict = {}
    empty = Empty()
    async with empty.run_test(size=(160, 45), headless=True):
        await asyncio.sleep(0.2)
        results["empty"] = [await key_to_frame(empty, "j") for _ in range(100)]

    context = context_for(url)
    app = Timed(context)
    full_passes.clear()
    pass_phases.clear()
    async with app.run_test(size=(160, 45), headless=True):
        await settle(app)
        queue = app.screen
        moves = []
        for index in range(200 // SCALE):
            moves.append(await key_to_frame(app, "j" if (index // 30) % 2 == 0 else "k", name="j/k"))
        results["j/k"] = moves
        results["pagedown"] = [await key_to_frame(app, "pagedown", name="pagedown") for _ in range(30 // SCALE)]
        sorts = []
        for _ in range(10 // SCALE):
            generation = queue.generation + 1
            sorts.append(await key_to_frame(app, "s", lambda g=generation: queue.generation >= g and not queue.need_reload, name="s (sort)"))
            await settle(app)
        results["s (sort)"] = sorts
        filters, applied = [], []
        from textual.screen import ModalScreen

        for _ in range(max(5 // SCALE, 1)):
            filters.append(await key_to_frame(app, "f", lambda: isinstance(app.screen, ModalScreen), name="f (filter dialog)"))
            await settle(app)
            await key_to_frame(app, "space")  # the first type
            generation = queue.generation + 1
            applied.append(await key_to_frame(
                app, "enter", lambda g=generation: app.screen is queue and queue.generation >= g and not queue.need_reload, name="filter applied"))
            await settle(app)
            await key_to_frame(app, "x", lambda: not queue.filt.active and not queue.need_reload)
            await settle(app)
        results["f (filter dialog)"], results["filter applied"] = filters, applied
        typing, searched = [], []
        for word in ("138", "dong", "95598000000")[: 3 // SCALE]:
            typing.append(await key_to_frame(app, "slash", name="/ then typing"))
            generation = queue.generation
            for character in word:
                typing.append(await key_to_frame(app, character, pause=0.08, name="/ then typing"))
            # the search runs 0.3 s after the last keystroke; then its page shows
            started = time.perf_counter()
            while queue.generation == generation or queue.need_reload:
                waiter["frame"] = asyncio.Event()
                await asyncio.wait_for(waiter["frame"].wait(), 30)
            searched.append((time.perf_counter() - started) * 1000 - 300)
            await key_to_frame(app, "escape")
            await settle(app)
        results["/ then typing"], results["search applied"] = typing, searched

        # the station screen: a week first, then the year, the loop sampled meanwhile
        await key_to_frame(app, "3")
        await settle(app)
        stations = app.screen
        results["stations j/k"] = [await key_to_frame(app, "j" if index < 30 // SCALE else "k", name="stations j/k") for index in range(60 // SCALE)]
        results["stations s"] = [await key_to_frame(app, "s", name="stations s") for _ in range(10 // SCALE)]
        lags: list[float] = []
        loads: list[float] = []
        for _ in range(max(2 // SCALE, 1)):
            stations.period = last_full_period("year", context.clock.now(), context.settings.tz)
            started = time.perf_counter()
            doing[0] = "year load"
            stations.load(cached=False)
            while not (stations.complete_at > started):
                before = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append((time.perf_counter() - before - 0.01) * 1000)
            loads.append((time.perf_counter() - started) * 1000)
            await settle(app)
        results["year lag"] = lags
        results["year load"] = loads
        results["stations rows"] = len(stations.data.current)
    context.engine.dispose()
    results["cpu"] = cpu
    from bench import peak_rss_mb

    results["rss"] = peak_rss_mb()
    results["full passes"] = full_passes
    results["passes in keys"] = collected_in
    results["pass phases"] = [f"{ms:.0f} ms {where}" for ms, where in zip(full_passes, pass_phases, strict=True)]
    for name, profile in profiled.items():
        profile.dump_stats(str(ROOT / "bench" / "out" / f"jank-{name.split()[0].replace('/', '')}-{os.getpid()}.prof"))
    return results


def child(tree: str, url: str) -> None:
    # woq_tui from `tree`; the bench's own helpers from this checkout
    sys.path[:0] = [tree, str(ROOT)] if tree != str(ROOT) else [str(ROOT)]
    results = asyncio.run(measure(url))
    sys.__stdout__.write(json.dumps(results) + "\n")


# --- the parent ------------------------------------------------------------------------


def run_child(tree: str, url: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--child", tree, "--db", url, *(["--quick"] if SCALE > 1 else [])],
        capture_output=True, text=True, timeout=1800, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": tree},
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"child for {tree} printed nothing: {out.stderr[-3000:]}")
    return json.loads(lines[-1])


def row(name: str, values: list[float], bare: float, cpu: list[float] | None = None) -> str:
    p50, p95, top = statistics.median(values), pct(values, 95), max(values)
    line = f"  {name:<22} p50 {p50:6.1f}  p95 {p95:6.1f}  max {top:6.1f} ms   p95/bare {p95 / bare:5.1f}×  (n={len(values)})"
    if cpu:
        line += f"   UI CPU p50 {statistics.median(cpu):5.1f} p95 {pct(cpu, 95):5.1f} max {max(cpu):5.1f}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--before", default=None, help="another checkout whose woq_tui is 'before'")
    parser.add_argument("--after", default=str(ROOT), help="the checkout whose woq_tui is 'after' (this one)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="a third of the keys, one year load")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.queue_bench import DEFAULT_DB, build

    url = args.db or f"sqlite:///{DEFAULT_DB}"
    if args.child:
        child(args.child, url)
        return
    build(url, args.tickets, args.open)
    trees = ([("before", args.before)] if args.before else []) + [("after", args.after)]
    runs: dict[str, list[dict]] = {name: [] for name, _ in trees}
    for _ in range(args.runs):  # interleaved: load from other work hits both alike
        for name, tree in trees:
            runs[name].append(run_child(tree, url))
    load = os.getloadavg()
    print(f"keys and loading lag: {url}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print("(2 shared cores: read the ratios to the bare empty app, not the absolute figures)")
    for name, tree in trees:
        results = runs[name]
        merged = {key: [value for result in results for value in result[key]] for key in ("empty", *KEYS, "year lag", "year load")}
        bare = pct(merged["empty"], 95)
        print(f"\n{name} ({tree}), {args.runs} runs; {results[0]['stations rows']} stations")
        print(row("empty app, key j", merged["empty"], bare))
        cpus = {key: [value for result in results for value in result.get("cpu", {}).get(key, [])] for key in KEYS}
        for key in KEYS:
            print(row(key, merged[key], bare, cpus[key]))
        print(row("year loading: loop lag", merged["year lag"], bare))
        print(f"  year load, key to complete: {', '.join(f'{value:.0f}' for value in merged['year load'])} ms")
        peaks = ", ".join(f"{result.get('rss', 0):.0f}" for result in results)
        print(f"  peak RSS: {peaks} MB")
        for result in results:
            passes = result.get("full passes", [])
            print(f"  the collector's full passes: {len(passes)}, {sum(passes):.0f} ms in all, the longest {max(passes, default=0):.0f} ms")
            print("    each: " + "; ".join(result.get("pass phases", [])))
            inside = result.get("passes in keys", {})
            if inside:
                print("    inside keys: " + ", ".join(f"{key} {len(values)}× ({max(values):.0f} ms)" for key, values in inside.items()))


if __name__ == "__main__":
    main()
