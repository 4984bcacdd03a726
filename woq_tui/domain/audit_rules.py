"""The audit's rules (docs/audit.md, "Rules"): ids, severities and the message key of their
names, in the table's order. What each rule checks is SQL, in store/audit/; the
thresholds are `[audit]` settings (audit_settings.py); docs/audit.md lists the
evidence each one gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warn", "info"]
SEVERITIES: tuple[str, ...] = ("error", "warn", "info")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    name_key: str


def _rule(rule_id: str, severity: Severity) -> Rule:
    return Rule(rule_id, severity, f"audit.rule.{rule_id}")


RULES: tuple[Rule, ...] = (
    _rule("missing_summary", "warn"),
    _rule("missing_address", "warn"),
    _rule("missing_arrival", "warn"),
    _rule("missing_contact", "error"),
    _rule("missing_survey", "info"),
    _rule("status_mismatch", "error"),
    _rule("time_order", "error"),
    _rule("too_fast", "warn"),
    _rule("due_mismatch", "warn"),
    _rule("repeat_call", "warn"),
    _rule("repeat_fault", "error"),
    _rule("repeat_dispatch", "warn"),
    _rule("reopened", "warn"),
    _rule("type_suspect", "warn"),
    _rule("station_suspect", "warn"),
)
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
# The rules that need the stored classifier (skipped without one).
MODEL_RULES: frozenset[str] = frozenset({"type_suspect"})
# The review verdicts (docs/audit.md, "Reviews").
CONFIRMED, DISMISSED = "confirmed", "dismissed"
VERDICTS: tuple[str, ...] = (CONFIRMED, DISMISSED)
