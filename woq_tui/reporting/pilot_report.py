"""The pilot evaluation as text and as docs/assessment.md's JSON document."""

from __future__ import annotations

from typing import Any

from woq_tui.domain.figure_catalog import FIGURE_BY_KEY
from woq_tui.domain.instants import local_minute
from woq_tui.domain.safe_text import terminal_text
from woq_tui.i18n import t
from woq_tui.reporting.columns import aligned
from woq_tui.reporting.formatting import figure_label, format_delta, format_value, verdict
from woq_tui.values.assessment import PilotGroup, PilotResult


def pilot_document(result: PilotResult) -> dict[str, Any]:
    """{"figure", "pilot": {"before", "after", "tickets_before", "tickets_after"},
    "control": {...}, "effect", "ci95": [lo, hi], "significant"} (docs/assessment.md);
    unrounded numbers, null where undefined."""

    def group(cells: PilotGroup) -> dict[str, Any]:
        return {
            "before": cells.before.value,
            "after": cells.after.value,
            "tickets_before": cells.before.tickets,
            "tickets_after": cells.after.tickets,
        }

    return {
        "figure": result.figure,
        "pilot": group(result.pilot),
        "control": group(result.control),
        "effect": result.effect,
        "ci95": list(result.ci95) if result.ci95 is not None else None,
        "significant": result.significant,
    }


def _days(period) -> str:
    return t("period.days", start=period.first_day.isoformat(), end=period.last_day.isoformat())


def pilot_text(result: PilotResult, tz) -> str:
    """What a person reads: the stations, the windows, the four cells, the effect and
    its interval, and whether it is significant; in the console language."""
    key = result.figure
    codes = ", ".join(terminal_text(code) for code in result.pilot.stations)
    lines = [t("pilot.title", figure=figure_label(key)), ""]
    lines.append(t("pilot.stations", count=len(result.pilot.stations), codes=codes))
    if result.control_named:
        named = ", ".join(terminal_text(code) for code in result.control.stations)
        lines.append(t("pilot.control_named", count=len(result.control.stations), codes=named))
    else:
        lines.append(t("pilot.control_rest", count=len(result.control.stations)))
    lines.append(t("pilot.windows", before=_days(result.before), after=_days(result.after)))
    lines.append(t("pilot.judged", as_of=local_minute(result.as_of, tz), tz=str(tz)))
    lines.append("")
    heads = ["", t("pilot.before"), t("pilot.after"), t("pilot.change"), t("pilot.tickets")]
    rows = [heads]
    for label, cells in ((t("pilot.pilot"), result.pilot), (t("pilot.control"), result.control)):
        rows.append([
            label,
            format_value(key, cells.before.value),
            format_value(key, cells.after.value),
            format_delta(key, cells.change) or t("none"),
            f"{cells.before.tickets:,} / {cells.after.tickets:,}",
        ])  # fmt: skip
    lines += aligned(rows)
    lines.append("")
    lines.append(t("pilot.effect", effect=format_delta(key, result.effect) or t("none")))
    if result.ci95 is None:
        lines.append(t("pilot.no_ci"))
    else:
        lo, hi = (format_delta(key, value, points=False) for value in result.ci95)
        lines.append(t("pilot.ci", lo=lo, hi=hi, resamples=f"{result.resamples:,}"))
        lines.append(t("pilot.significant") if result.significant else t("pilot.not_significant"))
        direction = verdict(key, result.effect) if result.significant else None
        if direction and FIGURE_BY_KEY[key].better:
            lines.append(t("pilot.better") if direction == "better" else t("pilot.worse"))
    return "\n".join(lines) + "\n"
