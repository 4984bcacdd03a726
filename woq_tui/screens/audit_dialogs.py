"""The dialogs of screen 6: the note that may follow `c` / `d` (escape records
nothing), and `f`: narrow the flags by rule, station and severity (any of each)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from woq_tui.domain.audit_rules import RULES, SEVERITIES
from woq_tui.i18n import t
from woq_tui.reporting.audit_words import rule_name, severity_word
from woq_tui.screens.filter import ChecklistFilter, Group
from woq_tui.widgets.audit_rows import AuditFilter
from woq_tui.widgets.translated import TranslatedBindings


class ReviewNote(TranslatedBindings, ModalScreen[str | None]):
    """The review of one flag: enter records it with the note typed (may be empty),
    escape records nothing. Answers the note ("" for none), None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "audit.key.cancel"),
        Binding("ctrl+s", "confirm", "audit.key.record"),
    ]
    DEFAULT_CSS = """
    ReviewNote { align: center middle; }
    ReviewNote > Vertical { width: 72; max-width: 100%; height: auto;
        border: thick $text-accent; background: $surface; padding: 0 1; }
    ReviewNote #title { text-style: bold; }
    ReviewNote Label { margin-top: 1; color: $text-muted; }
    ReviewNote .hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, verdict: str, ticket_no: str, rule: str) -> None:
        super().__init__()
        self.verdict = verdict
        self.ticket_no = ticket_no
        self.rule = rule

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t(f"audit.note.title.{self.verdict}", ticket=self.ticket_no, rule=rule_name(self.rule)), id="title")
            yield Label(t("audit.note.label"))
            yield Input(placeholder=t("audit.note.placeholder"), id="note", max_length=500)
            yield Static(t("audit.note.hint"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def action_confirm(self) -> None:
        self.dismiss(self.query_one("#note", Input).value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class AuditFilterDialog(ChecklistFilter[AuditFilter]):
    TITLE_KEY = "audit.filter.title"
    # the rules' English names are as long as the stations' entries
    DEFAULT_CSS = "AuditFilterDialog .group.rules { width: 2fr; }"

    def __init__(self, current: AuditFilter, stations: dict[str, str]) -> None:
        groups: list[Group] = [
            ("rules", "audit.filter.rules", [(rule_name(rule.id), rule.id, rule.id in current.rules) for rule in RULES]),
            (
                "stations", "filter.stations",
                [(f"{name} {code}", code, code in current.stations) for code, name in sorted(stations.items())],
            ),
            ("severities", "audit.filter.severities",
             [(severity_word(level), level, level in current.severities) for level in SEVERITIES]),
        ]  # fmt: skip
        super().__init__(groups, lambda picked: AuditFilter(picked("rules"), picked("stations"), picked("severities"), current.search))
        self.current = current
