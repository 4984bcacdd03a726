"""Reassignment in the console: the dialog behind `r`, and how a confirmed request
reaches the outbox.

The list screens call `start_reassign(screen, tickets)` with the ticket under the cursor
or all marked tickets. The dialog picks a target station (a suggested one by F2–F4,
docs/dispatch-assist.md; or type-ahead by code, name or pinyin initials, each with its
open load and overdue count) and a required reason; there is no target until the
dispatcher picks one. On confirm the entries are written to the outbox through the
app's loader and the dialog is gone at once. The pusher then reports each entry's state
(outbox_feed.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from woq_tui.errors import first_line
from woq_tui.i18n import t
from woq_tui.outbox_feed import follow_recorded
from woq_tui.screens.command_dialog import start_command
from woq_tui.values.outbox import OutboxChange, TicketRef
from woq_tui.values.stations import StationCandidate, match_candidates
from woq_tui.values.suggestions import Suggestions, history_text
from woq_tui.widgets.console_context import console_context
from woq_tui.widgets.loader import Loader
from woq_tui.widgets.suggestion_list import SHOWN, SuggestionList
from woq_tui.widgets.translated import TranslatedBindings

if TYPE_CHECKING:
    from woq_tui.context import ConsoleContext

__all__ = ["ReassignDialog", "ReassignRequest", "start_reassign"]

PRESET_REASONS = (
    "reassign.preset.address",
    "reassign.preset.boundary",
    "reassign.preset.crew",
    "reassign.preset.specialty",
    "reassign.preset.customer",
)


@dataclass(frozen=True)
class ReassignRequest:
    tickets: tuple[TicketRef, ...]
    to_station: str
    reason: str


# -- the dialog ------------------------------------------------------------------------


class ReassignDialog(TranslatedBindings, ModalScreen[ReassignRequest | None]):
    BINDINGS = [
        Binding("escape", "cancel", "reassign.key.cancel"),
        Binding("ctrl+s", "confirm", "reassign.key.confirm"),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        *(
            # F2–F4: digits are typed into the station box, and alt+digit reaches a
            # terminal application as a character (alt+1 is ¡), not as a key
            # (docs/dispatch-assist.md); F1 is many terminals' own help.
            Binding(f"f{n + 1}", f"choose_suggestion({n - 1})", "suggest.key.choose", id=f"reassign.suggestion{n}")
            for n in range(1, SHOWN + 1)
        ),
    ]
    DEFAULT_CSS = """
    ReassignDialog { align: center middle; }
    ReassignDialog > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $text-accent; background: $surface; padding: 0 1;
    }
    ReassignDialog #title { text-style: bold; margin-bottom: 1; }
    ReassignDialog Label { margin-top: 1; color: $text-muted; }
    ReassignDialog #candidates { height: auto; max-height: 8; }
    ReassignDialog #presets { height: auto; max-height: 5; }
    ReassignDialog #target { color: $text-success; }
    ReassignDialog #target.-none { color: $text-warning; }
    ReassignDialog #error { color: $error; }
    ReassignDialog .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, tickets: list[TicketRef]) -> None:
        super().__init__()
        self.tickets = tuple(tickets)
        self.candidates: list[StationCandidate] = []
        self.shown: list[StationCandidate] = []

    @property
    def context(self) -> ConsoleContext:
        return console_context(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._title(), id="title")
            yield SuggestionList()
            yield Label(t("reassign.station"))
            yield Input(placeholder=t("reassign.station_hint"), id="station")
            yield OptionList(id="candidates")
            yield Static("", id="target")
            yield Label(t("reassign.reason"))
            yield OptionList(*(Option(t(key), id=key) for key in PRESET_REASONS), id="presets")
            yield Input(placeholder=t("reassign.reason_hint"), id="reason", max_length=2000, select_on_focus=False)
            yield Static("", id="error")
            yield Static(t("reassign.hint"), classes="hint")

    def _title(self) -> str:
        if len(self.tickets) == 1:
            ref = self.tickets[0]
            return t("reassign.title_one", ticket=ref.ticket_no, station=ref.station_code)
        stations = ", ".join(sorted({ref.station_code for ref in self.tickets}))
        return t("reassign.title_many", count=len(self.tickets), stations=stations)

    def on_mount(self) -> None:
        self.query_one("#station", Input).focus()
        self.targets.load(None)
        self.query_one(SuggestionList).keys = self._suggestion_keys()
        if len(self.tickets) == 1:
            self.suggestions.load(self.tickets[0].ticket_no)
        else:
            self.query_one(SuggestionList).say("suggest.many")

    # -- suggestions (docs/dispatch-assist.md) ---------------------------------------------

    def _suggestion_keys(self) -> tuple[str, ...]:
        """The key of each suggestion as [keys] has it (F2 unless remapped): what
        is active on the dialog, as the help reads it."""
        shown: dict[str, str] = {}
        for key, active in self.active_bindings.items():
            binding = active.binding
            if binding.action.startswith("choose_suggestion("):
                shown.setdefault(binding.action, binding.key_display or self.app.get_key_display(replace(binding, key=key)))
        return tuple(shown.get(f"choose_suggestion({n})", "") for n in range(SHOWN))

    @cached_property
    def suggestions(self) -> Loader[str, Suggestions | None]:
        return Loader(
            self, lambda ticket_no: self.context.store.suggest_stations(ticket_no), self._show_suggestions,
            what="suggest.failed", failed=self._suggestions_failed,
        )

    def _show_suggestions(self, _ticket_no: str, found: Suggestions | None) -> None:
        shown = self.query_one(SuggestionList)
        current = [s for s in found.suggestions if s.current] if found is not None else []
        if found is None:  # the ticket is gone meanwhile
            shown.say("suggest.none")
        elif found.evidence is not None and current and not found.targets():
            # the history is all at the ticket's own station: say so, not "no history"
            shown.say("suggest.only_current", reason=history_text(current[0], found.evidence))
        else:
            shown.show(found.evidence, found.targets())
        self._show_target()

    def _suggestions_failed(self, _ticket_no: str, error: BaseException) -> None:
        self.query_one(SuggestionList).say("suggest.failed", error=first_line(error))

    def action_choose_suggestion(self, index: int) -> None:
        self.query_one(SuggestionList).choose(index)

    @on(SuggestionList.Chosen)
    def _suggestion_chosen(self, event: SuggestionList.Chosen) -> None:
        """Choosing a suggestion is typing its code: the list below shows it chosen."""
        station = self.query_one("#station", Input)
        station.value = event.code
        self._refilter()
        if self.target() is not None:
            self.query_one("#presets", OptionList).focus()

    @cached_property
    def targets(self) -> Loader[None, list[StationCandidate]]:
        return Loader(
            self, lambda _: self.context.store.reassign_targets(), self._set_candidates,
            what="reassign.load_failed", failed=self._not_loaded,
        )

    def _not_loaded(self, _request: None, error: BaseException) -> None:
        """The database is away: say so in the dialog."""
        self._show_error(t("reassign.load_failed", error=first_line(error)))

    def _set_candidates(self, _request: None, rows: list[StationCandidate]) -> None:
        current = {ref.station_code for ref in self.tickets}
        # A station every ticket is already at is no target.
        self.candidates = [row for row in rows if not (len(current) == 1 and row.code in current)]
        self._refilter()

    @on(Input.Changed, "#station")
    def _refilter(self) -> None:
        self.shown = match_candidates(self.candidates, self.query_one("#station", Input).value)
        options = self.query_one("#candidates", OptionList)
        code_width = max((cell_len(c.code) for c in self.shown), default=0)
        name_width = max((cell_len(c.name) for c in self.shown), default=0)
        options.set_options(Option(self._candidate_text(c, code_width, name_width), id=c.code) for c in self.shown)
        # No target until the dispatcher picks one: typing picks the best match, the
        # arrow keys pick from the list; an empty box picks nothing (a default target
        # once sent tickets to the first station of the list).
        typed = self.query_one("#station", Input).value.strip()
        exact = [n for n, c in enumerate(self.shown) if c.code.lower() == typed.lower()]
        options.highlighted = (exact or [0])[0] if self.shown and typed else None
        self._show_target()

    @staticmethod
    def _candidate_text(candidate: StationCandidate, code_width: int, name_width: int) -> Text:
        text = Text()
        text.append(candidate.code + " " * (code_width - cell_len(candidate.code)), style="bold")
        text.append("  " + candidate.name + " " * (name_width - cell_len(candidate.name)) + "  ")
        text.append(t("reassign.load", open=candidate.open))
        text.append(" · ")
        overdue = t("reassign.overdue", overdue=candidate.overdue)
        text.append(overdue, style="bold red" if candidate.overdue else "")
        return text

    def target(self) -> StationCandidate | None:
        highlighted = self.query_one("#candidates", OptionList).highlighted
        if highlighted is None or highlighted >= len(self.shown):
            return None
        return self.shown[highlighted]

    @on(OptionList.OptionHighlighted, "#candidates")
    def _show_target(self) -> None:
        target = self.target()
        suggested = self.query_one(SuggestionList)
        suggested.mark(target.code if target is not None else None)
        if target is None:
            typed = bool(self.query_one("#station", Input).value.strip())
            if typed:
                text = t("reassign.no_match")
            elif suggested.shown:
                text = t("suggest.no_target", keys=suggested.key_range())
            else:
                text = t("reassign.no_target")
        else:
            text = t("reassign.target", station=target.code, name=target.name)
        shown = self.query_one("#target", Static)
        shown.set_class(target is None, "-none")
        shown.update(text)

    def action_move(self, step: int) -> None:
        if self.focused is not self.query_one("#station", Input):
            return
        options = self.query_one("#candidates", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(Input.Submitted, "#station")
    @on(OptionList.OptionSelected, "#candidates")
    def _station_chosen(self) -> None:
        if self.target() is not None:
            self.query_one("#presets", OptionList).focus()

    @on(OptionList.OptionSelected, "#presets")
    def _preset_chosen(self, event: OptionList.OptionSelected) -> None:
        reason = self.query_one("#reason", Input)
        reason.value = str(event.option.prompt)
        reason.focus()
        reason.cursor_position = len(reason.value)

    @on(Input.Submitted, "#reason")
    def _reason_submitted(self) -> None:
        self.action_confirm()

    def _show_error(self, text: str) -> None:
        self.query_one("#error", Static).update(text)

    def action_confirm(self) -> None:
        target = self.target()
        reason = self.query_one("#reason", Input).value.strip()
        if target is None:
            self._show_error(t("reassign.need_station"))
            self.query_one("#station", Input).focus()
            return
        if all(ref.station_code == target.code for ref in self.tickets):
            self._show_error(t("reassign.same_station", station=target.code))
            return
        if not reason:
            self._show_error(t("reassign.need_reason"))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(ReassignRequest(self.tickets, target.code, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- starting a reassignment -----------------------------------------------------------


def start_reassign(screen: Screen, tickets: list[TicketRef]) -> None:
    """`r` on a list screen: open the dialog for these tickets (or say why not)."""
    start_command(screen, tickets, "reassign", lambda: ReassignDialog(tickets), _record, _recorded)


def _record(app: App, request: ReassignRequest) -> list[OutboxChange]:
    """The entries of one request, in one transaction (dispatch/outbox.record)."""
    store = app.context.store  # type: ignore[attr-defined]
    return store.record_reassignment(request.tickets, request.to_station, request.reason)


def _recorded(app: App, request: ReassignRequest, changes: list[OutboxChange]) -> None:
    skipped = len(request.tickets) - len(changes)
    if changes:
        app.notify(t("reassign.queued", count=len(changes), station=request.to_station))
    if skipped:
        app.notify(t("reassign.skipped", count=skipped, station=request.to_station), severity="warning")
    follow_recorded(app, changes)
