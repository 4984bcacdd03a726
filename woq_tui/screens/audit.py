"""Quality audit (key 6, 质检): the flags of a period (docs/audit.md), counted by rule and
by station, to be worked through: filter, search, sort, enter for the ticket, `c` / `d`
to confirm or dismiss a flag (a note may follow), `r` to reassign its ticket, `e` to
export. The period keys are the station screen's (screens/period_keys.py).

Live like the lists: RefreshStatus re-reads the period's flags (ConsoleStore.audit_view)
on its timer and the table puts the cursor back on its flag. Choices: docs/audit-screen.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Static

from woq_tui.domain.audit_rules import CONFIRMED, DISMISSED, MODEL_RULES
from woq_tui.domain.periods import Period, last_full_period, period_label
from woq_tui.i18n import t
from woq_tui.reporting.audit_words import rule_name, severity_word
from woq_tui.reporting.csv_writer import write_csv
from woq_tui.screens.period_keys import PeriodKeys, period_bindings
from woq_tui.screens.ticket_actions import TicketActionsScreen, refuse_write
from woq_tui.values.audit import AuditFlag, AuditView, FlagReview
from woq_tui.values.outbox import TicketRef
from woq_tui.widgets.audit_rows import SORTS, AuditFilter, Shown, export_rows, shown_flags
from woq_tui.widgets.audit_table import MAX_ROWS, AuditTable
from woq_tui.widgets.loader import Loader, show_failure
from woq_tui.widgets.refresh import RefreshStatus
from woq_tui.widgets.translated import change_bindings

REVIEW_ACTIONS = ("confirm_flag", "dismiss_flag")


@dataclass(frozen=True)
class AuditRequest:
    period: Period
    as_of: datetime


@dataclass(frozen=True)
class ReviewRequest:
    ticket_no: str
    rule: str
    verdict: str
    note: str | None


class AuditScreen(PeriodKeys, TicketActionsScreen):
    TITLE_KEY = "screen.audit"
    AUTO_FOCUS = "#audit-table"
    BINDINGS = [
        Binding("question_mark", "app.help", "key.help", id="help", key_display="?"),
        Binding("c", "confirm_flag", "audit.key.confirm", id="audit.confirm"),
        Binding("d", "dismiss_flag", "audit.key.dismiss", id="audit.dismiss"),
        Binding("r", "reassign", "queue.key.reassign", id="audit.reassign"),
        # a type_suspect flag offers the classifier's type first (docs/audit-screen.md)
        Binding("R", "reclassify", "reclassify.key", id="audit.reclassify", show=False),
        Binding("f", "filter", "queue.key.filter", id="audit.filter"),
        Binding("slash", "search", "queue.key.search", id="audit.search", key_display="/"),
        Binding("s", "sort(False)", "queue.key.sort", id="audit.sort"),
        Binding("S", "sort(True)", "queue.key.reverse", id="audit.reverse", show=False),
        *period_bindings("audit", "key.stations.previous", "key.stations.next"),
        Binding("p", "pause", "queue.key.pause", id="audit.pause", show=False),
        Binding("e", "export", "queue.key.export", id="audit.export", show=False),
        Binding("escape", "escape", "queue.key.escape", id="audit.escape", show=False),
    ]
    # Below 140 columns the summary beside the list gives way to the list's columns.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    DEFAULT_CSS = """
    AuditScreen #audit-bar { height: auto; padding: 0 1; background: $boost; }
    AuditScreen #audit-search { display: none; height: 1; border: none; padding: 0 1; }
    AuditScreen #audit-search.-open { display: block; }
    AuditScreen #audit-body { height: 1fr; }
    AuditScreen #audit-table { width: 1fr; height: 1fr; }
    AuditScreen #audit-summary { width: 34; height: 1fr; border-left: solid $foreground 55%; padding: 0 1; }
    AuditScreen.-narrow #audit-summary { display: none; }
    AuditScreen #audit-counts { text-wrap: nowrap; text-overflow: ellipsis; }
    AuditScreen #audit-more { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, period: Period | None = None) -> None:
        super().__init__()
        self.period = period
        self.view: AuditView | None = None
        self.filt = AuditFilter()
        self.sort = SORTS[0]
        self.reverse = False
        self.shown = Shown(())
        self._search_before = ""
        # each flag's searchable words, for the view shown (audit_rows.shown_flags)
        self._search_texts: dict[str, str] = {}

    def compose_body(self) -> ComposeResult:
        yield RefreshStatus(self, self.context.settings.console.refresh_seconds)
        yield Static(id="audit-bar")
        yield Input(placeholder=t("audit.search_hint"), id="audit-search")
        with Horizontal(id="audit-body"):
            yield AuditTable(id="audit-table")
            with VerticalScroll(id="audit-summary"):
                yield Static(id="audit-counts")
        yield Static(id="audit-more")

    def on_mount(self) -> None:
        super().on_mount()
        context = self.context
        if not context.can_write:
            change_bindings(self, REVIEW_ACTIONS, show=False)
        if self.period is None:
            self.period = last_full_period("week", context.clock.now(), context.settings.tz)
        self.table.focus()
        self.load()

    @property
    def table(self) -> AuditTable:
        return self.query_one(AuditTable)

    @property
    def live(self) -> RefreshStatus:
        return self.query_one(RefreshStatus)

    @property
    def station_names(self) -> dict[str, str]:
        return dict(self.view.station_names) if self.view is not None else {}

    # --- loading (LiveSource) --------------------------------------------------------

    def load(self) -> None:
        """Show the period's flags: the old ones stay until the new arrive."""
        self.update_bar()
        self.live.fetch()

    def refresh_now(self):
        return self.live.fetch()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.live.screen_resumed()

    def live_request(self) -> AuditRequest:
        assert self.period is not None
        return AuditRequest(self.period, self.context.clock.now())

    def fetch_live(self, request: AuditRequest) -> AuditView:
        return self.store.audit_view(request.period, request.as_of)

    def apply_live(self, request: AuditRequest, view: AuditView) -> None:
        if request.period != self.period:
            self.live.fetch()  # asked before the period changed: ask again
            return
        new_period = self.view is None or self.view.period != view.period
        if self.view is None or view.flags != self.view.flags:
            self._search_texts = {}
        self.view = view
        self.redraw(top=new_period)

    # --- drawing ---------------------------------------------------------------------

    def redraw(self, top: bool = False) -> None:
        view = self.view
        if view is None:
            return
        tz = self.context.settings.tz
        names = self.station_names
        self.shown = shown_flags(view.flags, self.filt, self.sort, self.reverse, names, tz, self._search_texts)
        self.table.show(self.shown.flags, names, tz, top=top)
        hidden = len(self.shown.flags) - MAX_ROWS
        self.query_one("#audit-more", Static).update(t("audit.more", n=f"{hidden:,}") if hidden > 0 else "")
        self.query_one("#audit-counts", Static).update(self._summary())
        self.update_bar()

    def _summary(self) -> Text:
        shown, names = self.shown, self.station_names
        out = Text(t("audit.by_rule"), "bold")
        for rule, count in shown.by_rule.items():
            out.append(f"\n{count:>6,} ")
            out.append(rule_name(rule))
        out.append("\n\n")
        out.append(t("audit.by_station"), "bold")
        for code, count in list(shown.by_station.items())[:20]:
            out.append(f"\n{count:>6,} ")
            out.append(names.get(code, code))
        if len(shown.by_station) > 20:
            out.append("\n" + t("audit.more_stations", n=len(shown.by_station) - 20), "dim")
        return out

    def update_bar(self) -> None:
        """The period, the counts, the order and the filter; the model's notice."""
        if self.period is None:
            return
        view = self.view if self.view is not None and self.view.period == self.period else None
        line = Text(period_label(self.period), style="bold")
        line.append("  ")
        if view is None:
            line.append(t("audit.loading"), "italic")
        else:
            line.append(t("audit.counts", flags=f"{len(self.shown.flags):,}", tickets=f"{self.shown.tickets:,}"))
        line.append("  ")
        line.append(t("audit.sorted", column=t(f"audit.sort.{self.sort}"), direction="↓" if self.reverse else "↑"), "dim")
        chips = self._chips()
        if chips:
            line.append("\n" + chips)
        if view is not None:
            notice = self._skipped(view)
            if notice:
                line.append("\n")
                line.append(notice, "bold yellow")
        self.query_one("#audit-bar", Static).update(line)

    def _chips(self) -> str:
        filt, names = self.filt, self.station_names
        chips = [rule_name(rule) for rule in sorted(filt.rules)]
        chips += [names.get(code, code) for code in sorted(filt.stations)]
        chips += [severity_word(level) for level in sorted(filt.severities)]
        if filt.search:
            chips.append(f"“{filt.search}”")
        return t("audit.filtered", chips=" · ".join(chips)) if chips else ""

    @staticmethod
    def _skipped(view: AuditView) -> str:
        """Rules not evaluated: the classifier's without a model (docs/audit.md), the rest
        switched off under [audit] disabled."""
        parts = []
        if view.model is None and MODEL_RULES & set(view.skipped):
            parts.append(t("audit.no_model"))
        off = [rule_name(rule) for rule in view.skipped if rule not in MODEL_RULES or view.model is not None]
        if off:
            parts.append(t("audit.disabled", rules="、".join(off)))
        return "  ".join(parts)

    # --- the list's keys ---------------------------------------------------------------

    def action_sort(self, reverse: bool) -> None:
        if reverse:
            self.reverse = not self.reverse
        else:
            self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
            self.reverse = False
        self.redraw(top=True)

    def action_filter(self) -> None:
        from woq_tui.screens.audit_dialogs import AuditFilterDialog

        def chosen(filt: AuditFilter | None) -> None:
            if filt is not None:
                self.filt = replace(filt, search=self.filt.search)
                self.redraw(top=True)

        self.app.push_screen(AuditFilterDialog(self.filt, self.station_names), chosen)

    def action_search(self) -> None:
        self._search_before = self.filt.search
        box = self.query_one("#audit-search", Input)
        box.value = self.filt.search
        box.add_class("-open")
        box.focus()

    @on(Input.Changed, "#audit-search")
    def _search_typed(self, event: Input.Changed) -> None:
        self.filt = replace(self.filt, search=event.value)
        self.redraw(top=True)

    @on(Input.Submitted, "#audit-search")
    def _search_done(self, event: Input.Submitted) -> None:
        self.filt = replace(self.filt, search=event.value.strip())
        self._close_search()
        self.redraw()

    def _close_search(self) -> None:
        self.query_one("#audit-search", Input).remove_class("-open")
        self.table.focus()

    def action_escape(self) -> None:
        """Escape: leaves the search as it was before `/`, else clears the filter."""
        if self.query_one("#audit-search", Input).has_class("-open"):
            self._close_search()
            self.filt = replace(self.filt, search=self._search_before)
            self.redraw(top=True)
        elif self.filt.active:
            self.filt = AuditFilter()
            self.redraw(top=True)

    def action_pause(self) -> None:
        self.live.paused = not self.live.paused
        change_bindings(self, ["pause"], description=t("queue.key.resume" if self.live.paused else "queue.key.pause"))
        self.notify(t("live.paused_note" if self.live.paused else "live.resumed_note"))

    @on(DataTable.RowSelected, "#audit-table")
    def _open_ticket(self, event: DataTable.RowSelected) -> None:
        event.stop()
        flag = self.table.cursor_flag
        if flag is not None:
            from woq_tui.screens.ticket import TicketScreen

            self.app.push_screen(TicketScreen(flag.ticket_no))

    # --- reviews -----------------------------------------------------------------------

    def action_confirm_flag(self) -> None:
        self._review(CONFIRMED)

    def action_dismiss_flag(self) -> None:
        self._review(DISMISSED)

    def _review(self, verdict: str) -> None:
        """A viewer or a read-only console is refused in one line; else the note
        dialog, and the review is recorded only when it is answered (not escaped)."""
        if refuse_write(self, "action.review_flag"):
            return
        flag = self.table.cursor_flag
        if flag is None:
            self.notify(t("audit.no_flag"), severity="warning")
            return
        from woq_tui.screens.audit_dialogs import ReviewNote

        def noted(note: str | None) -> None:
            if note is not None:
                self.reviewing.load(ReviewRequest(flag.ticket_no, flag.rule, verdict, note or None))

        self.app.push_screen(ReviewNote(verdict, flag.ticket_no, flag.rule), noted)

    @cached_property
    def reviewing(self) -> Loader[ReviewRequest, FlagReview]:
        return Loader(
            self, lambda request: self.store.review_flag(request.ticket_no, request.rule, request.verdict, request.note),
            self._reviewed, what="audit.review_failed", latest_only=False,
        )

    def _reviewed(self, request: ReviewRequest, review: FlagReview) -> None:
        """Shown at once (a dismissed flag goes, docs/audit.md), then read again."""
        if self.view is not None:
            flags: list[AuditFlag] = []
            for flag in self.view.flags:
                if (flag.ticket_no, flag.rule) == (request.ticket_no, request.rule):
                    if review.verdict == DISMISSED:
                        continue
                    flag = replace(flag, review=review)
                flags.append(flag)
            self.view = replace(self.view, flags=tuple(flags))
            self.redraw()
        self.notify(t(f"audit.reviewed.{review.verdict}", ticket=request.ticket_no, rule=rule_name(request.rule)))
        self.refresh_now()

    # --- reassign and export -----------------------------------------------------------

    def action_reassign(self) -> None:
        """The flag's ticket to another station, with the reassign dialog of the lists
        (its version is read first: the flag does not carry it)."""
        if refuse_write(self, "action.reassign"):
            return
        flag = self.table.cursor_flag
        if flag is None:
            self.notify(t("list.no_ticket"), severity="warning")
            return
        self.reference.load(flag.ticket_no)

    @cached_property
    def reference(self) -> Loader[str, TicketRef | None]:
        return Loader(self, self.store.ticket_ref, self._reassign, what="db.unreachable")

    def _reassign(self, ticket_no: str, ref: TicketRef | None) -> None:
        from woq_tui.screens.reassign import start_reassign

        if ref is None:
            self.notify(t("ticket.not_found", no=ticket_no), severity="warning")
            return
        start_reassign(self, [ref])

    def action_reclassify(self) -> None:
        """The flag's ticket to another type; on a type_suspect flag the classifier's
        type is listed first in the dialog, never chosen for the dispatcher."""
        if refuse_write(self, "action.reclassify"):
            return
        flag = self.table.cursor_flag
        if flag is None:
            self.notify(t("list.no_ticket"), severity="warning")
            return
        predicted = flag.evidence.get("type") if flag.rule == "type_suspect" else None
        self.reclassify_reference.load((flag.ticket_no, str(predicted) if predicted else None))

    @cached_property
    def reclassify_reference(self) -> Loader[tuple[str, str | None], TicketRef | None]:
        return Loader(self, lambda request: self.store.ticket_ref(request[0]), self._reclassify, what="db.unreachable")

    def _reclassify(self, request: tuple[str, str | None], ref: TicketRef | None) -> None:
        from woq_tui.screens.reclassify import start_reclassify

        if ref is None:
            self.notify(t("ticket.not_found", no=request[0]), severity="warning")
            return
        start_reclassify(self, [ref], suggested=request[1])

    def action_export(self) -> None:
        """What is shown (every row the filter holds) as CSV, and a screenshot."""
        if self.view is None or self.period is None:
            return
        folder = self.export_folder()
        base = f"audit_{self.period.first_day:%Y%m%d}-{self.period.last_day:%Y%m%d}_{self.export_stamp()}"
        header, rows = export_rows(self.shown.flags, self.station_names, self.context.settings.tz)
        try:
            write_csv(folder / f"{base}.csv", header, rows)
            svg = Path(self.app.save_screenshot(f"{base}.svg", str(folder)))
        except OSError as exc:
            show_failure(self, "export.failed", exc)
            return
        self.notify(t("export.done", rows=len(rows), csv=str(folder / f"{base}.csv"), svg=str(svg)), timeout=10)

    def palette_extras(self) -> list[tuple[str, str, Callable[[], object]]]:
        return [(t("period.custom_command"), t("screen.audit"), self.ask_dates)]
