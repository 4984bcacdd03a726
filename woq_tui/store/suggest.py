"""Suggested stations for a ticket, counted in SQL (docs/dispatch-assist.md).

(a) The address history, as the audit's routing model reads it (docs/audit.md,
"station_suspect"): the stations of the tickets created before this one at the same
normalised address (ticket.address_key), in the 90 days before it, or in all time when
those are fewer than `[audit] route_min_history`. With too few at the address, the same
at its road, then its village or community, then its town or street: the address cut
after that part (domain/address_parts.py) is a prefix of address_key, read as a range
on the btree ix_ticket_address_key on both databases (no new column: the range reads
only the village's rows, bench/suggest_bench.py). With no history anywhere, the
stations named after the address's district or county (东丽区 → 东丽…供电所).
(b) Each candidate's load at `as_of`, counted as the queue's KPI strip counts it
(store/queries.open_load_columns): open, overdue, at risk (docs/sla.md).
(c) Whether its area type matches the address's (a 街道/社区 is urban, a 镇/乡/村 is not;
an address that says neither takes the ticket's station's).

Best first: most tickets in the history, then a matching area type, then the lighter
load (fewer overdue, fewer at risk, fewer open), then the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Connection, Engine, and_, bindparam, func, select
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.address_parts import AddressParts, is_urban, parse_address, prefixes
from woq_tui.domain.contact_keys import address_key
from woq_tui.domain.metrics import flag
from woq_tui.domain.sla import SlaPolicy
from woq_tui.domain.tables import AnySelect
from woq_tui.store.db import snapshot
from woq_tui.store.queries import STATION, TICKET, is_open, open_load_columns
from woq_tui.store.rows import kpi_parameters
from woq_tui.values.suggestions import RECENT_DAYS, Evidence, StationSuggestion, Suggestions

LOAD = ("open", "overdue", "at_risk")
# How many stations a suggestion lists.
SUGGESTIONS = 5
# Above every character a key can hold: `key < prefix + TOP` bounds the prefix range.
TOP = "\U0010ffff"
_DISTRICT_SUFFIXES = ("自治县", "自治旗", "区", "县", "市", "旗")


@dataclass(frozen=True)
class _Ticket:
    id: int
    ticket_no: str
    station_code: str
    created_at: datetime
    address: str | None
    address_key: str | None
    area_type: str


# The scopes of the history, narrowest first (values/suggestions.SCOPES, less "district").
HISTORY_SCOPES = ("address", "road", "village", "town")


def suggest_stations(
    engine: Engine,
    ticket_no: str,
    as_of: datetime,
    policy: SlaPolicy,
    min_history: int,
    limit: int = SUGGESTIONS,
    scopes: tuple[str, ...] = HISTORY_SCOPES,
) -> Suggestions | None:
    """The suggestions for one ticket, or None when there is no such ticket. `scopes`:
    the history scopes read (bench/suggest_bench.py measures the fallback alone)."""
    with snapshot(engine) as connection:
        ticket = _ticket(connection, ticket_no)
        if ticket is None:
            return None
        parts = parse_address(ticket.address)
        evidence, counts = _history(connection, ticket, parts, min_history, scopes)
        if evidence is None:
            evidence, counts = _district(connection, parts)
        urban = is_urban(parts)
        if urban is None:
            urban = ticket.area_type == "urban"
        ranked = _with_load(connection, counts, as_of, policy, ticket, urban)
    return Suggestions(ticket.ticket_no, ticket.station_code, evidence, tuple(ranked[:limit]))


# The statements are built once, with bound parameters: building them per call cost
# more than running them (bench/suggest_bench.py).
@cache
def _ticket_statement() -> AnySelect:
    return (
        select(
            TICKET.c.id, TICKET.c.ticket_no, TICKET.c.station_code, TICKET.c.created_at, TICKET.c.address, TICKET.c.address_key,
            STATION.c.area_type,
        )
        .join(STATION, STATION.c.code == TICKET.c.station_code)
        .where(TICKET.c.ticket_no == bindparam("ticket_no"))
    )


def _ticket(connection: Connection, ticket_no: str) -> _Ticket | None:
    row = connection.execute(_ticket_statement(), {"ticket_no": ticket_no}).one_or_none()
    return None if row is None else _Ticket(*row)


def prefix_condition(key: Any, upper: Any, length: Any) -> ColumnElement[bool]:
    """address_key starts with `key` (`prefix_values(key)` gives the three values): a
    range the btree reads (on SQLite and on a PostgreSQL database in C or C.UTF-8
    collation: code point order), rechecked exactly, so that another collation can
    cost the index but never a wrong row."""
    column = TICKET.c.address_key
    return and_(column >= key, column < upper, func.substr(column, 1, length) == key)


def prefix_values(key: str) -> dict[str, object]:
    return {"key": key, "upper": key + TOP, "length": len(key)}


@cache
def _history_statement(prefix: bool) -> AnySelect:
    """Earlier tickets at an address (or under a prefix) by station: all, and since :since."""
    key: BindParameter[str] = bindparam("key")
    condition = prefix_condition(key, bindparam("upper"), bindparam("length")) if prefix else TICKET.c.address_key == key
    return (
        select(TICKET.c.station_code, func.count(), func.sum(flag(TICKET.c.created_at >= bindparam("since"))))
        .where(condition, TICKET.c.created_at < bindparam("created"))
        .group_by(TICKET.c.station_code)
    )


def _scopes(ticket: _Ticket, parts: AddressParts | None) -> list[tuple[str, AnySelect, dict[str, object]]]:
    scopes: list[tuple[str, AnySelect, dict[str, object]]] = []
    if ticket.address_key:
        scopes.append(("address", _history_statement(False), {"key": ticket.address_key}))
    for level, text in prefixes(parts):
        key = address_key(text)
        if key and key != ticket.address_key:
            scopes.append((level, _history_statement(True), prefix_values(key)))
    return scopes


def _history(
    connection: Connection, ticket: _Ticket, parts: AddressParts | None, min_history: int, wanted: tuple[str, ...]
) -> tuple[Evidence | None, dict[str, int]]:
    """The narrowest scope with at least `min_history` earlier tickets (in 90 days, else
    in all time); failing that, the narrowest with any. Its tickets by station."""
    since = ticket.created_at - timedelta(days=RECENT_DAYS)
    fallback: tuple[Evidence, dict[str, int]] | None = None
    for scope, statement, values in _scopes(ticket, parts):
        if scope not in wanted:
            continue
        rows = connection.execute(statement, {**values, "since": since, "created": ticket.created_at}).all()
        every = {code: int(total) for code, total, _recent in rows}
        recent = {code: int(count) for code, _total, count in rows if count}
        if sum(recent.values()) >= min_history:
            return Evidence(scope, RECENT_DAYS, sum(recent.values())), recent
        if sum(every.values()) >= min_history:
            return Evidence(scope, None, sum(every.values())), every
        if fallback is None and every:
            if recent == every:
                fallback = Evidence(scope, RECENT_DAYS, sum(recent.values())), recent
            else:
                fallback = Evidence(scope, None, sum(every.values())), every
    return fallback if fallback is not None else (None, {})


def district_stem(parts: AddressParts | None) -> str | None:
    """东丽区 → 东丽, 宝坻县 → 宝坻: how station names begin in that district."""
    district = parts.district if parts is not None else None
    if not district:
        return None
    for suffix in _DISTRICT_SUFFIXES:
        if district.endswith(suffix) and len(district) - len(suffix) >= 2:
            return district[: -len(suffix)]
    return None


def _district(connection: Connection, parts: AddressParts | None) -> tuple[Evidence | None, dict[str, int]]:
    stem = district_stem(parts)
    if stem is None:
        return None, {}
    codes = connection.scalars(
        select(STATION.c.code).where(STATION.c.name.startswith(stem, autoescape=True)).order_by(STATION.c.code)
    ).all()
    return (Evidence("district", None, 0), {code: 0 for code in codes}) if codes else (None, {})


@cache
def _load_statement() -> AnySelect:
    """Each candidate station with its open, overdue and at-risk tickets (one round trip)."""
    codes: BindParameter[list[str]] = bindparam("codes", expanding=True)
    load = (
        select(TICKET.c.station_code.label("code"), *(c.label(n) for c, n in zip(open_load_columns(), LOAD)))
        .where(is_open(), TICKET.c.station_code.in_(codes))
        .group_by(TICKET.c.station_code)
        .subquery("load")
    )
    return (
        select(STATION.c.code, STATION.c.name, STATION.c.area_type, *(func.coalesce(load.c[n], 0) for n in LOAD))
        .outerjoin(load, load.c.code == STATION.c.code)
        .where(STATION.c.code.in_(codes))
    )


def _with_load(
    connection: Connection, counts: dict[str, int], as_of: datetime, policy: SlaPolicy, ticket: _Ticket, urban: bool
) -> list[StationSuggestion]:
    """The candidates with their load and area, best first."""
    if not counts:
        return []
    codes = sorted(counts)
    stations = connection.execute(_load_statement(), {**kpi_parameters(as_of, policy), "codes": codes}).all()
    suggestions = [
        StationSuggestion(
            code=code,
            name=name,
            area_type=area_type,
            handled=counts[code],
            open=int(open_),
            overdue=int(overdue),
            at_risk=int(at_risk),
            area_match=(area_type == "urban") == urban,
            current=code == ticket.station_code,
        )
        for code, name, area_type, open_, overdue, at_risk in stations
    ]
    suggestions.sort(key=lambda s: (-s.handled, not s.area_match, s.overdue, s.at_risk, s.open, s.code))
    return suggestions


__all__ = ["SUGGESTIONS", "district_stem", "prefix_condition", "prefix_values", "suggest_stations"]
