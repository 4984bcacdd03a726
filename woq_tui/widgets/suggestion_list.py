"""The suggested stations at the top of the reassign dialog (docs/dispatch-assist.md):
each with the key that chooses it, its code and name, and its reasons in words on the
line below. It only shows: the dialog loads the suggestions (its Loader) and decides
what choosing one does (`Chosen`)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from woq_tui.i18n import t
from woq_tui.values.suggestions import Evidence, StationSuggestion, history_text, load_text

# How many suggestions the dialog shows (the command line shows all it gets).
SHOWN = 3


class SuggestionList(Vertical):
    DEFAULT_CSS = """
    SuggestionList { height: auto; }
    SuggestionList > Label { margin-top: 1; color: $text-muted; }
    SuggestionList OptionList { height: auto; max-height: 8; }
    SuggestionList #suggest-note { color: $text-muted; }
    SuggestionList .-hidden { display: none; }
    """

    @dataclass
    class Chosen(Message):
        code: str

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.keys: tuple[str, ...] = ()  # the key that chooses each suggestion, as shown (the dialog sets them)
        self.shown: tuple[StationSuggestion, ...] = ()

    def compose(self) -> ComposeResult:
        yield Label(t("suggest.title_plain"), id="suggest-title")
        yield Static(t("suggest.loading"), id="suggest-note")
        yield OptionList(id="suggestions", classes="-hidden")

    def key_range(self) -> str:
        """F2–F4 (or every key, when [keys] made them unalike)."""
        keys = [key for key in self.keys if key]
        if len(keys) < 2:
            return "".join(keys)
        stems = {key.rstrip("0123456789") for key in keys}
        if len(stems) == 1 and all(key[len(key.rstrip("0123456789")):] for key in keys):
            return f"{keys[0]}–{keys[-1]}"
        return " ".join(keys)

    def say(self, key: str, **values: object) -> None:
        """No list: one line instead (loading, none, several tickets, failed)."""
        self.shown = ()
        self.query_one("#suggestions", OptionList).set_class(True, "-hidden")
        self.query_one("#suggest-title", Label).update(t("suggest.title_plain"))
        note = self.query_one("#suggest-note", Static)
        note.set_class(False, "-hidden")
        note.update(t(key, **values))

    def show(self, evidence: Evidence | None, suggestions: tuple[StationSuggestion, ...]) -> None:
        self.shown = suggestions[:SHOWN]
        if evidence is None or not self.shown:
            self.say("suggest.none")
            return
        self.query_one("#suggest-title", Label).update(t("suggest.title", keys=self.key_range()))
        self.query_one("#suggest-note", Static).set_class(True, "-hidden")
        options = self.query_one("#suggestions", OptionList)
        options.set_class(False, "-hidden")
        keys = (self.keys + ("",) * SHOWN)[: len(self.shown)]
        key_width = max(cell_len(key) for key in keys)
        name_width = max(cell_len(s.name) for s in self.shown)
        options.set_options(
            Option(self._text(s, evidence, key, key_width, name_width), id=s.code)
            for s, key in zip(self.shown, keys)
        )
        options.highlighted = None  # shown, not chosen: no target until the dispatcher picks

    @staticmethod
    def _text(s: StationSuggestion, evidence: Evidence, key: str, key_width: int, name_width: int) -> Text:
        """F2  S002  东丽城西供电所  在办 8 · 超期 1 · 区域类型相符
               此地址近 90 天 12 单中 11 单由 S002 办理"""
        text = Text()
        text.append(key + " " * (key_width - cell_len(key)), style="bold reverse")
        text.append("  ")
        text.append(s.code, style="bold")
        text.append("  " + s.name + " " * (name_width - cell_len(s.name)) + "  ")
        text.append(load_text(s), style="red" if s.overdue else "")
        text.append("\n" + " " * (key_width + 2))
        text.append(history_text(s, evidence))
        return text

    def mark(self, code: str | None) -> None:
        """Highlight the suggestion that is the dialog's target, if one is."""
        codes = [s.code for s in self.shown]
        self.query_one("#suggestions", OptionList).highlighted = codes.index(code) if code in codes else None

    def choose(self, index: int) -> None:
        if 0 <= index < len(self.shown):
            self.query_one("#suggestions", OptionList).highlighted = index
            self.post_message(self.Chosen(self.shown[index].code))

    @on(OptionList.OptionSelected, "#suggestions")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option_index)
