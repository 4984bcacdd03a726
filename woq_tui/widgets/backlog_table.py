"""The chronic backlog list (黑名单, docs/assessment.md) as a table: each station with the
condition that put it there, then its old open tickets (enter opens one) or its worst
weeks, a line each."""

from __future__ import annotations

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from woq_tui.domain.enums import SlaState
from woq_tui.domain.periods import period_label
from woq_tui.i18n import t
from woq_tui.reporting.formatting import format_value, group_label
from woq_tui.values.assessment import BacklogList
from woq_tui.widgets import symbols

# Old open tickets listed under a station before "and N more".
TICKETS_SHOWN = 10
# Row keys of tickets start so: enter on one opens it.
TICKET_KEY = "ticket:"


class BacklogTable(DataTable):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.backlog: BacklogList | None = None

    def show(self, backlog: BacklogList, tz) -> None:
        self.backlog = backlog
        kept = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value if self.row_count else None
        self.clear(columns=True)
        self.add_column(t("col.station"), key="station")
        self.add_column(t("backlog.why"), key="why")
        if not backlog.entries:
            self.add_row(Text(t("backlog.none"), "italic"), "", key="none")
            return
        for entry in backlog.entries:
            name = Text(f"{entry.code} {entry.station.name}", "bold")
            why = []
            if "old_open" in entry.conditions:
                why.append(t("backlog.old_open", count=len(entry.tickets), days=backlog.backlog_days))
            if "worst_weeks" in entry.conditions:
                why.append(t("backlog.worst_weeks", weeks=len(entry.weeks), share=f"{backlog.worst_fraction:.0%}"))
            self.add_row(name, Text("；".join(why), "bold"), key=f"station:{entry.code}")
            for ticket in entry.tickets[:TICKETS_SHOWN]:
                overdue = f"{symbols.SLA[SlaState.overdue]} " if ticket.overdue else ""
                line = t("backlog.ticket_age", ticket=ticket.ticket_no, days=f"{ticket.age_days:.0f}")
                detail = f"{overdue}{group_label('type', ticket.type)} · {ticket.created_at.astimezone(tz):%m-%d %H:%M}"
                self.add_row(Text("  " + line), detail, key=TICKET_KEY + ticket.ticket_no)
            if len(entry.tickets) > TICKETS_SHOWN:
                self.add_row(Text("  " + t("backlog.more", count=len(entry.tickets) - TICKETS_SHOWN), "italic"), "")
            for week in entry.weeks:
                rate = format_value("overdue_rate", week.overdue_rate)
                line = t("backlog.week_entry", week=period_label(week.period), rate=rate, rank=week.rank, of=week.stations)
                self.add_row(Text("  " + line), "")
        if kept is not None and kept in {key.value for key in self.rows}:
            self.move_cursor(row=self.get_row_index(kept), animate=False)

    def selected_ticket(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value or ""
        return key.removeprefix(TICKET_KEY) if key.startswith(TICKET_KEY) else None
