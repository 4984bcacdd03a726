"""The monthly bulletin's sections as tables of typed cells (docs/assessment.md,
"Monthly bulletin"), built once from a values.assessment.Bulletin and drawn by the
html, md and xlsx renderers: each cell is (value, kind), so that the text formats
write "12.3%" where the workbook writes the number 0.123 with a percentage format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from woq_tui.domain.figure_catalog import FIGURE_BY_KEY, FIGURE_KEYS
from woq_tui.domain.periods import period_label
from woq_tui.i18n import t
from woq_tui.reporting.formatting import delta, figure_label, group_label, verdict
from woq_tui.values.assessment import COMPONENT_NAMES, BacklogEntry, Bulletin, StationScore

# What a cell holds and so how it is written: its text form, and its XLSX number format.
FORMATS = {
    "text": None,
    "count": "#,##0",
    "ratio": "0.0%",
    "pp": '+0.0%;-0.0%;0.0%',  # a change of a ratio: the difference of the two ratios
    "number": "0.0",
    "delta_count": "+#,##0;-#,##0;0",
    "delta_number": "+0.0;-0.0;0.0",
    "int": "0",
    "date": "yyyy-mm-dd",
}
Cell = tuple[Any, str]
# How many of a station's old open tickets the html and md bulletins name.
TICKETS_SHOWN = 8
BOARD_SIZE = 5
AREA_FIGURES = (
    "tickets", "overdue_rate", "on_time_rate", "avg_first_response_min", "avg_handling_h",
    "one_time_resolution_rate", "satisfaction_rate", "escalation_rate", "repeat_dispatch_rate",
)  # fmt: skip


@dataclass
class Table:
    heads: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    # the first `labels` columns are labels (left-aligned)
    labels: int = 1


def value_kind(key: str) -> str:
    unit = FIGURE_BY_KEY[key].unit
    return {"count": "count", "ratio": "ratio"}.get(unit, "number")


def delta_kind(key: str) -> str:
    unit = FIGURE_BY_KEY[key].unit
    return {"count": "delta_count", "ratio": "pp"}.get(unit, "delta_number")


def cell_text(cell: Cell) -> str:
    """A cell as the html and md bulletins write it; "—" when undefined."""
    value, kind = cell
    if value is None or value == "":
        return t("none") if kind != "text" else ""
    if kind == "text":
        return str(value)
    if kind == "count":
        return f"{int(value):,}"
    if kind == "ratio":
        return f"{value * 100:.1f}%"
    if kind == "pp":
        return f"{round(value * 100, 1) + 0.0:+.1f}" + t("figures.pp")
    if kind == "delta_count":
        return f"{int(value):+,}"
    if kind == "delta_number":
        return f"{round(value, 1) + 0.0:+.1f}"  # + 0.0: never "-0.0"
    if kind == "int":
        return str(int(value))
    if kind == "date":
        return value.isoformat()
    return f"{value:.1f}"


def title(bulletin: Bulletin) -> str:
    return t("bulletin.title", month=period_label(bulletin.period))


def headline(bulletin: Bulletin) -> Table:
    table = Table([t("bulletin.figure"), t("bulletin.value"), t("bulletin.previous"), t("bulletin.change"), t("bulletin.trend")])
    for key in FIGURE_KEYS:
        now, before = bulletin.totals.get(key), bulletin.previous_totals.get(key)
        change = delta(key, now, before)
        direction = verdict(key, change)
        table.rows.append([
            (figure_label(key), "text"), (now, value_kind(key)), (before, value_kind(key)), (change, delta_kind(key)),
            (t(f"figures.{direction}") if direction else "", "text"),
        ])  # fmt: skip
    return table


def _score_heads(board: bool) -> list[str]:
    heads = [t("score.rank"), t("report.station_code"), t("report.station"), t("report.area"), figure_label("tickets"),
             t("score.score"), t("score.change")]  # fmt: skip
    heads += [t(f"score.component.{name}") for name in COMPONENT_NAMES]
    heads += [figure_label("overdue_rate"), t("score.previous_rank")]
    return heads + ([t("bulletin.board")] if board else [])


def _score_row(line: StationScore, board: str | None = None) -> list[Cell]:
    row: list[Cell] = [
        (line.rank, "int"), (line.code, "text"), (line.station.name, "text"),
        (group_label("area", line.station.area_type), "text"), (line.tickets, "count"),
        (line.score, "number"), (line.change, "delta_number"),
    ]  # fmt: skip
    row += [(line.components.get(name), "ratio") for name in COMPONENT_NAMES]
    row += [(line.overdue_rate, "ratio"), (line.previous_rank, "int")]
    return row + ([(board, "text")] if board is not None else [])


def board(bulletin: Bulletin, best: bool) -> Table:
    """The best five (红榜) or the worst five, worst first (黑榜)."""
    card = bulletin.scorecard
    lines = card.best(BOARD_SIZE) if best else card.worst(BOARD_SIZE)
    return Table(_score_heads(False), [_score_row(line) for line in lines], labels=4)


def ranking(bulletin: Bulletin) -> Table:
    """Every station with tickets, ranked ones first, with the board they are on (the
    workbook's sheet: a manager sorts and filters it)."""
    card = bulletin.scorecard
    best = {line.code for line in card.best(BOARD_SIZE)}
    worst = {line.code for line in card.worst(BOARD_SIZE)}
    rows = []
    for line in card.stations:
        mark = t("bulletin.board.best") if line.code in best else t("bulletin.board.worst") if line.code in worst else ""
        rows.append(_score_row(line, mark))
    return Table(_score_heads(True), rows, labels=4)


def score_notes(bulletin: Bulletin) -> list[str]:
    card = bulletin.scorecard
    weights = t("assessment.list_sep").join(f"{t('score.component.' + name)} {card.weights[name]:g}" for name in COMPONENT_NAMES)
    notes = [t("score.weights", weights=weights), t("score.min_tickets", count=card.min_tickets)]
    if not card.quality_available:
        notes.append(t("score.no_quality"))
    return notes


def _conditions(entry: BacklogEntry, bulletin: Bulletin) -> str:
    backlog = bulletin.backlog
    parts = []
    if entry.tickets:
        parts.append(t("backlog.old_open", count=len(entry.tickets), days=backlog.backlog_days))
    if entry.weeks:
        share = f"{backlog.worst_fraction * 100:g}%"
        parts.append(t("backlog.worst_weeks", weeks=len(entry.weeks), share=share))
    return t("assessment.clause_sep").join(parts)


def _weeks_text(entry: BacklogEntry) -> str:
    return t("assessment.clause_sep").join(
        t("backlog.week_entry", week=period_label(week.period), rate=f"{week.overdue_rate * 100:.1f}%", rank=week.rank,
          of=week.stations)
        for week in entry.weeks
    )


def _tickets_text(entry: BacklogEntry, limit: int | None) -> str:
    shown = entry.tickets if limit is None else entry.tickets[:limit]
    text = t("assessment.list_sep").join(
        t("backlog.ticket_age", ticket=ticket.ticket_no, days=int(ticket.age_days)) for ticket in shown
    )
    if limit is not None and len(entry.tickets) > limit:
        text += " " + t("backlog.more", count=len(entry.tickets) - limit)
    return text


def backlog(bulletin: Bulletin, limit: int | None = TICKETS_SHOWN) -> Table:
    """One row a station on the list: why, its old open tickets, its worst weeks."""
    heads = [t("report.station_code"), t("report.station"), t("report.area"), t("backlog.conditions"),
             t("backlog.tickets"), t("backlog.age"), t("backlog.weeks")]  # fmt: skip
    table = Table(heads, labels=4)
    for entry in bulletin.backlog.entries:
        oldest = max((ticket.age_days for ticket in entry.tickets), default=None)
        table.rows.append([
            (entry.code, "text"), (entry.station.name, "text"), (group_label("area", entry.station.area_type), "text"),
            (_conditions(entry, bulletin), "text"), (_tickets_text(entry, limit), "text"), (oldest, "number"),
            (_weeks_text(entry), "text"),
        ])  # fmt: skip
    return table


def by_area(bulletin: Bulletin) -> Table:
    heads = [t("report.area")] + [figure_label(key) for key in AREA_FIGURES]
    heads.insert(3, f"{figure_label('overdue_rate')} {t('bulletin.change')}")
    table = Table(heads)
    for area, values in bulletin.areas.items():
        row: list[Cell] = [(group_label("area", area), "text")]
        row += [(values.get(key), value_kind(key)) for key in AREA_FIGURES]
        before = bulletin.previous_areas.get(area, {})
        row.insert(3, (delta("overdue_rate", values.get("overdue_rate"), before.get("overdue_rate")), "pp"))
        table.rows.append(row)
    return table


def audit_flags(bulletin: Bulletin) -> Table | None:
    """The audit's flags by rule, most first; None while the audit is not available."""
    if bulletin.audit_flags is None:
        return None
    table = Table([t("bulletin.rule"), t("bulletin.key"), t("bulletin.flagged")])
    for rule, count in sorted(bulletin.audit_flags.items(), key=lambda item: (-item[1], item[0])):
        table.rows.append([(rule_label(rule), "text"), (rule, "text"), (count, "count")])
    return table


def rule_label(rule: str) -> str:
    """The audit rule's name in the console language (the audit's messages name it
    `audit.rule.<id>`), else its id."""
    text = t(f"audit.rule.{rule}")
    return rule if text == f"audit.rule.{rule}" else text


def daily(bulletin: Bulletin) -> Table:
    table = Table([t("bulletin.day"), figure_label("tickets"), figure_label("overdue"), figure_label("overdue_rate")])
    for day in bulletin.period.days():
        values = bulletin.by_day.get(day, {})
        table.rows.append([(day, "date"), (values.get("tickets", 0), "count"), (values.get("overdue", 0), "count"),
                           (values.get("overdue_rate"), "ratio")])  # fmt: skip
    return table


def texts(rows: Sequence[Sequence[Cell]]) -> list[list[str]]:
    return [[cell_text(cell) for cell in row] for row in rows]
