"""The ticket detail (enter on a list): every field, the SLA clock, its quality flags
with their evidence (earlier tickets of a repeat open with enter), the timeline.

The customer's phone is masked (138****1234) unless `[console] show_full_phone` says
otherwise, or the operator presses `v`: that writes a phone_revealed event first and
shows the number only once the event is committed. The detail refreshes itself like
the lists do, and keeps its last data when the database is away.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from woq_tui.domain.enums import SlaState
from woq_tui.domain.instants import local_minute
from woq_tui.domain.privacy import mask_phone
from woq_tui.i18n import t
from woq_tui.outbox_words import type_name
from woq_tui.reporting.audit_words import earlier_tickets, evidence_words, review_word, rule_name, severity_word
from woq_tui.screens.ticket_actions import TicketActionsScreen, refuse_write
from woq_tui.values.audit import AuditFlag
from woq_tui.values.queue import QueueRow
from woq_tui.values.tickets import TicketDetail
from woq_tui.widgets import symbols
from woq_tui.widgets.app_header import AppHeader
from woq_tui.widgets.audit_table import SEVERITY_STYLE
from woq_tui.widgets.loader import Loader
from woq_tui.widgets.refresh import RefreshStatus
from woq_tui.widgets.sla_cell import FALLBACK, age_text, format_duration, sla_label


class TicketScreen(TicketActionsScreen):
    TITLE_KEY = "screen.ticket"
    BINDINGS = [
        Binding("escape", "back", "key.back", id="ticket.back"),
        Binding("v", "reveal", "ticket.key.reveal", id="ticket.reveal"),
        Binding("u", "urge", "queue.key.urge", id="ticket.urge"),
        Binding("r", "reassign", "queue.key.reassign", id="ticket.reassign"),
        Binding("R", "reclassify", "reclassify.key", id="ticket.reclassify", show=False),
        Binding("enter", "open_earlier", "ticket.key.earlier", id="ticket.earlier", show=False),
    ]
    DEFAULT_CSS = """
    TicketScreen #clock { height: auto; padding: 0 1; background: $boost; text-style: bold; }
    TicketScreen #body { height: 1fr; padding: 0 1; }
    TicketScreen #fields { height: auto; margin-bottom: 1; }
    TicketScreen #timeline { height: auto; }
    TicketScreen #flags { height: auto; margin-bottom: 1; }
    TicketScreen #earlier { height: auto; max-height: 8; margin-bottom: 1; display: none; border-title-color: $foreground; }
    TicketScreen #earlier.-some { display: block; }
    """

    def __init__(self, ticket_no: str) -> None:
        super().__init__()
        self.ticket_no = ticket_no
        self.detail: TicketDetail | None = None
        self.missing = False
        self.revealed: str | None = None
        self.flags: tuple[AuditFlag, ...] = ()
        self._flags_drawn = False

    def compose_body(self) -> ComposeResult:
        yield RefreshStatus(self, self.context.settings.console.refresh_seconds)
        yield Static(t("ticket.loading", no=self.ticket_no), id="clock")
        with VerticalScroll(id="body"):
            yield Static(id="fields")
            yield Static(id="flags")
            yield OptionList(id="earlier")
            yield Static(id="timeline")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(AppHeader).screen_title = f"{t(self.TITLE_KEY)} · {self.ticket_no}"
        self.set_interval(1, self.show_clock)
        self.query_one("#body").focus()
        self.refresh_now()

    def refresh_now(self):
        return self.query_one(RefreshStatus).fetch()

    # --- LiveSource ----------------------------------------------------------------

    def live_request(self) -> str:
        return self.ticket_no

    def fetch_live(self, ticket_no: str) -> tuple[TicketDetail | None, tuple[AuditFlag, ...]]:
        store = self.store
        detail = store.ticket_detail(ticket_no)
        return detail, store.ticket_flags(ticket_no, self.context.clock.now()) if detail is not None else ()

    def apply_live(self, _request: str, answer: tuple[TicketDetail | None, tuple[AuditFlag, ...]]) -> None:
        self.detail, flags = answer
        self.missing = self.detail is None
        self.show()
        if flags != self.flags or not self._flags_drawn:
            # redrawn only when they changed: the earlier list keeps its highlight
            self.flags, self._flags_drawn = flags, True
            self.show_flags()

    # --- quality flags -----------------------------------------------------------------

    def show_flags(self) -> None:
        """Each flag with its evidence in words and its review; the earlier tickets of
        the repeat flags as a list that opens them (enter)."""
        tz, names = self.context.settings.tz, {}
        if self.detail is not None:
            names = {self.detail.row.station_code: self.detail.row.station_name}
        out = Text(t("ticket.flags"), "bold")
        if not self.flags:
            out.append("  " + t("ticket.no_flags"), "dim")
        for flag in self.flags:
            out.append(f"\n{symbols.FLAGGED} ", "bold magenta")
            out.append(rule_name(flag.rule), "bold")
            out.append(f" [{severity_word(flag.severity)}] ", SEVERITY_STYLE.get(flag.severity, ""))
            out.append(evidence_words(flag, tz, names, all_earlier=True))
            if flag.review is not None:
                review = flag.review
                out.append("  " + t("ticket.reviewed_by", verdict=review_word(flag), operator=review.operator,
                                     at=review.at.astimezone(tz).strftime("%m-%d %H:%M")), "italic")
                if review.note:
                    out.append(f"：{review.note}", "italic")
        self.query_one("#flags", Static).update(out)
        earlier = self.query_one("#earlier", OptionList)
        seen: dict[str, str] = {}
        for flag in self.flags:
            for ticket_no in earlier_tickets(flag):
                seen.setdefault(ticket_no, rule_name(flag.rule))
        earlier.set_options(Option(f"{ticket_no}  {rule}", id=ticket_no) for ticket_no, rule in seen.items())
        earlier.set_class(bool(seen), "-some")
        if seen:
            earlier.border_title = t("ticket.earlier")

    def action_open_earlier(self) -> None:
        earlier = self.query_one("#earlier", OptionList)
        if earlier.option_count:
            option = earlier.get_option_at_index(earlier.highlighted or 0)
            self.app.push_screen(TicketScreen(option.id or ""))

    @on(OptionList.OptionSelected, "#earlier")
    def _earlier_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.push_screen(TicketScreen(event.option.id))

    # --- actions -------------------------------------------------------------------

    def selected_rows(self) -> list[QueueRow]:
        return [self.detail.row] if self.detail is not None else []

    def action_back(self) -> None:
        self.app.pop_screen()

    def urged(self, message: str) -> None:
        super().urged(message)
        self.refresh_now()  # the urge shows in the timeline

    def action_reveal(self) -> None:
        if self.detail is None or self.phone_shown_in_full or not self.detail.customer_phone:
            return
        if refuse_write(self, "action.reveal"):
            return
        self.revealing.load(self.ticket_no)

    @cached_property
    def revealing(self) -> Loader[str, str | None]:
        """The number, once its reveal is recorded (not recorded: not shown)."""
        return Loader(self, self.store.reveal_phone, self._revealed, what="db.unreachable")

    def _revealed(self, _ticket_no: str, phone: str | None) -> None:
        self.revealed = phone
        self.notify(t("ticket.phone_revealed"))
        self.refresh_now()

    @property
    def phone_shown_in_full(self) -> bool:
        return self.context.settings.console.show_full_phone or self.revealed is not None

    # --- drawing -------------------------------------------------------------------

    def _time(self, value: datetime | None) -> str:
        if value is None:
            return t("none")
        return local_minute(value, self.context.settings.tz)

    def show_clock(self) -> None:
        clock = self.query_one("#clock", Static)
        if self.missing:
            clock.update(Text(t("ticket.not_found", no=self.ticket_no), style="bold"))
            return
        detail = self.detail
        if detail is None:
            return
        row = detail.row
        context = self.context
        now = context.clock.now()
        if row.due_at is None:
            clock.update(t("ticket.no_limit"))
            return
        limit = format_duration(row.due_at - row.created_at)
        if detail.resolved_at is not None:
            late = detail.resolved_at - row.due_at
            verdict = t("ticket.late", by=format_duration(late)) if late.total_seconds() > 0 else t("ticket.on_time")
            clock.update(
                Text(t("ticket.clock_resolved", took=format_duration(detail.resolved_at - row.created_at), verdict=verdict))
            )
            return
        state = context.policy.state(row.created_at, row.due_at, now)
        left = row.due_at - now
        amount = t("ticket.over" if state is SlaState.overdue else "ticket.left", d=format_duration(left))
        clock.update(
            Text.assemble(
                (f"{sla_label(state)} · {amount}", FALLBACK[state]),
                "   ",
                t("ticket.clock_open", due=self._time(row.due_at), age=age_text(row.created_at, now), limit=limit),
            )
        )

    def _phone(self) -> Text:
        phone = self.detail.customer_phone if self.detail else None
        if not phone:
            return Text(t("none"))
        if self.context.settings.console.show_full_phone:
            return Text(phone)
        if self.revealed is not None:
            return Text(self.revealed, style="bold")
        return Text.assemble(mask_phone(phone), (" " + t("ticket.phone_masked_hint"), "dim"))

    def show(self) -> None:
        self.show_clock()
        fields = self.query_one("#fields", Static)
        timeline = self.query_one("#timeline", Static)
        detail = self.detail
        if detail is None:
            fields.update("")
            timeline.update("")
            return
        row = detail.row

        def code(prefix: str, value: str | None) -> str:
            return t(f"{prefix}.{value}") if value else t("none")

        pairs: list[tuple[str, Text | str]] = [
            ("field.ticket_no", row.ticket_no),
            ("field.type", code("type", row.type)),
            ("field.status", code("status", row.status)),
            ("field.channel", code("channel", detail.channel)),
            ("field.station", f"{row.station_name} ({row.station_code})"),
            ("field.area", code("area", detail.area_type)),
            ("field.created_at", self._time(row.created_at)),
            ("field.due_at", self._time(row.due_at)),
            ("field.first_response_at", self._time(detail.first_response_at)),
            ("field.dispatched_at", self._time(detail.dispatched_at)),
            ("field.arrived_at", self._time(detail.arrived_at)),
            ("field.resolved_at", self._time(detail.resolved_at)),
            ("field.closed_at", self._time(detail.closed_at)),
            ("field.satisfaction", code("satisfaction", detail.satisfaction)),
            ("field.escalated", t("yes") if row.escalated else t("no")),
            ("field.dispatch_count", str(row.dispatch_count)),
            ("field.reopen_count", str(row.reopen_count)),
            ("field.version", str(row.version)),
            ("field.updated_at", self._time(row.updated_at)),
        ]
        grid = Table.grid(padding=(0, 2), expand=True)
        for _ in range(2):
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(ratio=1)
        for index in range(0, len(pairs), 2):
            cells: list[Text | str] = []
            for key, value in pairs[index : index + 2]:
                cells += [t(key), value]
            grid.add_row(*cells)
        long = Table.grid(padding=(0, 2), expand=True)
        # labels aligned with the left column of the grid above
        long.add_column(style="dim", no_wrap=True, min_width=max(cell_len(t(key)) for key, _ in pairs[::2]))
        long.add_column(ratio=1)
        # Full width: the masked number and its hint never wrap into the next field.
        long.add_row(t("field.phone"), self._phone())
        long.add_row(t("field.address"), detail.address or t("none"))
        long.add_row(t("field.summary"), row.summary or t("none"))
        fields.update(Group(grid, long))

        events = Table(title=t("ticket.timeline"), title_justify="left", expand=True, show_edge=False)
        events.add_column(t("event.col.at"), no_wrap=True)
        events.add_column(t("event.col.kind"), no_wrap=True)
        events.add_column(t("event.col.operator"), no_wrap=True)
        events.add_column(t("event.col.detail"), ratio=1)
        for event in detail.events:
            moved = ""
            if event.from_station or event.to_station:
                moved = f"{event.from_station or t('none')} → {event.to_station or t('none')}"
            elif event.from_type or event.to_type:
                moved = f"{type_name(event.from_type)} → {type_name(event.to_type)}"
            note = "  ".join(part for part in (moved, event.note or "") if part)
            events.add_row(self._time(event.at), t("event." + event.kind), event.operator or t("none"), note)
        parts: list = []
        if detail.more_events:
            parts.append(Text(t("ticket.more_events", n=detail.more_events), style="dim"))
        parts.append(events if detail.events else Text(t("ticket.no_events"), style="dim"))
        timeline.update(Group(*parts))
