"""`report --with-audit`: docs/audit.md's figures (flagged, quality_pass_rate, flags_by_rule)
added to the report's totals, by_type, by_area and each station, from the same flags
as `woq-console audit` (store/audit/figures.py), with the stored model for type_suspect.

JSON carries all three everywhere (docs/audit.md); csv gets three station columns
(flags_by_rule as a JSON object in its cell), md and html the flagged count and the
pass rate per station (docs/audit.md)."""

from __future__ import annotations

import json
from typing import Any

from woq_tui.i18n import t
from woq_tui.values.audit import QualityFigures

AUDIT_KEYS = ("flagged", "quality_pass_rate", "flags_by_rule")


def _values(figures: QualityFigures | None, rules: tuple[str, ...]) -> dict[str, Any]:
    if figures is None:  # a group without tickets
        return {"flagged": 0, "quality_pass_rate": None, "flags_by_rule": {rule: 0 for rule in rules}}
    return {"flagged": figures.flagged, "quality_pass_rate": figures.quality_pass_rate,
            "flags_by_rule": dict(figures.flags_by_rule)}  # fmt: skip


def add_quality(report, engine, settings) -> str | None:
    """Fill the report's groups with the audit's figures; the notice key when
    type_suspect was skipped for want of a model (None otherwise)."""
    from woq_tui.store.audit import quality_report

    quality = quality_report(engine, report.period, report.as_of, settings)
    rules = tuple(quality.totals.flags_by_rule)
    report.totals.update(_values(quality.totals, rules))
    for groups, found in ((report.by_type, quality.by_type), (report.by_area, quality.by_area)):
        for code, values in groups.items():
            values.update(_values(found.get(code), rules))
    for row in report.stations:
        row.update(_values(quality.by_station.get(row["station_code"]), rules))
    report.station_extras = (*report.station_extras, *AUDIT_KEYS)
    return quality.notice


def audit_label(key: str) -> str:
    return t(f"audit.figure.{key}")


def audit_cell(key: str, value: Any) -> str:
    """For md and html: a count, a percentage, the rules with flags."""
    if value is None:
        return t("none")
    if key == "quality_pass_rate":
        return f"{value:.1%}"
    if key == "flags_by_rule":
        return t("audit.list_sep").join(f"{t(f'audit.rule.{rule}')} {n}" for rule, n in value.items() if n) or "0"
    return str(value)


def csv_cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict) else value
