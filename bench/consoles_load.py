"""The machinery of bench/consoles_bench.py: simulated consoles, the simulator's
driver, and the server's CPU, each usable alone (tests/test_consoles_bench.py runs it
for two consoles).

A simulated console is the live queue's refresh without its screen: the request
screens/queue.py `live_request` builds (a reload first, then the changes since the
watermark, the KPI counts every KPI_SECONDS), answered by the product's own
`ConsoleStore.live` (store/queue_live.py) on the console's own engine, and applied to
the product's TicketWindow and OutboxMarks as `apply_live` does, so that the next
request holds what a real screen would hold. The queries are the product's; only the
Textual timer is replaced by a thread that wakes on the console's phase.

Why worker processes: 200 consoles as threads of one Python process would queue on
its GIL (each tick is a few milliseconds of SQLAlchemy compiling and row building),
and the tick times would measure that queue, not the server. Consoles are spread over
a few processes, each console a thread with its own engine (its own pool and
connection, as a real console has).
"""

from __future__ import annotations

import math
import os
import resource
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url

from woq_tui.config import load_settings
from woq_tui.context import ConsoleContext
from woq_tui.values.live import FIRST_REQUEST, LiveRequest, LiveResult, next_request
from woq_tui.values.queue import PAGE_SIZE, QueueSort, sort_key
from woq_tui.widgets.ticket_window import OutboxMarks, TicketWindow

# screens/queue.py's KPI_SECONDS, not imported from there: importing the screen loads
# Textual into every worker. tests/test_consoles_bench.py checks that the two agree.
KPI_SECONDS = 15.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# First pages a worker loads at once before the window.
FIRST_LOADS = 4


# --- one console ---------------------------------------------------------------------


class SimulatedConsole:
    """The queue screen's refresh state (screens/queue.py), without the screen."""

    def __init__(self, url: str, kpi_seconds: float = KPI_SECONDS, hold: bool = True) -> None:
        """hold: keep a connection between ticks (the product's pool); otherwise connect
        for each tick (make_engine with SQLAlchemy's NullPool)."""
        if hold:
            self.context = ConsoleContext(load_settings(), url=url)
        else:
            from sqlalchemy.pool import NullPool

            from woq_tui.store.db import make_engine

            self.context = ConsoleContext(load_settings(), engine=make_engine(url, poolclass=NullPool))
        self.kpi_seconds = kpi_seconds
        self.window = TicketWindow(sort_key(QueueSort.urgency))
        self.outbox = OutboxMarks()
        self.watermark: Any = None
        self.need_reload = True
        self.kpis_due = 0.0
        self.statements = 0
        event.listen(self.context.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    def request(self) -> LiveRequest:
        """QueueScreen.live_request for an unfiltered queue, most urgent first."""
        reload = self.need_reload or self.watermark is None
        kpis = reload or time.monotonic() >= self.kpis_due
        if kpis:
            self.kpis_due = time.monotonic() + self.kpi_seconds
        # FIRST_REQUEST shows the unfiltered queue, most urgent first, as these consoles do
        return next_request(FIRST_REQUEST, self.watermark, reload, kpis, self.window.keys(), self.outbox, self.outbox.generation)

    def apply(self, request: LiveRequest, result: LiveResult) -> None:
        """QueueScreen.apply_live, less the drawing."""
        self.outbox.loaded(request.outbox_generation, result.asked, result.marks)
        if result.page is not None:
            self.window.replace(result.page.rows, result.page.complete)
            self.need_reload = False
        else:
            self.window.apply(result.changes.rows if result.changes else [])
        self.watermark = result.watermark
        self.outbox.forget_except(self.window.keys())

    def tick(self) -> tuple[float, bool, int]:
        """One refresh: (seconds the store call took, whether it counted the KPIs,
        statements it ran)."""
        request = self.request()
        before = self.statements
        started = time.perf_counter()
        result = self.context.store.live(request)
        took = time.perf_counter() - started
        self.apply(request, result)
        return took, request.kpis, self.statements - before

    def close(self) -> None:
        self.context.engine.dispose()


class BareConsole:
    """The baseline: the statements of a product tick, written by hand and run with
    psycopg on a connection held open, with no product code between."""

    CHANGES = (
        "SELECT t.id, t.ticket_no, t.type, t.station_code, s.name, s.initials, s.area_type, t.status,"
        " t.created_at, t.due_at, t.escalated, t.dispatch_count, t.reopen_count, coalesce(t.summary, ''),"
        " t.version, t.updated_at, t.resolved_at IS NULL, t.resolved_at IS NULL"
        " FROM ticket t JOIN station s ON s.code = t.station_code"
        " WHERE t.updated_at >= %s ORDER BY t.updated_at, t.id LIMIT 2001"
    )
    PAGE = "SELECT ticket_no FROM ticket WHERE resolved_at IS NULL ORDER BY coalesce(due_at, 9e18), id LIMIT %s"
    MARKS = "SELECT ticket_no, state, updated_at FROM outbox_entry WHERE ticket_no = ANY(%s) ORDER BY requested_at, updated_at"
    COUNTS = (
        ("SELECT count(*), coalesce(sum(CASE WHEN due_at < %(now)s THEN 1 ELSE 0 END), 0),"
         " coalesce(sum(CASE WHEN due_at IS NOT NULL AND due_at >= %(now)s AND (due_at - %(now)s < (due_at - created_at)"
         " * %(at_risk_fraction)s OR due_at - %(now)s < %(at_risk_seconds)s) THEN 1 ELSE 0 END), 0)"
         " FROM ticket WHERE resolved_at IS NULL"),
        ("SELECT count(*) FROM ticket t WHERE t.escalated AND t.updated_at >= %(midnight)s AND EXISTS"
         " (SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.id AND e.kind = 'escalated' AND e.at >= %(midnight)s)"),
        "SELECT count(*) FROM ticket WHERE created_at > %(hour_ago)s AND created_at <= %(now)s",
        "SELECT count(*) FROM outbox_entry WHERE state = 'pending'",
    )

    def __init__(self, url: str, kpi_seconds: float = KPI_SECONDS) -> None:
        import psycopg

        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = psycopg.connect(plain, autocommit=True)
        # transaction() then sends BEGIN ISOLATION LEVEL REPEATABLE READ (store/db.py snapshot)
        self.connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        self.kpi_seconds = kpi_seconds
        self.kpis_due = 0.0
        self.watermark = int(time.time()) - 60
        # what the screen holds: the first page's tickets, their marks read on KPI ticks
        self.window = [row[0] for row in self.connection.execute(self.PAGE, (PAGE_SIZE,))]
        self.shown: list[str] = []  # tickets with a mark shown, read every tick
        policy = load_settings().sla_policy()
        self.at_risk = {"at_risk_fraction": policy.at_risk_fraction, "at_risk_seconds": policy.at_risk_minutes * 60}

    def tick(self) -> tuple[float, bool, int]:
        kpis = time.monotonic() >= self.kpis_due
        if kpis:
            self.kpis_due = time.monotonic() + self.kpi_seconds
        now = int(time.time())
        started = time.perf_counter()
        statements = 1
        with self.connection.transaction(), self.connection.cursor() as cursor:
            rows = cursor.execute(self.CHANGES, (self.watermark - 2,)).fetchall()
            changed = [row[1] for row in rows]
            self.watermark = max([self.watermark, *(row[15] for row in rows)])
            if kpis:
                parameters = {"now": now, "midnight": now - now % 86400, "hour_ago": now - 3600, **self.at_risk}
                for query in self.COUNTS:
                    cursor.execute(query, parameters).fetchall()
                statements += len(self.COUNTS)
            held = self.window if kpis else self.shown
            marks = cursor.execute(self.MARKS, (list(dict.fromkeys([*held, *changed])),)).fetchall()
            statements += 1
        took = time.perf_counter() - started
        self.shown = [row[0] for row in marks]
        return took, kpis, statements

    def close(self) -> None:
        self.connection.close()


# --- consoles on a schedule ------------------------------------------------------------


@dataclass
class ConsoleRun:
    """What one worker's consoles did in the measured window."""

    ticks: list[float] = field(default_factory=list)  # seconds per tick
    kpi_tick_times: list[float] = field(default_factory=list)  # those of the ticks that counted the KPIs
    kpi_ticks: int = 0
    statements: int = 0
    expected: int = 0
    failed: int = 0
    skipped: int = 0  # ticks that came while the previous one still ran (merged, as RefreshStatus does)
    errors: list[str] = field(default_factory=list)
    cpu: float = 0.0  # this process's CPU seconds over the window
    late: float = 0.0  # seconds the worker was still loading its consoles' first pages when the window opened


def _expected(phase: float, interval: float, window: float) -> int:
    """Ticks due at phase + k × interval before the window ends."""
    return max(0, math.ceil((window - phase) / interval))


def _run_console(console: Any, phase: float, interval: float, start_at: float, end_at: float, run: ConsoleRun, lock: threading.Lock) -> None:
    """Tick at start_at + phase + k × interval until end_at. A tick due while the last
    one still ran is merged into the next slot (widgets/refresh.py)."""
    due = start_at + phase
    while due < end_at:
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)  # the console's timer
        try:
            took, kpis, statements = console.tick()
        except Exception as exc:  # a refused connection is a result to report
            with lock:
                run.failed += 1
                if len(run.errors) < 3:
                    run.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        else:
            with lock:
                run.ticks.append(took)
                run.kpi_ticks += kpis
                if kpis:
                    run.kpi_tick_times.append(took)
                run.statements += statements
        due += interval
        while due < time.time():
            due += interval
            with lock:
                run.skipped += 1


def run_consoles(
    kind: str, url: str, phases: list[float], interval: float, start_at: float, end_at: float, kpi_seconds: float = KPI_SECONDS
) -> ConsoleRun:
    """In a worker process: one thread per console, each first loading its page (the
    screen's first reload, before the window), then ticking on its phase. kind:
    "product" (the console as it is), "product-null" (connecting per tick) or "bare"."""
    run, lock = ConsoleRun(), threading.Lock()
    consoles: list[Any] = []

    def make() -> Any:
        if kind == "bare":
            return BareConsole(url, kpi_seconds)
        return SimulatedConsole(url, kpi_seconds, hold=kind == "product")

    def open_one() -> None:
        console: Any
        try:
            console = make()
            console.tick()  # the first page and counts: not measured
        except Exception as exc:
            with lock:
                if len(run.errors) < 3:
                    run.errors.append(f"first load: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            console = _Refused()
        with lock:
            consoles.append(console)

    # A few at a time, as consoles are started through a morning: all at once, the
    # first pages would take as many connections as there are consoles.
    with ThreadPoolExecutor(max_workers=FIRST_LOADS) as openers:
        for _ in phases:
            openers.submit(open_one)
    window = end_at - start_at
    run.expected = sum(_expected(phase, interval, window) for phase in phases)
    threads = [
        threading.Thread(target=_run_console, args=(console, phase, interval, start_at, end_at, run, lock))
        for console, phase in zip(consoles, phases, strict=True)
    ]
    if time.time() < start_at:
        time.sleep(start_at - time.time())  # the window starts for every worker at once
    run.late = max(0.0, time.time() - start_at)
    cpu_before = cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.cpu = cpu_seconds() - cpu_before
    for console in consoles:
        console.close()
    return run


class _Refused:
    """A console whose first load failed: every tick fails the same way (a real
    console keeps retrying, widgets/refresh.py)."""

    def tick(self) -> tuple[float, bool, int]:
        raise ConnectionError("the console never connected")

    def close(self) -> None:
        pass


# --- the writer ------------------------------------------------------------------------


@dataclass
class SimulatorRun:
    changes: int = 0
    seconds: float = 0.0
    steps: int = 0  # in the window
    steps_made: int = 0  # in all
    errors: int = 0
    speed: float = 0.0
    backend_pids: list[int] = field(default_factory=list)
    cpu: float = 0.0


def run_simulator(url: str, rate: float, start_at: float, end_at: float, speed: float = 300.0) -> SimulatorRun:
    """The demo simulator (demo/simulator.py) stepping once a second, its speed steered
    so that it makes `rate` changes a second (new tickets and status moves, as its
    StepResult counts them). It starts before the window, to settle the speed."""
    from woq_tui.demo.simulator import LiveSimulator
    from woq_tui.domain.clock import SystemClock
    from woq_tui.store.db import make_engine

    run = SimulatorRun()
    engine = make_engine(url)
    event.listen(engine, "connect", lambda connection, _record: run.backend_pids.append(connection.info.backend_pid))
    simulator = LiveSimulator(engine, load_settings().sla_policy(), SystemClock(), speed=speed, interval_seconds=1.0)
    recent: list[int] = []
    cpu_before = None
    next_step = time.time()
    while True:  # one step at least, however late the process started
        if time.time() < next_step:
            time.sleep(next_step - time.time())
        if cpu_before is None and time.time() >= start_at:
            cpu_before = cpu_seconds()
        try:
            result = simulator.step(simulator.clock.now())
        except Exception:
            run.errors += 1
            result = None
        changes = len(result.created) + len(result.changed) if result else 0
        if start_at <= next_step < end_at:
            run.changes += changes
            run.steps += 1
        recent = [*recent[-4:], changes]
        made = sum(recent) / len(recent)
        # Steer: the changes a step are about proportional to the speed.
        simulator.speed = min(20_000.0, max(10.0, simulator.speed * (rate / max(made, 0.5)) ** 0.5))
        run.steps_made += 1
        next_step += 1.0
        if next_step >= end_at:
            break
    run.cpu = cpu_seconds() - (cpu_before or cpu_seconds())
    run.seconds = end_at - start_at
    run.speed = simulator.speed
    engine.dispose()
    return run


# --- the server's CPU -------------------------------------------------------------------


def _ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK")


def backend_times(database: str) -> dict[int, float]:
    """CPU seconds (utime + stime, /proc/<pid>/stat) of each PostgreSQL backend serving
    `database`, found by its process title ("postgres: … user database host(port) …")."""
    found: dict[int, float] = {}
    hz = _ticks_per_second()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres:") or f" {database} " not in title:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / hz
    return found


class ServerCpu:
    """Samples the backends of one database through a window; a backend that ends
    between two samples loses at most one interval of its CPU."""

    def __init__(self, database: str, every: float = 0.5) -> None:
        self.database = database
        self.every = every
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.peak_backends = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="server-cpu", daemon=True)

    def start(self) -> None:
        self.first = backend_times(self.database)
        self.last = dict(self.first)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            now = backend_times(self.database)
            self.peak_backends = max(self.peak_backends, len(now))
            self.last.update(now)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.last.update(backend_times(self.database))

    def seconds(self, pids: set[int] | None = None, exclude: set[int] | None = None) -> float:
        """CPU seconds used in the window by the backends (those of `pids`, or all but `exclude`)."""
        total = 0.0
        for pid, last in self.last.items():
            if (pids is not None and pid not in pids) or (exclude and pid in exclude):
                continue
            total += last - self.first.get(pid, 0.0)
        return total
