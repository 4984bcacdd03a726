"""Reviews of flags (docs/audit.md, "Reviews"): confirmed (确认问题) or dismissed (误报), with
the operator, the time and an optional note. One review per ticket and rule: a new one
replaces the old (audit_review's unique key). A dismissed flag is left out of the
listing and the figures from then on; a confirmed one stays in both."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, union_all
from sqlalchemy.dialects import postgresql, sqlite

from woq_tui.domain.audit_rules import RULES_BY_ID, VERDICTS
from woq_tui.errors import ReviewError
from woq_tui.store.audit.flags import REVIEW, TICKET, AuditScope, raw_flags
from woq_tui.values.audit import FlagReview


def check_review(rule: str, verdict: str) -> None:
    if rule not in RULES_BY_ID:
        raise ReviewError("audit.review.unknown_rule", rule=rule)
    if verdict not in VERDICTS:
        raise ReviewError("audit.review.unknown_verdict", verdict=verdict)


def ticket_created(connection: Connection, ticket_no: str) -> datetime | None:
    return connection.execute(select(TICKET.c.created_at).where(TICKET.c.ticket_no == ticket_no)).scalar_one_or_none()


def fires(connection: Connection, scope: AuditScope) -> bool:
    """Whether the scope's rule fires on its ticket, dismissed or not."""
    parts = raw_flags(scope)
    if not parts:
        return False
    found = union_all(*parts).subquery("found")
    return connection.execute(select(found.c.rule).limit(1)).first() is not None


def write_review(
    connection: Connection, ticket_no: str, rule: str, verdict: str, operator: str, note: str | None, at: datetime
) -> FlagReview:
    """Replace the ticket's review of the rule, in the caller's transaction: one upsert on
    the unique (ticket_no, rule), so two supervisors reviewing the same flag at once both
    succeed and the later one stands (a delete then an insert let the second fail on the
    unique key)."""
    note = note.strip() if note and note.strip() else None
    values = dict(ticket_no=ticket_no, rule=rule, verdict=verdict, operator=operator, at=at, note=note)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(REVIEW).values(**values)
    replaced = {name: statement.excluded[name] for name in ("verdict", "operator", "at", "note")}
    connection.execute(statement.on_conflict_do_update(index_elements=[REVIEW.c.ticket_no, REVIEW.c.rule], set_=replaced))
    return FlagReview(verdict, operator, at, note)
