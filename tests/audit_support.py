"""Helpers of the audit's tests: a period around the frozen NOW, settings with [audit]
overrides, and the flags of an evaluation as {(ticket_no, rule): evidence}."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tests.conftest import NOW
from tests.factories import add_all, station
from woq_tui.config import parse_settings
from woq_tui.domain.periods import days_period
from woq_tui.store.audit import evaluate

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
# November 2026, local days: NOW (Thursday 26th 10:00) lies in it
PERIOD = days_period(date(2026, 11, 1), date(2026, 11, 26), SHANGHAI)
IN_PERIOD = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 20th 10:00 local


def audit_settings(**audit):
    return parse_settings({"console": {"language": "en", "operator": "D1023"}, "audit": audit})


def stations(engine) -> None:
    add_all(engine, station("S001", "东丽城东供电所", "urban"), station("S002", "西青农村供电所", "rural", "xqnc"),
            station("S003", "静海供电所", "urban", "jh"))  # fmt: skip


def flags(engine, rule: str | None = None, *, as_of: datetime = NOW, settings=None, period=PERIOD, **where) -> dict:
    """{(ticket_no, rule): evidence} of one rule (None: all) at as_of."""
    settings = settings or audit_settings()
    rules = None if rule is None else [rule]
    view = evaluate(engine, period, as_of, settings, rules=rules, **where).view
    return {(flag.ticket_no, flag.rule): dict(flag.evidence) for flag in view.flags}


def numbers(engine, rule: str, **kwargs) -> set[str]:
    return {ticket_no for ticket_no, _ in flags(engine, rule, **kwargs)}


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
