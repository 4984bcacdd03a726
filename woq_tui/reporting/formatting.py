"""How figures and periods are written for people, the same in the console and the reports."""

from __future__ import annotations

from typing import Any

from woq_tui.domain.figure_catalog import FIGURE_BY_KEY
from woq_tui.domain.periods import Period
from woq_tui.i18n import t


def format_value(key: str, value: Any) -> str:
    """A figure for display: counts as integers, ratios as percent, times with a decimal."""
    if value is None:
        return t("none")
    unit = FIGURE_BY_KEY[key].unit
    if unit == "count":
        return f"{int(value):,}"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    return f"{value:.1f}"


def format_delta(key: str, delta: float | None, points: bool = True) -> str:
    """A change: percentage points for ratios (with the word when `points`), units
    otherwise; signed."""
    if delta is None:
        return ""
    unit = FIGURE_BY_KEY[key].unit
    if unit == "count":
        return f"{int(delta):+,}"
    if unit == "ratio":
        return f"{delta * 100:+.1f}" + (t("figures.pp") if points else "")
    return f"{delta:+.1f}"


def delta(key: str, now: Any, before: Any) -> float | None:
    if now is None or before is None:
        return None
    return now - before


def verdict(key: str, change: float | None) -> str | None:
    """"better", "worse" or None (no change, no direction, or unknown)."""
    better = FIGURE_BY_KEY[key].better
    if change is None or better is None or abs(change) < 1e-12:
        return None
    improved = change < 0 if better == "lower" else change > 0
    return "better" if improved else "worse"


def figure_label(key: str) -> str:
    return t(f"figure.{key}")


def figure_unit(key: str) -> str:
    return t(f"figure.unit.{FIGURE_BY_KEY[key].unit}")


_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def day_label(day) -> str:
    """"11-16 一" / "11-16 Mon": a day in a daily series, in the console language."""
    from woq_tui.i18n import language

    return f"{day:%m-%d} {_WEEKDAYS[language()][day.weekday()]}"


def group_label(kind: str, code: str) -> str:
    """A type or area code in the console language ("repair" -> 故障报修)."""
    text = t(f"{kind}.{code}")
    return code if text == f"{kind}.{code}" else text


def period_title(period: Period) -> str:
    """"本周 2026-11-23 – 2026-11-29": the period's kind and its days; a calendar period
    (week, month, quarter, year) by its own label ("2026年11月", domain/periods.py)."""
    from woq_tui.domain.periods import CALENDAR_KINDS, period_label

    if period.kind in CALENDAR_KINDS:
        return period_label(period)
    days = t("stations.period.range", start=period.first_day.isoformat(), end=period.last_day.isoformat())
    if period.first_day == period.last_day:
        days = period.first_day.isoformat()
    return f"{t('stations.period.' + period.kind)} {days}"
