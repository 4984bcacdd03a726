"""Suggested stations: how often they are right, and how long one takes.

    .venv/bin/python -m bench.suggest_bench [--stations 100] [--days 365] [--samples 300]

1. Accuracy: a demo generated with its planted defects (docs/demo.md, "Planted
   defects"): for every misrouted ticket, is the planted right station the first
   suggestion (top-1), among the first three (top-3)? As the dialog offers them (the
   ticket's own station left out) and as `woq-console suggest` lists them (all).
   Also, on every ticket of the last 30 days whose address has history, how often the
   first suggestion is the station the ticket is at (the routing model on the rest).
2. Time: one suggestion (ConsoleStore's path: store/suggest.py) for `samples` tickets
   of the last 30 days, median and p95, against the bare SQL of the same answer's core
   (the ticket, then the exact address's GROUP BY), on SQLite and, with
   WOQ_TEST_DATABASE_URL set, on PostgreSQL. The aim: under 50 ms.

The databases are kept in bench/out/ (SQLite) and in database `woq_suggest_bench` on the
test server, and generated when missing. The machine is shared: figures carry that.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from woq_tui.config import parse_settings
from woq_tui.domain.models import Ticket
from woq_tui.store.db import make_engine, upgrade
from woq_tui.store.suggest import suggest_stations

UTC = timezone.utc
OUT = Path(__file__).parent / "out"
END = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
SEED = 95598
PG_NAME = "woq_suggest_bench"


def policy():
    return parse_settings({}).sla_policy()


def prepare(url: str, stations: int, days: int):
    """The demo at `url`, generated (with its planted defects) when empty; its truth."""
    from woq_tui.demo.generator import generate

    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Ticket))
    planted = None
    if not count:
        started = time.perf_counter()
        result = generate(engine, policy(), seed=SEED, stations=stations, days=days, end=END, planted=True)
        planted = result.planted
        print(f"  generated {url.split('@')[-1]} in {time.perf_counter() - started:.0f} s")
    if engine.dialect.name == "postgresql":
        # as after a day of autovacuum: statistics, and the visibility map an index-only scan needs
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE ticket")
    return engine, planted


def truth(stations: int, days: int):
    from woq_tui.demo.generator import planted_defects

    return planted_defects(SEED, stations, days, END)


def accuracy(engine, planted, samples: int) -> None:
    right = planted.right_station
    print(f"  planted misrouted tickets: {len(right)} (of {planted.tickets})")
    if not right:
        return
    # The demo plants misroutes at addresses with history; without the exact address
    # (as if the caller gave another house number) the fallback to the road, village
    # or street is measured alone.
    for label, scopes in (("whole history", None), ("without the exact address", ("road", "village", "town"))):
        top1 = top3 = all1 = all3 = 0
        for ticket_no, station in right.items():
            extra = {"scopes": scopes} if scopes else {}
            found = suggest_stations(engine, ticket_no, END, policy(), 5, **extra)
            targets = [s.code for s in found.targets()]
            listed = [s.code for s in found.suggestions]
            top1 += targets[:1] == [station]
            top3 += station in targets[:3]
            all1 += listed[:1] == [station]
            all3 += station in listed[:3]
        n = len(right)
        print(f"  {label}: as the dialog offers them (own station left out): top-1 {top1 / n:.1%}  top-3 {top3 / n:.1%};"
              f" as `suggest` lists them: top-1 {all1 / n:.1%}  top-3 {all3 / n:.1%}")
    # the rest: tickets of the last 30 days, not misrouted, whose suggestions have history
    tickets = _recent(engine, samples * 3)
    hits = counted = 0
    for ticket_no, station in tickets:
        if ticket_no in right:
            continue
        found = suggest_stations(engine, ticket_no, END, policy(), 5)
        if found.evidence is None or found.evidence.scope == "district":
            continue
        counted += 1
        hits += found.suggestions[0].code == station
    if counted:
        print(f"  other recent tickets with history: {counted}; first suggestion = their station {hits / counted:.1%}")


def _recent(engine, limit: int) -> list[tuple[str, str]]:
    since = END - timedelta(days=30)
    with engine.connect() as connection:
        rows = connection.execute(
            select(Ticket.ticket_no, Ticket.station_code)
            .where(Ticket.created_at >= since, Ticket.address_key.is_not(None))
            .order_by(Ticket.id)
        ).all()
    rng = random.Random(1)
    return rng.sample(rows, min(limit, len(rows)))


def _stats(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(0.95 * len(values)))]


BARE = (
    "SELECT id, created_at, address_key FROM ticket WHERE ticket_no = {p}",
    "SELECT station_code, count(*) FROM ticket WHERE address_key = {p} AND created_at < {p} GROUP BY station_code",
)


def _driver(url: str):
    """A connection of the driver itself (sqlite3 / psycopg), no SQLAlchemy."""
    if url.startswith("sqlite"):
        import sqlite3

        return sqlite3.connect(make_url(url).database), "?"
    import psycopg

    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)), "%s"


def recorded(engine, tickets: list[str]) -> dict[str, list[tuple[str, object]]]:
    """The statements and parameters one suggestion sends to the driver, per ticket."""
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = {}
        for ticket_no in tickets:
            sent.clear()
            suggest_stations(engine, ticket_no, END, policy(), 5)
            result[ticket_no] = list(sent)
        return result
    finally:
        event.remove(engine, "before_cursor_execute", record)


def bare_replay(url: str, statements: dict[str, list[tuple[str, object]]]) -> list[float]:
    """The same statements with the same parameters, through the driver alone."""
    connection, _mark = _driver(url)
    times = []
    for _ticket_no, sent in list(statements.items()) * 2:
        started = time.perf_counter()
        cursor = connection.cursor()
        for statement, parameters in sent:
            if statement.strip().upper() == "BEGIN":
                continue
            cursor.execute(statement, parameters)
            cursor.fetchall()
        connection.rollback()
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times[len(statements):]  # the first pass warms the caches


def bare_minimal(url: str, tickets: list[str]) -> list[float]:
    """The least any answer needs: the ticket, then its exact address's GROUP BY."""
    connection, mark = _driver(url)
    first, second = (q.format(p=mark) for q in BARE)
    times = []
    for ticket_no in tickets * 2:
        started = time.perf_counter()
        cursor = connection.cursor()
        cursor.execute(first, (ticket_no,))
        _id, created, key = cursor.fetchone()
        cursor.execute(second, (key, created))
        cursor.fetchall()
        connection.rollback()
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times[len(tickets):]


def timing(engine, url: str, samples: int) -> None:
    tickets = [ticket_no for ticket_no, _ in _recent(engine, samples)]
    scopes: dict[str, int] = {}
    for ticket_no in tickets[:20]:  # warm the caches and the compiled statements
        suggest_stations(engine, ticket_no, END, policy(), 5)
    first: list[float] = []
    again: list[float] = []
    sla = policy()
    for times in (first, again):  # the first read of each address, then the same again
        for ticket_no in tickets:
            started = time.perf_counter()
            found = suggest_stations(engine, ticket_no, END, sla, 5)
            times.append((time.perf_counter() - started) * 1000)
            if times is first:
                scope = found.evidence.scope if found.evidence else "none"
                scopes[scope] = scopes.get(scope, 0) + 1
    statements = recorded(engine, tickets)
    per_ticket = statistics.mean(len(sent) for sent in statements.values())
    (fm, fp), (om, op) = _stats(first), _stats(again)
    (rm, rp), (bm, bp) = _stats(bare_replay(url, statements)), _stats(bare_minimal(url, tickets))
    print(f"  one suggestion, {len(tickets)} tickets of the last 30 days: median {fm:.1f} ms, p95 {fp:.1f} ms;"
          f" asked again: median {om:.1f} ms, p95 {op:.1f} ms")
    print(f"  the same {per_ticket:.1f} statements through the driver alone (asked again): median {rm:.1f} ms,"
          f" p95 {rp:.1f} ms; ratio {om / rm:.2f}x")
    print(f"  the least SQL (ticket + exact address GROUP BY): median {bm:.2f} ms, p95 {bp:.2f} ms")
    print(f"  evidence scopes: {dict(sorted(scopes.items()))}")


def explain(engine) -> None:
    """The plan of a prefix range: it must read the address index, not the table."""
    from woq_tui.store.suggest import prefix_condition, prefix_values

    with engine.connect() as connection:
        key = connection.scalar(select(Ticket.address_key).where(Ticket.address_key.is_not(None)).limit(1))
        values = prefix_values(key[:8])
        condition = prefix_condition(values["key"], values["upper"], values["length"])
        query = select(Ticket.station_code, func.count()).where(condition).group_by(Ticket.station_code)
        compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
        word = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
        plan = [" ".join(str(v) for v in row) for row in connection.execute(text(f"{word} {compiled}"))]
    print("  prefix range plan: " + " | ".join(line.strip() for line in plan)[:300])


def pg_url() -> str | None:
    base = os.environ.get("WOQ_TEST_DATABASE_URL")
    if not base:
        return None
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_NAME}):
            connection.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
    admin.dispose()
    return make_url(base).set(database=PG_NAME).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    urls = [f"sqlite:///{OUT / f'suggest_{args.stations}x{args.days}.db'}"]
    pg = pg_url()
    if pg:
        urls.append(pg)
    planted = None
    for url in urls:
        print(("SQLite" if url.startswith("sqlite") else "PostgreSQL") + f": {args.stations} stations, {args.days} days")
        engine, made = prepare(url, args.stations, args.days)
        planted = planted or made
        if not args.skip_accuracy and url == urls[0]:
            accuracy(engine, planted or truth(args.stations, args.days), args.samples)
        timing(engine, url, args.samples)
        explain(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
