"""Reclassification in the console: the dialog behind `R`, and how a confirmed request
reaches the outbox (docs/dispatch.md).

The list screens and the ticket detail call `start_reclassify(screen, tickets)` with the
ticket under the cursor or all marked tickets. The dialog lists the eight types of
docs/sla.md by their Chinese and English names, with NO type chosen: the dispatcher picks
one (arrow keys or its number 1–8), the dialog says so where the choice would show, and
refuses to send without one (a default would silently retype tickets, as a default
target once moved them to the first station of the list). A suggested type (screen 6's
`type_suspect` flag passes the classifier's) is listed first and marked, still not
chosen. A reason is required. On
confirm the entries go to the same outbox as reassignments, through the app's loader,
and the dialog is gone at once; the pusher reports each entry's state on its row.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from woq_tui.domain.enums import TicketType
from woq_tui.domain.sla import SlaPolicy
from woq_tui.i18n import catalogue, t
from woq_tui.outbox_feed import follow_recorded
from woq_tui.outbox_words import type_name
from woq_tui.screens.command_dialog import start_command
from woq_tui.values.outbox import OutboxChange, TicketRef
from woq_tui.widgets.translated import TranslatedBindings

__all__ = ["ReclassifyDialog", "ReclassifyRequest", "TYPES", "start_reclassify"]

# docs/sla.md's order: what a dispatcher's number keys 1–8 pick.
TYPES = tuple(kind.value for kind in TicketType)


@dataclass(frozen=True)
class ReclassifyRequest:
    tickets: tuple[TicketRef, ...]
    to_type: str
    reason: str


def both_names(code: str) -> tuple[str, str]:
    """A type's Chinese and English names, whatever the console's language: the
    dialog shows both, as the dispatch centre's forms do."""
    return catalogue().get(f"type.{code}", (code, code))


def resolve_limit(policy: SlaPolicy, code: str, area: str | None) -> str:
    """The type's resolve limit in words (docs/sla.md), for the area of the tickets."""
    limit = policy.limit(code, area)
    if limit.resolve_minutes is not None:
        return t("reclassify.limit.minutes", hours=f"{limit.resolve_minutes / 60:g}")
    return t("reclassify.limit.days", days=limit.resolve_working_days or 0)


class ReclassifyDialog(TranslatedBindings, ModalScreen[ReclassifyRequest | None]):
    BINDINGS = [
        Binding("escape", "cancel", "reclassify.key.cancel"),
        Binding("ctrl+s", "confirm", "reclassify.key.confirm"),
        *(Binding(str(number), f"pick({number - 1})", show=False) for number in range(1, len(TYPES) + 1)),
    ]
    DEFAULT_CSS = """
    ReclassifyDialog { align: center middle; }
    ReclassifyDialog > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $text-accent; background: $surface; padding: 0 1;
    }
    ReclassifyDialog #title { text-style: bold; margin-bottom: 1; }
    ReclassifyDialog Label { margin-top: 1; color: $text-muted; }
    ReclassifyDialog #types { height: auto; max-height: 10; }
    ReclassifyDialog #chosen { color: $text-success; }
    ReclassifyDialog #chosen.-none { color: $text-warning; }
    ReclassifyDialog #error { color: $error; }
    ReclassifyDialog .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(
        self,
        tickets: list[TicketRef],
        area: str | None = None,
        policy: SlaPolicy | None = None,
        suggested: str | None = None,
    ) -> None:
        super().__init__()
        self.tickets = tuple(tickets)
        self.area = area
        self.policy = policy
        self.suggested = suggested if suggested in TYPES else None
        # the order shown (and picked by number): a suggestion first, then docs/sla.md's
        self.order = tuple(dict.fromkeys([*filter(None, [self.suggested]), *TYPES]))

    @property
    def current_types(self) -> set[str]:
        return {ref.type for ref in self.tickets if ref.type}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._title(), id="title")
            yield Label(t("reclassify.type"))
            options = (Option(self._type_text(n, code), id=code) for n, code in enumerate(self.order, 1))
            yield OptionList(*options, id="types")
            yield Static("", id="chosen")
            yield Label(t("reclassify.reason"))
            yield Input(placeholder=t("reclassify.reason_hint"), id="reason", max_length=2000, select_on_focus=False)
            yield Static("", id="error")
            yield Static(t("reclassify.hint"), classes="hint")

    def _title(self) -> str:
        if len(self.tickets) == 1:
            ref = self.tickets[0]
            return t("reclassify.title_one", ticket=ref.ticket_no, type=type_name(ref.type))
        types = t("reassign.list_sep").join(type_name(code) for code in sorted(self.current_types)) or "?"
        return t("reclassify.title_many", count=len(self.tickets), types=types)

    def _type_text(self, number: int, code: str) -> Text:
        chinese, english = both_names(code)
        text = Text(f"{number} ", style="bold")
        text.append(chinese + "　" * (4 - len(chinese)))  # the longest name has 4 ideographs
        text.append(f" {english:<16}")
        if code in self.current_types:
            text.append(f" ({t('reclassify.current')})", style="italic")
        if code == self.suggested:
            text.append(f" ({t('reclassify.suggested')})", style="bold")
        return text

    def on_mount(self) -> None:
        types = self.query_one("#types", OptionList)
        types.highlighted = None  # no default type: the dispatcher must pick one
        types.focus()
        self._show_choice()

    def chosen(self) -> str | None:
        highlighted = self.query_one("#types", OptionList).highlighted
        return None if highlighted is None else self.order[highlighted]

    @on(OptionList.OptionHighlighted, "#types")
    def _show_choice(self) -> None:
        code = self.chosen()
        shown = self.query_one("#chosen", Static)
        shown.set_class(code is None, "-none")
        if code is None:
            shown.update(t("reclassify.no_choice"))
            return
        if self.policy is None or self.area is None:  # tickets of several areas: several limits
            shown.update(t("reclassify.chosen_plain", name=type_name(code), code=code))
            return
        limit = resolve_limit(self.policy, code, self.area)
        shown.update(t("reclassify.chosen", name=type_name(code), code=code, limit=limit))

    def action_pick(self, index: int) -> None:
        if self.focused is self.query_one("#reason", Input):
            self.query_one("#reason", Input).insert_text_at_cursor(str(index + 1))  # a digit in the reason
            return
        self.query_one("#types", OptionList).highlighted = index

    @on(OptionList.OptionSelected, "#types")
    def _type_selected(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _reason_submitted(self) -> None:
        self.action_confirm()

    def _show_error(self, text: str) -> None:
        self.query_one("#error", Static).update(text)

    def action_confirm(self) -> None:
        code = self.chosen()
        reason = self.query_one("#reason", Input).value.strip()
        if code is None:
            self._show_error(t("reclassify.need_type"))
            self.query_one("#types", OptionList).focus()
            return
        if all(ref.type == code for ref in self.tickets):
            self._show_error(t("reclassify.same_type", type=type_name(code)))
            return
        if not reason:
            self._show_error(t("reclassify.need_reason"))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(ReclassifyRequest(self.tickets, code, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- starting a reclassification ---------------------------------------------------------


def start_reclassify(
    screen: Screen, tickets: list[TicketRef], area: str | None = None, suggested: str | None = None
) -> None:
    """`R` on a ticket: open the dialog for these tickets (or say why not). `area`: the
    tickets' area when they share one, for the limits the dialog shows; `suggested`: a
    type code to list first (never chosen for the dispatcher)."""
    policy = screen.app.context.policy  # type: ignore[attr-defined]
    start_command(screen, tickets, "reclassify", lambda: ReclassifyDialog(tickets, area, policy, suggested), _record, _recorded)


def _record(app: App, request: ReclassifyRequest) -> list[OutboxChange]:
    store = app.context.store  # type: ignore[attr-defined]
    return store.record_reclassification(request.tickets, request.to_type, request.reason)


def _recorded(app: App, request: ReclassifyRequest, changes: list[OutboxChange]) -> None:
    target = type_name(request.to_type)
    skipped = len(request.tickets) - len(changes)
    if changes:
        app.notify(t("reclassify.queued", count=len(changes), target=target))
    if skipped:
        app.notify(t("reclassify.skipped", count=skipped, target=target), severity="warning")
    follow_recorded(app, changes)
