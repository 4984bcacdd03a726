"""The fault campaign: reassignments and reclassifications through a hostile network,
over real processes and real HTTP, and a count of what went wrong (docs/dispatch.md,
"The fault campaign").

Each trial, from its own seeded random generator: one to three new tickets; one to
three `woq-console reassign` or `reclassify` processes (sometimes two on one ticket;
which command each is comes from a generator of its own, so that a seed's faults stay
what they were before reclassification existed); sometimes an
`outbox push` (with or without --wait) and the console's background pusher, each a
process of its own; a fault-injecting proxy (bench/fault_proxy.py) between them and
the reference server; random SIGKILLs of those processes, a SIGKILL and restart of the
server, the proxy refusing connections for a while. Then the network heals,
`outbox push --wait` runs, and every request is judged:

- lost: a request recorded or said confirmed/queued that was never applied, and is
  not reported refused or conflict either;
- doubled: applied more than once;
- misreported: what was said (exit status, the healer's exit status, the entry's
  state) is not what happened: confirmed but not applied, refused but applied, queued
  but given up (failed), or a command that overran its time limit;
- pending after heal: still pending once `outbox push --wait` returned.

The processes are forked from a server of preloaded interpreters (multiprocessing's
forkserver), so that a trial spends its time on the dispatch path, not on imports.

    python -m bench.fault_campaign --trials 1000 [--db URL] [--seed N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.fault_children import run_cli, run_pusher
from bench.fault_proxy import KINDS, FaultProxy

TOKEN = "fault-campaign-token-0123456789abcdef"
TIMEOUT = 0.5  # [dispatch] timeout_seconds of every client
STATIONS = ("S001", "S002", "S003", "S004")
# A reclassification's targets: the tickets are created as repairs.
TYPES = ("complaint", "report", "consultation")
# The ticket event each command's application records.
APPLIED_KINDS = ("reassigned", "reclassified")
# What the forkserver imports once, before it forks anything.
PRELOAD = [
    "woq_tui.commands.reassign",
    "woq_tui.commands.reclassify",
    "woq_tui.commands.outbox",
    "woq_tui.commands.dispatch_server",
    "woq_tui.dispatch.server",
    "psycopg",
    "httpx",
    "uvicorn",
    "alembic",
    "bench.fault_warmup",
]


@dataclass
class Figures:
    trials: int = 0
    requests: int = 0
    lost: int = 0
    doubled: int = 0
    misreported: int = 0
    pending_after_heal: int = 0
    said: Counter = field(default_factory=Counter)  # what the reassign and reclassify commands said
    commands: Counter = field(default_factory=Counter)  # requests by command
    final: Counter = field(default_factory=Counter)  # what the outbox says after heal
    events: Counter = field(default_factory=Counter)  # kills, restarts, refusals
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not (self.lost or self.doubled or self.misreported or self.pending_after_heal)

    def line(self) -> str:
        return (
            f"lost / doubled / misreported / pending after heal: {self.lost} / {self.doubled} / "
            f"{self.misreported} / {self.pending_after_heal}"
        )


# -- the campaign -------------------------------------------------------------------------


class Campaign:
    def __init__(self, database_url: str, seed: int = 16, workdir: Path | None = None) -> None:
        from woq_tui.store.db import make_engine, upgrade

        self.database_url = database_url
        self.seed = seed
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="woq-faults-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        # Before the forkserver starts: it and its children inherit them (put back by close()).
        self._saved_env = {name: os.environ.get(name) for name in ("WOQ_DISPATCH_TOKEN", "PYTHONPATH")}
        os.environ["WOQ_DISPATCH_TOKEN"] = TOKEN
        root = str(Path(__file__).resolve().parent.parent)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(PRELOAD)
        self.engine = make_engine(database_url)
        upgrade(self.engine)
        self._add_stations()
        self.server_port = _free_port()
        self.server = None
        self._server_config = self.workdir / "server.toml"
        self._server_config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
        self._start_server()
        self.proxy = FaultProxy(self.server_port, delay_seconds=TIMEOUT + 0.3)

    # -- processes --------------------------------------------------------------------

    def _spawn(self, target, *args):
        process = self.ctx.Process(target=target, args=args, daemon=False)
        process.start()
        return process

    def _start_server(self) -> None:
        out = str(self.workdir / "server.log")
        argv = ["dispatch-server", "--db", self.database_url, "--port", str(self.server_port), "--config", str(self._server_config)]
        self.server = self._spawn(run_cli, argv, out)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # its socket listens before it prints that it does
            try:
                socket.create_connection(("127.0.0.1", self.server_port), timeout=1).close()
                return
            except OSError:
                if not self.server.is_alive():
                    said = Path(out).read_text(encoding="utf-8") if Path(out).exists() else "(no output)"
                    raise RuntimeError(f"the dispatch server exited {self.server.exitcode}: {said}") from None
                time.sleep(0.02)
        raise RuntimeError("the dispatch server did not start")

    def _kill_server(self) -> None:
        if self.server is not None and self.server.is_alive():
            self.server.kill()
            self.server.join(10)

    def _config(self, max_attempts: int) -> str:
        path = self.workdir / f"config-{max_attempts}.toml"
        if not path.exists():
            path.write_text(
                "[console]\nlanguage = \"en\"\noperator = \"campaign\"\ntimezone = \"Asia/Shanghai\"\n"
                f"[dispatch]\nbase_url = \"{self.proxy.url}\"\ntimeout_seconds = {TIMEOUT}\n"
                f"max_backoff_seconds = 1\nmax_attempts = {max_attempts}\n",
                encoding="utf-8",
            )
        return str(path)

    # -- the database -----------------------------------------------------------------

    def _add_stations(self) -> None:
        from sqlalchemy import select

        from woq_tui.domain.models import Station

        with self.engine.begin() as connection:
            known = set(connection.scalars(select(Station.code)))
            for code in STATIONS:
                if code not in known:
                    connection.execute(
                        Station.__table__.insert().values(code=code, name=f"供电所 {code}", area_type="urban", initials="")
                    )

    def _add_tickets(self, numbers: list[str]) -> None:
        from woq_tui.domain.models import Ticket

        now = datetime.now(timezone.utc).replace(microsecond=0)
        rows = [
            dict(ticket_no=n, type="repair", station_code="S001", status="dispatched", created_at=now,
                 due_at=now + timedelta(hours=4), dispatch_count=1, updated_at=now, version=1)
            for n in numbers
        ]
        with self.engine.begin() as connection:
            connection.execute(Ticket.__table__.insert(), rows)

    def _outcome(self, numbers: list[str]):
        """Entries by reason, applied requests (either command) by reason, for these tickets."""
        from sqlalchemy import func, select

        from woq_tui.domain.models import OutboxEntry, Ticket, TicketEvent

        with self.engine.connect() as connection:
            entries = {row.reason: row for row in connection.execute(
                select(OutboxEntry.reason, OutboxEntry.state, OutboxEntry.id).where(OutboxEntry.ticket_no.in_(numbers))
            )}
            applied = Counter({row.note: row.n for row in connection.execute(
                select(TicketEvent.note, func.count().label("n"))
                .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                .where(Ticket.ticket_no.in_(numbers), TicketEvent.kind.in_(APPLIED_KINDS))
                .group_by(TicketEvent.note)
            )})
        return entries, applied

    def _clear_outbox(self) -> None:
        from woq_tui.domain.models import OutboxEntry

        with self.engine.begin() as connection:
            connection.execute(OutboxEntry.__table__.delete())

    # -- one trial --------------------------------------------------------------------

    def trial(self, number: int, figures: Figures) -> None:
        rng = random.Random(f"{self.seed}:{number}")
        tag = f"F{self.seed}x{number:05d}"
        tickets = [f"{tag}-{i}" for i in range(rng.randint(1, 3))]
        self._add_tickets(tickets)
        requests = [(rng.choice(tickets), rng.choice(STATIONS[1:]), f"{tag} request {j}") for j in range(rng.randint(1, 3))]
        weights = {"pass": 1.0}
        for kind in KINDS[1:]:
            if rng.random() < 0.45:
                weights[kind] = rng.uniform(0.2, 1.2)
        self.proxy.configure(random.Random(f"{self.seed}:{number}:proxy"), weights)
        max_attempts = rng.randint(1, 3)
        config = self._config(max_attempts)
        limit = TIMEOUT * max_attempts + 3.0 + 1.0  # the command's own limit, and a second of slack
        pick = random.Random(f"{self.seed}:{number}:command")
        commands = [
            ("reclassify", pick.choice(TYPES)) if pick.random() < 0.5 else ("reassign", to) for _n, to, _r in requests
        ]

        # What happens when, in seconds from the start of the trial.
        plan: list[tuple[float, str, object]] = []
        for index, (ticket_no, to, reason) in enumerate(requests):
            plan.append((rng.uniform(0, 0.4), "reassign", (index, ticket_no, to, reason)))
        if rng.random() < 0.35:
            plan.append((rng.uniform(0, 1.0), "push", rng.random() < 0.5))
        if rng.random() < 0.3:
            plan.append((0.0, "pusher", None))
        if rng.random() < 0.15:
            at = rng.uniform(0.1, 1.0)
            plan += [(at, "server_down", None), (at + rng.uniform(0, 0.6), "server_up", None)]
        if rng.random() < 0.15:
            plan.append((rng.uniform(0, 1.0), "refuse", rng.uniform(0.2, 1.0)))
        plan.sort(key=lambda item: item[0])

        reassigns: dict[int, tuple] = {}
        others: list = []
        kills: list[tuple[float, object]] = []
        began = time.monotonic()
        for at, action, detail in plan:
            time.sleep(max(0.0, at - (time.monotonic() - began)))
            if action == "reassign":
                index, ticket_no, _station, reason = detail
                command, to = commands[index]
                figures.commands[command] += 1
                out = str(self.workdir / f"{tag}-r{index}.out")
                argv = [command, ticket_no, "--to", to, "--reason", reason, "--db", self.database_url, "--config", config]
                process = self._spawn(run_cli, argv, out)
                reassigns[index] = (process, time.monotonic(), out)
            elif action == "push":
                argv = ["outbox", "push", *(["--wait"] if detail else []), "--db", self.database_url, "--config", config]
                process = self._spawn(run_cli, argv, str(self.workdir / f"{tag}-push.out"))
                others.append(process)
            elif action == "pusher":
                process = self._spawn(run_pusher, self.database_url, config, str(self.workdir / f"{tag}-pusher.out"))
                others.append(process)
            elif action == "server_down":
                figures.events["server restarts"] += 1
                self._kill_server()
            elif action == "server_up":
                self._start_server()
            elif action == "refuse":
                self.proxy.refuse(detail)
            if action in ("reassign", "push", "pusher") and rng.random() < 0.25:
                kills.append((time.monotonic() + rng.uniform(0.05, 1.5), process))
        for when, process in sorted(kills, key=lambda item: item[0]):
            process.join(max(0.0, when - time.monotonic()))  # no wait for one that has ended
            if process.is_alive():
                process.kill()
                figures.events["SIGKILLs"] += 1
        said: dict[int, tuple[int | None, bool]] = {}
        for index, (process, started, _out) in reassigns.items():
            # Its own limit, and slack for a machine busy forking and killing.
            said[index] = _what_it_said(process, max(started + limit + 5 - time.monotonic(), 0.1))
        for process in others:
            if process.is_alive():
                process.kill()
            process.join(10)

        self._heal_and_judge(tag, requests, said, config, figures)

    def caught_in_flight(self, figures: Figures) -> None:
        """A `reassign` SIGKILLed while the proxy holds the answer to its request, which
        the server applied: applied, never heard; the healer's push must confirm it, not
        apply it again. Not left to the trials' timed kills, which land on a running
        command only when the machine is slow enough (docs/dispatch.md)."""
        tag = f"F{self.seed}caught"
        ticket_no, to, reason = f"{tag}-0", STATIONS[1], f"{tag} request 0"
        self._add_tickets([ticket_no])
        self.proxy.configure(random.Random(0), {"pass": 1.0})
        config = self._config(3)
        caught = self.proxy.catch(reason.encode())
        figures.commands["reassign"] += 1
        argv = ["reassign", ticket_no, "--to", to, "--reason", reason, "--db", self.database_url, "--config", config]
        process = self._spawn(run_cli, argv, str(self.workdir / f"{tag}-r0.out"))
        # ample for a loaded machine; the command's own limit is TIMEOUT × 3 + 4 s
        if caught.wait(60) and process.is_alive():
            process.kill()
            figures.events["SIGKILLs"] += 1
            figures.events["kills in flight"] += 1
        said = _what_it_said(process, 60)
        self.proxy.release()
        self._heal_and_judge(tag, [(ticket_no, to, reason)], {0: said}, config, figures)

    def _heal_and_judge(self, tag: str, requests: list, said: dict, config: str, figures: Figures) -> None:
        """Heal, let `outbox push --wait` deliver what is left, then judge the trial."""
        self.proxy.heal()
        if self.server is None or not self.server.is_alive():
            self._start_server()
        healer = self._spawn(
            run_cli, ["outbox", "push", "--wait", "--db", self.database_url, "--config", config], str(self.workdir / f"{tag}-heal.out")
        )
        healer.join(120)
        healer_code = healer.exitcode
        if healer_code is None:
            healer.kill()
        self._judge(tag, requests, said, healer_code, figures)
        self._clear_outbox()

    def _judge(self, tag, requests, said, healer_code, figures: Figures) -> None:
        entries, applied = self._outcome(sorted({ticket_no for ticket_no, _to, _reason in requests}))
        problems = []
        needs_a_person = False
        for index, (_ticket_no, _to, reason) in enumerate(requests):
            figures.requests += 1
            code, overran = said[index]
            entry = entries.get(reason)
            state = entry.state if entry else None
            times = applied.get(reason, 0)
            figures.said[_said(code)] += 1
            figures.final[state or "not recorded"] += 1
            if times > 1:
                figures.doubled += 1
                problems.append(f"{reason}: applied {times} times")
            if overran:
                figures.misreported += 1
                problems.append(f"{reason}: the command overran its time limit")
            if entry is None:
                if code in (0, 3):
                    figures.lost += 1
                    problems.append(f"{reason}: said {_said(code)}, nothing recorded")
                elif code not in (4, -9):
                    figures.misreported += 1
                    problems.append(f"{reason}: exit {code} without an entry")
                continue
            needs_a_person |= state in ("conflict", "refused", "failed")
            if state == "pending":
                figures.pending_after_heal += 1
                problems.append(f"{reason}: still pending after heal")
            elif state == "confirmed" and times == 0:
                figures.lost += 1
                problems.append(f"{reason}: confirmed, never applied")
            elif state in ("conflict", "refused", "failed") and times:
                figures.misreported += 1
                problems.append(f"{reason}: {state}, yet applied")
            elif state == "failed":
                figures.misreported += 1
                problems.append(f"{reason}: failed inside its retry window")
            if (code == 0 and state != "confirmed") or (code == 4 and state not in ("conflict", "refused")) or code in (1, 2):
                figures.misreported += 1
                problems.append(f"{reason}: said {_said(code)}, outbox says {state}, applied {times}")
        if healer_code != (1 if needs_a_person else 0):
            figures.misreported += 1
            problems.append(f"{tag}: outbox push --wait exited {healer_code}")
        if problems:
            figures.problems += problems
        else:
            for path in self.workdir.glob(f"{tag}-*"):
                path.unlink()

    def run(self, trials: int, progress=None) -> Figures:
        figures = Figures()
        began = time.monotonic()
        self.caught_in_flight(figures)
        for number in range(trials):
            self.trial(number, figures)
            figures.trials += 1
            if progress is not None:
                progress(figures)
        figures.seconds = time.monotonic() - began
        for kind, count in self.proxy.stats.by_kind.items():
            figures.events[f"proxy {kind}"] = count
        figures.events["proxy refusals"] = self.proxy.stats.refusals
        return figures

    def close(self) -> None:
        self._kill_server()
        self.proxy.close()
        self.engine.dispose()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _what_it_said(process, wait: float) -> tuple[int | None, bool]:
    """A command's exit status once it ended within `wait` seconds, and whether it
    overran them (then it is killed)."""
    process.join(wait)
    overran = process.is_alive()
    if overran:
        process.kill()
        process.join(10)
    return process.exitcode, overran


def _said(code: int | None) -> str:
    return {0: "confirmed", 3: "queued", 4: "refused", 1: "failed", 2: "usage error", -9: "killed"}.get(code, f"exit {code}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fault_campaign", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=1000, help="how many trials (default 1000)")
    parser.add_argument("--seed", type=int, default=16, help="the campaign's seed (default 16)")
    parser.add_argument("--db", metavar="URL", help="a database to run on (default: a new SQLite file)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="woq-faults-"))
    url = args.db or f"sqlite:///{workdir / 'campaign.db'}"
    campaign = Campaign(url, args.seed, workdir / "trials")

    def progress(figures: Figures) -> None:
        if figures.trials % 50 == 0:
            print(f"  {figures.trials} trials, {figures.requests} requests: {figures.line()}", file=sys.stderr, flush=True)

    try:
        figures = campaign.run(args.trials, progress)
    finally:
        campaign.close()
    database = url.split(":", 1)[0]
    print(f"fault campaign: {figures.trials} trials, {figures.requests} requests, {database}, seed {args.seed}, "
          f"{figures.seconds:.0f} s")
    print(figures.line())
    print("commands:", ", ".join(f"{k} {v}" for k, v in sorted(figures.commands.items())))
    print("said by the commands:", ", ".join(f"{k} {v}" for k, v in sorted(figures.said.items())))
    print("outbox after heal:", ", ".join(f"{k} {v}" for k, v in sorted(figures.final.items())))
    print("faults:", ", ".join(f"{k} {v}" for k, v in sorted(figures.events.items())))
    for problem in figures.problems[:20]:
        print("  " + problem)
    if figures.problems:
        print(f"(the processes' output is kept in {workdir})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if figures.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
