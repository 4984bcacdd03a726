"""The audit's rules that read one ticket alone (audit.md, "Rules"), as SQL conditions.

Each is a boolean SQLAlchemy expression over the ticket's columns, the same text on
SQLite and PostgreSQL: instants are integer epoch seconds (domain/timestamps.py), so
every comparison is integer arithmetic. The rules that read other tickets (repeats,
station_suspect) and the classifier's are in store/audit/; docs/audit.md says which
evidence each rule gives. Pure: expressions only, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from sqlalchemy import BigInteger, String, and_, func, literal, or_, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from woq_tui.audit_settings import AuditSettings
from woq_tui.domain.enums import Status, TicketType

# What str.strip() removes (Unicode whitespace): "an empty or whitespace-only text
# counts as missing" (audit.md) holds for a full-width space or a tab too, which SQL's
# one-argument trim() leaves.
# (every c with c.isspace(); tests/test_audit_rules.py checks the list is whole)
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The ticket table's columns, of the table itself or of an alias or CTE of it (`.c`)
TicketColumns: TypeAlias = ReadOnlyColumnCollection[str, ColumnElement[Any]]
MIN_SUMMARY = 4  # characters (audit.md, missing_summary)
DUE_TOLERANCE_S = 60  # due_mismatch: "differs by more than 1 minute"
OPEN_STATUSES = (Status.new, Status.dispatched, Status.accepted, Status.in_progress)
DONE_STATUSES = (Status.resolved, Status.closed)
# time_order's pairs in audit.md's order: (should come first, should come after)
TIME_PAIRS: tuple[tuple[str, str], ...] = (
    ("dispatched_at", "arrived_at"),
    ("dispatched_at", "resolved_at"),
    ("arrived_at", "resolved_at"),
    ("resolved_at", "closed_at"),
)


class stripped(FunctionElement[str]):
    """A text with Unicode whitespace trimmed from both ends (trim/btrim with a set)."""

    type = String()
    inherit_cache = True


@compiles(stripped)
def _stripped(element: stripped, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = element.clauses
    chars = compiler.process(literal(WHITESPACE, String), **kw)
    return f"trim({compiler.process(value, **kw)}, {chars})"


@compiles(stripped, "postgresql")
def _stripped_pg(element: stripped, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = element.clauses
    chars = compiler.process(literal(WHITESPACE, String), **kw)
    return f"btrim({compiler.process(value, **kw)}, {chars})"


def seconds(column: ColumnElement[Any]) -> ColumnElement[int]:
    """An EpochSeconds column as the plain integer it is in the database."""
    return type_coerce(column, BigInteger)


def missing(column: ColumnElement[Any]) -> ColumnElement[bool]:
    """NULL, empty or whitespace only."""
    return or_(column.is_(None), stripped(column) == "")


def _code(value: str) -> ColumnElement[str]:
    # fixed codes written into the SQL: a bound value is read per row on SQLite
    return literal(str(value), String, literal_execute=True)


def _codes(values: Iterable[str]) -> list[ColumnElement[str]]:
    return [_code(value) for value in values]


def row_conditions(
    columns: Any, as_of: int, settings: AuditSettings, expected_due: ColumnElement[int] | None
) -> dict[str, ColumnElement[bool]]:
    """rule id -> the condition under which it fires on a ticket (`columns`: the
    ticket table's columns), judged at `as_of` (epoch seconds). `expected_due`:
    created_at + the resolve limit of the ticket's type and area (store/audit/due.py);
    None leaves due_mismatch out."""
    c = columns
    now = literal(as_of, BigInteger, literal_execute=True)
    created, resolved, closed = seconds(c.created_at), seconds(c.resolved_at), seconds(c.closed_at)
    is_resolved = resolved <= now
    repair, complaint = c.type == _code(TicketType.repair), c.type == _code(TicketType.complaint)
    survey_by = literal(as_of - settings.survey_days * 86400, BigInteger, literal_execute=True)
    too_fast = literal(settings.too_fast_minutes * 60, BigInteger, literal_execute=True)
    conditions = {
        "missing_summary": or_(c.summary.is_(None), func.length(stripped(c.summary)) < MIN_SUMMARY),
        "missing_address": and_(repair, missing(c.address)),
        "missing_arrival": and_(repair, is_resolved, c.arrived_at.is_(None)),
        "missing_contact": and_(complaint, is_resolved, c.first_response_at.is_(None)),
        "missing_survey": and_(
            c.type.in_(_codes((TicketType.complaint, TicketType.repair))), closed <= survey_by, missing(c.satisfaction)
        ),
        "status_mismatch": or_(
            and_(is_resolved, c.status.in_(_codes(OPEN_STATUSES))),
            and_(c.resolved_at.is_(None), c.status.in_(_codes(DONE_STATUSES))),
            and_(c.closed_at.is_not(None), c.status != _code(Status.closed)),
        ),
        "time_order": or_(*(seconds(c[after]) < seconds(c[first]) for first, after in TIME_PAIRS)),
        "too_fast": and_(complaint, is_resolved, resolved - created <= too_fast),
        "repeat_dispatch": c.dispatch_count >= 2,
        "reopened": c.reopen_count >= 1,
    }
    if expected_due is not None:
        tolerance = literal(DUE_TOLERANCE_S, BigInteger, literal_execute=True)
        # abs(): the expected due time is computed once a row
        conditions["due_mismatch"] = func.abs(seconds(c.due_at) - expected_due) > tolerance
    return conditions


def first_pair_out_of_order(times: Mapping[str, int | None]) -> tuple[str, str] | None:
    """time_order's evidence: the first pair (audit.md's order) out of order."""
    for first, after in TIME_PAIRS:
        before, later = times.get(first), times.get(after)
        if before is not None and later is not None and later < before:
            return first, after
    return None
