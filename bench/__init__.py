"""Benchmarks: each bench/*_bench.py prints figures and ratios; `make bench` runs them all."""

import resource


def peak_rss_mb() -> float:
    """This process's peak resident memory. /proc's VmHWM starts afresh at exec, whereas
    getrusage's ru_maxrss carries the parent's peak over a fork + exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def ensure_demo(path, settings, *, stations: int, days: int, end, what: str) -> None:
    """The generator's demo (seed 95598) in the SQLite file `path`, written once (through
    a .part file, so an interrupted run leaves nothing half made)."""
    if path.exists():
        return
    from woq_tui.demo.generator import generate
    from woq_tui.store.db import make_engine, upgrade

    path.parent.mkdir(exist_ok=True)
    partial = path.with_suffix(".part")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    upgrade(engine)
    print(f"generating {what} (once) …", flush=True)
    result = generate(engine, settings.sla_policy(), seed=95598, stations=stations, days=days, end=end)
    engine.dispose()
    partial.rename(path)
    print(f"  {result.tickets:,} tickets in {result.seconds:.0f} s", flush=True)
