"""`woq-console audit` as text, JSON and CSV (docs/audit.md; docs/audit.md lists each rule's
evidence keys). JSON: keys exactly as docs/audit.md names them, instants in ISO 8601 in the
configured time zone, not localised; text: for people, in the console's language,
padded by display width (a CJK character takes two cells), phones masked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from woq_tui.domain.audit_rules import RULES
from woq_tui.domain.instants import local_minute
from woq_tui.domain.privacy import mask_phone
from woq_tui.i18n import t
from woq_tui.reporting.audit_words import evidence_words
from woq_tui.values.audit import AuditFlag, AuditView

CSV_HEADER = ("ticket_no", "rule", "severity", "station_code", "type", "created_at", "evidence",
              "verdict", "operator", "reviewed_at", "note")  # fmt: skip


def _iso(value: datetime | None, tz) -> str | None:
    return None if value is None else value.astimezone(tz).isoformat()


def json_evidence(evidence: Mapping[str, Any], tz) -> dict[str, Any]:
    return {key: _iso(value, tz) if isinstance(value, datetime) else value for key, value in evidence.items()}


def audit_document(view: AuditView, tz) -> dict[str, Any]:
    model = view.model
    return {
        "period": {
            "from": _iso(view.period.start, tz),
            "to": _iso(view.period.end, tz),
            "as_of": _iso(view.as_of, tz),
            "timezone": str(tz),
        },
        "model": None if model is None else {"trained_at": _iso(model.trained_at, tz), "accuracy": model.accuracy},
        "flags": [
            {
                "ticket_no": flag.ticket_no,
                "rule": flag.rule,
                "severity": flag.severity,
                "evidence": json_evidence(flag.evidence, tz),
                "review": None
                if flag.review is None
                else {
                    "verdict": flag.review.verdict,
                    "operator": flag.review.operator,
                    "at": _iso(flag.review.at, tz),
                    "note": flag.review.note,
                },
            }
            for flag in view.flags
        ],
    }


def render_json(view: AuditView, tz) -> str:
    return json.dumps(audit_document(view, tz), ensure_ascii=False, indent=2) + "\n"


def render_csv(view: AuditView, tz) -> str:
    from woq_tui.reporting.csv_writer import csv_text

    rows = []
    for flag in view.flags:
        review = flag.review
        rows.append([
            flag.ticket_no, flag.rule, flag.severity, flag.station_code, flag.type, _iso(flag.created_at, tz),
            json.dumps(json_evidence(flag.evidence, tz), ensure_ascii=False, sort_keys=True),
            review and review.verdict, review and review.operator, review and _iso(review.at, tz), review and review.note,
        ])  # fmt: skip
    return csv_text(CSV_HEADER, rows)


def evidence_text(flag: AuditFlag, tz, phones: Mapping[str, str | None], names: Mapping[str, str] | None = None) -> str:
    """The evidence in the console's words (reporting/audit_words.py, as screen 6 says
    it); a repeat call starts with the caller's masked phone."""
    text = evidence_words(flag, tz, names or {})
    phone = phones.get(flag.ticket_no)
    return f"{mask_phone(phone)} {text}" if flag.rule == "repeat_call" and phone else text


def render_text(view: AuditView, tz, phones: Mapping[str, str | None], notice: str | None) -> str:
    from woq_tui.reporting.audit_columns import padded

    lines = [t("audit.text.period", start=local_minute(view.period.start, tz), end=local_minute(view.period.end, tz),
               as_of=local_minute(view.as_of, tz))]  # fmt: skip
    model = view.model
    if model is not None:
        lines.append(t("audit.text.model", at=local_minute(model.trained_at, tz), accuracy=f"{model.accuracy:.1%}"))
    if view.skipped:
        names = t("audit.list_sep").join(t(f"audit.rule.{rule}") for rule in view.skipped)
        lines.append(t("audit.text.skipped", rules=names) + (t("audit.text.because", why=t(notice)) if notice else ""))
    lines.append("")
    if not view.flags:
        lines.append(t("audit.text.none"))
        return "\n".join(lines) + "\n"
    header = [t("audit.col.ticket"), t("audit.col.rule"), t("audit.col.severity"), t("audit.col.station"),
              t("audit.col.evidence"), t("audit.col.review")]  # fmt: skip
    rows = [header]
    for flag in view.flags:
        review = "" if flag.review is None else f"{t(f'audit.verdict.{flag.review.verdict}')} {flag.review.operator}"
        station = view.station_names.get(flag.station_code, flag.station_code)
        rows.append([flag.ticket_no, t(f"audit.rule.{flag.rule}"), t(f"audit.severity.{flag.severity}"), station,
                     evidence_text(flag, tz, phones, view.station_names), review])  # fmt: skip
    lines += padded(rows)
    counts: dict[str, int] = {}
    for flag in view.flags:
        counts[flag.rule] = counts.get(flag.rule, 0) + 1
    summary = [f"{t(rule.name_key)} {counts[rule.id]}" for rule in RULES if rule.id in counts]
    tickets = len({flag.ticket_no for flag in view.flags})
    lines += ["", t("audit.text.total", flags=len(view.flags), tickets=tickets, rules=t("audit.list_sep").join(summary))]
    return "\n".join(lines) + "\n"
