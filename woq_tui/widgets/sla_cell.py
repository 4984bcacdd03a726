"""How SLA states and durations read on screen: a symbol, a word and a colour, always
all three (docs/sla.md: never colour alone), the same on every screen."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.style import Style
from rich.text import Text

from woq_tui.domain.enums import SlaState
from woq_tui.i18n import t
from woq_tui.widgets import symbols

SYMBOLS = symbols.SLA
# Component classes of the widgets that draw SLA cells (their CSS gives the colours).
COMPONENT = {
    SlaState.overdue: "sla--overdue",
    SlaState.at_risk: "sla--at-risk",
    SlaState.ok: "sla--ok",
}
# Where no stylesheet applies (CSV export, plain Rich renders).
FALLBACK = {
    SlaState.overdue: Style(color="red", bold=True),
    SlaState.at_risk: Style(color="yellow", bold=True),
    SlaState.ok: Style(color="green"),
}


# From this many days on, durations leave out the hours (they fit a column then).
DAYS_ONLY = 100


def format_duration(delta: timedelta) -> str:
    """A compact magnitude: 2d 03h · 3h 05m · 45m · <1m (zh: 2天03时 · 3时05分 · 45分);
    from 100 days on, days only (100d / 100天)."""
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= DAYS_ONLY:
        return t("dur.days", d=days)
    if days:
        return t("dur.days_hours", d=days, h=f"{hours:02d}")
    if hours:
        return t("dur.hours_minutes", h=hours, m=f"{minutes:02d}")
    if minutes:
        return t("dur.minutes", m=minutes)
    return t("dur.under_minute")


def sla_label(state: SlaState) -> str:
    """✖ 超期 / ▲ 临期 / ● 正常."""
    return f"{SYMBOLS[state]} {t('sla.' + state.value)}"


def time_left_text(state: SlaState, due_at: datetime | None, now: datetime, style: Style | None = None) -> Text:
    """The time-left cell: ✖ -2时05分 (overdue by) · ▲ 25分 · ● 3时05分 · — (no limit).

    The symbol carries the state without colour; the KPI strip and help name them.
    """
    style = style or FALLBACK[state]
    if due_at is None:
        return Text(t("none"), style="dim")
    left = due_at - now
    sign = "-" if state is SlaState.overdue else ""
    return Text(f"{SYMBOLS[state]} {sign}{format_duration(left)}", style=style)


# Clocks of the dispatch system and the console differ by a little; beyond this a
# creation time is in the future and the row says so instead of a negative age.
FUTURE_SLACK = timedelta(minutes=5)


def age_text(created_at: datetime, now: datetime) -> str:
    if created_at - now > FUTURE_SLACK:
        return t("age.future")
    return format_duration(max(now - created_at, timedelta(0)))
