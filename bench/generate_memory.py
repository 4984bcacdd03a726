"""Peak memory and CPU of the demo generator's rows alone, before/after (docs/demo.md,
"A province", "Memory"; issue 17's "memory flat").

    .venv/bin/python bench/generate_memory.py --stations 3000 --days 10 30 60 --runs 3 \\
        [--before DIR]   # DIR: a source tree of the code to compare, e.g. `git archive main | tar -x -C DIR`

Each run is a child process that builds the generator and makes every row (no
database, events discarded, the collector held off as generate() does); its peak RSS
and CPU seconds come from os.wait4. Runs alternate before/after (this machine is
shared), medians are printed, and the growth between two lengths in bytes a ticket:
what the generator keeps per ticket made (flat memory: near 0). The baseline is the
bare interpreter with the package imported (the "rss of nothing" line).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CHILD = """
import sys, time
from datetime import UTC, datetime
from woq_tui.demo.generator import Generator
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.collection_pause import collections_paused
stations, days = int(sys.argv[1]), int(sys.argv[2])
class Discard:
    def append(self, event):
        pass
count = 0
if days:
    with collections_paused():
        generator = Generator(SlaPolicy(), 95598, stations, days, datetime(2026, 11, 24, tzinfo=UTC))
        generator.events = Discard()
        began = time.process_time()
        for _row in generator.tickets():
            count += 1
        rows = time.process_time() - began
        callers = getattr(generator, "callers", None)  # before this change: an attribute of each station
        if hasattr(callers, "close"):
            callers.close()
else:
    rows = 0.0
print(count, rows)
"""


def run(source: Path, stations: int, days: int) -> tuple[int, float, float, float]:
    """(tickets, peak RSS MB, CPU seconds of the child, CPU seconds of the rows)."""
    env = dict(os.environ, PYTHONPATH=str(source), PYTHONDONTWRITEBYTECODE="1")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(stations), str(days)], stdout=subprocess.PIPE, env=env, cwd="/"
    )
    assert child.stdout is not None
    out = child.stdout.read().decode()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"child failed ({child.returncode}) for {source} {stations} x {days}")
    tickets, rows = out.split()
    return int(tickets), usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, float(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--days", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a source tree to compare against (else: this tree only)")
    args = parser.parse_args()
    sources = {"before": args.before, "after": HERE} if args.before else {"after": HERE}
    print(f"load average at start: {os.getloadavg()}")
    nothing = {label: run(source, 1, 0)[1] for label, source in sources.items()}
    print("rss of nothing (interpreter + package): " + ", ".join(f"{k} {v:.0f} MB" for k, v in nothing.items()))
    results: dict[tuple[str, int], list[tuple[int, float, float, float]]] = {}
    for days in args.days:
        for attempt in range(args.runs):
            for label, source in sources.items():
                got = results.setdefault((label, days), [])
                got.append(run(source, args.stations, days))
                tickets, rss, cpu, rows = got[-1]
                print(
                    f"  {label:<6} {args.stations} x {days:>3} days  run {attempt + 1}: {tickets:>10,} tickets"
                    f"  peak {rss:7.1f} MB  CPU {cpu:7.1f} s (rows {rows:6.1f} s)  load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    print(f"\nmedians ({args.runs} runs each), load average at end {os.getloadavg()}:")
    print("| stations x days | tickets | " + " | ".join(f"peak {k} | CPU {k} | rows CPU {k}" for k in sources) + " |")
    for days in args.days:
        cells = []
        tickets = results[(next(iter(sources)), days)][0][0]
        for label in sources:
            got = results[(label, days)]
            cells += [f"{statistics.median(r[1] for r in got):.0f} MB", f"{statistics.median(r[2] for r in got):.1f} s",
                      f"{statistics.median(r[3] for r in got):.1f} s"]  # fmt: skip
        print(f"| {args.stations} x {days} | {tickets:,} | " + " | ".join(cells) + " |")
    for label in sources:
        for shorter, longer in zip(args.days, args.days[1:], strict=False):
            a, b = results[(label, shorter)], results[(label, longer)]
            grown = statistics.median(r[1] for r in b) - statistics.median(r[1] for r in a)
            per = grown * 1024 * 1024 / (b[0][0] - a[0][0])
            print(f"  {label}: {shorter} -> {longer} days: peak {grown:+.1f} MB, {per:+.1f} bytes a ticket")
    if args.before:
        for days in args.days:
            before = statistics.median(r[3] for r in results[("before", days)])
            after = statistics.median(r[3] for r in results[("after", days)])
            print(f"  rows CPU after/before at {days} days: {after / before:.3f}")


if __name__ == "__main__":
    main()
