"""`f`: narrow a list by groups of choices, any of each: the ticket lists by type,
station, area and status; the quality audit by rule, station and severity
(screens/audit_dialogs.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static

from woq_tui.domain.enums import OPEN_STATUSES, AreaType, TicketType
from woq_tui.i18n import t
from woq_tui.values.queue import QueueFilter
from woq_tui.values.stations import StationChoice
from woq_tui.widgets.translated import TranslatedBindings

FilterT = TypeVar("FilterT")
# (widget id, title key, [(label, value, chosen)]): one group of choices
Group = tuple[str, str, list[tuple[str, str, bool]]]
# What is picked in a group, by its widget id
Picked = Callable[[str], frozenset[str]]


class ChecklistFilter(TranslatedBindings, ModalScreen[FilterT | None], Generic[FilterT]):
    """Groups of choices side by side; enter applies, escape cancels, x clears.
    Made with the groups and the function that turns what is picked into the filter."""

    TITLE_KEY = "filter.title"
    BINDINGS = [
        Binding("enter", "apply", "filter.apply", priority=True),
        Binding("escape", "cancel", "filter.cancel"),
        Binding("x", "clear", "filter.clear"),
    ]
    DEFAULT_CSS = """
    ChecklistFilter { align: center middle; }
    ChecklistFilter > Vertical {
        width: 96%; max-width: 140; height: 80%; max-height: 40;
        border: thick $text-accent; background: $surface; padding: 0 1;
    }
    ChecklistFilter Horizontal { height: 1fr; }
    ChecklistFilter .group { width: 1fr; height: 1fr; }
    ChecklistFilter .group.stations { width: 2fr; }
    ChecklistFilter SelectionList { height: 1fr; }
    ChecklistFilter .hint { color: $text-muted; height: auto; }
    """

    def __init__(self, groups: list[Group], make: Callable[[Picked], FilterT]) -> None:
        super().__init__()
        self.groups = groups
        self.make = make

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t(self.TITLE_KEY), classes="title")
            with Horizontal():
                for name, title, options in self.groups:
                    with Vertical(classes=f"group {name}"):
                        yield Label(t(title))
                        yield SelectionList[str](*options, id=name)
            yield Static(t("filter.hint"), classes="hint")

    def on_mount(self) -> None:
        # The queue builds this dialog ahead, while idle (screens/queue.py): a `q` in
        # between can remove its lists before this runs, and then there is none to focus.
        lists = self.query(SelectionList)
        if lists:
            lists.first().focus()
        if self.app.screen is not self:
            self.call_after_refresh(self._lay_out_ahead)

    def _lay_out_ahead(self) -> None:
        """Built ahead (screens/queue.py), the dialog is also laid out ahead, at the
        console's size, and its frame timer started: its first showing then renders
        it at once. Laid out as it was shown, it got a Resize of its own, which laid out
        the queue under it again; and a screen's first frame through its own timer
        waits a whole period (docs/speed.md, "Frames paced from the last one")."""
        if self.is_attached and self.app.screen is not self and not self.stack_updates:
            self._refresh_layout(self.app.size)
            self._update_timer.resume()  # it ticks once, does nothing here, and waits

    def reset(self, groups: list[Group], make: Callable[[Picked], FilterT]) -> bool:
        """Show `groups` again as a new dialog would (their choices, each list at its
        top with its first choice highlighted, the first list focused), the widgets kept: False, changing nothing,
        when their choices are not those shown (a new dialog is needed)."""
        if _choices(groups) != _choices(self.groups):
            return False
        self.groups, self.make = groups, make
        for name, _title, options in groups:
            selection = self.query_one(f"#{name}", SelectionList)
            selection.deselect_all()
            for _label, value, chosen in options:
                if chosen:
                    selection.select(value)
            selection.scroll_home(animate=False, immediate=True)
            selection.highlighted = None
            selection.action_first()  # as OptionList.__init__ does
        self.query(SelectionList).first().focus()
        return True

    def picked(self, name: str) -> frozenset[str]:
        return frozenset(self.query_one(f"#{name}", SelectionList).selected)

    def action_apply(self) -> None:
        self.dismiss(self.make(self.picked))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_clear(self) -> None:
        for selection in self.query(SelectionList):
            selection.deselect_all()


class FilterScreen(ChecklistFilter[QueueFilter]):
    def __init__(self, current: QueueFilter, stations: list[StationChoice]) -> None:
        super().__init__(_queue_groups(current, stations), lambda picked: _queue_filter(current, picked))
        self.current = current

    def show_again(self, current: QueueFilter, stations: list[StationChoice]) -> bool:
        """The dialog for `current` again, kept (ChecklistFilter.reset): False when
        the stations changed."""
        if not self.reset(_queue_groups(current, stations), lambda picked: _queue_filter(current, picked)):
            return False
        self.current = current
        return True


def _choices(groups: list[Group]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """What a dialog offers (each list's name, title, and labels with values), without
    what is ticked."""
    return [(name, title, [option[:2] for option in options]) for name, title, options in groups]


def _queue_groups(current: QueueFilter, stations: list[StationChoice]) -> list[Group]:
    return [
        ("types", "filter.types", [(t("type." + kind), kind.value, kind.value in current.types) for kind in TicketType]),
        (
            "stations",
            "filter.stations",
            [(f"{station.name} {station.initials}", station.code, station.code in current.stations) for station in stations],
        ),
        ("areas", "filter.areas", [(t("area." + area), area.value, area.value in current.areas) for area in AreaType]),
        (
            "statuses",
            "filter.statuses",
            [(t("status." + status), status.value, status.value in current.statuses) for status in OPEN_STATUSES],
        ),
    ]


def _queue_filter(current: QueueFilter, picked: Picked) -> QueueFilter:
    return QueueFilter(
        search=current.search,
        types=picked("types"),
        stations=picked("stations"),
        areas=picked("areas"),
        statuses=picked("statuses"),
    )
