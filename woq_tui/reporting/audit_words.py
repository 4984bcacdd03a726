"""A flag's rule, severity, review and evidence in the console's words
(docs/audit.md, docs/audit-screen.md): one reading for screen 6, the ticket detail, the
exports and `woq-console audit`'s text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone, tzinfo
from typing import Any

from woq_tui.i18n import t
from woq_tui.reporting.formatting import group_label
from woq_tui.values.audit import AuditFlag

# How many earlier tickets the evidence names before "+n".
EARLIER_SHOWN = 3


def rule_name(rule: str) -> str:
    name = t(f"audit.rule.{rule}")
    return rule if name == f"audit.rule.{rule}" else name


def severity_word(severity: str) -> str:
    return t(f"audit.severity.{severity}")


def review_word(flag: AuditFlag) -> str:
    if flag.review is None:
        return t("audit.review.open")
    return t(f"audit.review.{flag.review.verdict}")


def _words(value: Any, tz: tzinfo) -> str:
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _time(value: Any, tz: tzinfo) -> str:
    """An evidence time: a datetime, or the ISO text / epoch seconds JSON carries."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        value = datetime.fromtimestamp(value, timezone.utc)
    return _words(value, tz)


def earlier_tickets(flag: AuditFlag) -> list[str]:
    """The earlier tickets a repeat flag names (docs/audit.md: `{"earlier": [...]}`)."""
    earlier = flag.evidence.get("earlier") if flag.evidence else None
    return [str(no) for no in earlier] if isinstance(earlier, (list, tuple)) else []


def evidence_words(flag: AuditFlag, tz: tzinfo, station_names: Mapping[str, str], all_earlier: bool = False) -> str:
    """The evidence (its keys: docs/audit.md) as words a supervisor reads
    (docs/audit-screen.md); keys a rule adds later show as "key value"."""
    evidence = dict(flag.evidence or {})
    rule = flag.rule
    parts: list[str] = []
    earlier = earlier_tickets(flag)
    evidence.pop("earlier", None)
    if earlier:
        named = earlier if all_earlier else earlier[:EARLIER_SHOWN]
        more = len(earlier) - len(named)
        parts.append(t("audit.words.earlier", n=len(earlier), tickets="、".join(named) + (f" +{more}" if more else "")))
    if rule == "type_suspect" and "type" in evidence:
        parts.append(t("audit.words.predicted", type=group_label("type", str(evidence.pop("type"))),
                       probability=_share(evidence.pop("probability", None))))
    if rule == "station_suspect" and "station" in evidence:
        code = str(evidence.pop("station"))
        parts.append(t("audit.words.station", station=station_names.get(code, code), share=_share(evidence.pop("share", None)),
                       n=evidence.pop("history", t("none"))))
    if "minutes" in evidence:
        parts.append(t("audit.words.minutes", n=_words(evidence.pop("minutes"), tz)))
    if "count" in evidence:
        key = f"audit.words.count.{rule}" if rule in ("repeat_dispatch", "reopened") else "audit.words.count"
        parts.append(t(key, n=evidence.pop("count")))
    if "expected_due_at" in evidence:
        parts.append(t("audit.words.expected_due", at=_time(evidence.pop("expected_due_at"), tz)))
    if "status" in evidence:
        parts.append(t("audit.words.status", status=group_label("status", str(evidence.pop("status")))))
    pair = evidence.pop("pair", None)
    if isinstance(pair, (list, tuple)) and len(pair) == 2:
        # time_order: the pair (first, second) should not have second before first
        first, second = (str(name) for name in pair)
        parts.append(t("audit.words.order", second=_field_at(second, evidence.pop(second, None), tz),
                       first=_field_at(first, evidence.pop(first, None), tz)))
    for key, value in evidence.items():  # the status's times, and whatever else a rule says
        parts.append(_field_at(key, value, tz))
    return "；".join(parts) if parts else t("audit.words.none")


def _share(value: Any) -> str:
    return f"{float(value):.0%}" if isinstance(value, (int, float)) else t("none")


def _field_at(name: str, value: Any, tz: tzinfo) -> str:
    """"到达时间 11-23 14:05": a ticket field's label and its value (— when unset)."""
    label = t(f"field.{name}")
    shown = t("none") if value is None else _time(value, tz) if name.endswith("_at") else _words(value, tz)
    return f"{name if label == f'field.{name}' else label} {shown}"
