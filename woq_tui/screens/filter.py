"""`f`: narrow a ticket list by type, station, area and status (any of each)."""

from __future__ import annotations

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


class FilterScreen(TranslatedBindings, ModalScreen[QueueFilter | None]):
    BINDINGS = [
        Binding("enter", "apply", "filter.apply", priority=True),
        Binding("escape", "cancel", "filter.cancel"),
        Binding("x", "clear", "filter.clear"),
    ]
    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > Vertical {
        width: 96%; max-width: 140; height: 80%; max-height: 40;
        border: thick $text-accent; background: $surface; padding: 0 1;
    }
    FilterScreen Horizontal { height: 1fr; }
    FilterScreen .group { width: 1fr; height: 1fr; }
    FilterScreen .group.stations { width: 2fr; }
    FilterScreen SelectionList { height: 1fr; }
    FilterScreen .hint { color: $text-muted; height: auto; }
    """

    def __init__(self, current: QueueFilter, stations: list[StationChoice]) -> None:
        super().__init__()
        self.current = current
        self.stations = stations

    def compose(self) -> ComposeResult:
        current = self.current
        groups = [
            ("types", "filter.types", [(t("type." + kind), kind.value, kind.value in current.types) for kind in TicketType]),
            (
                "stations",
                "filter.stations",
                [
                    (f"{station.name} {station.initials}", station.code, station.code in current.stations)
                    for station in self.stations
                ],
            ),
            ("areas", "filter.areas", [(t("area." + area), area.value, area.value in current.areas) for area in AreaType]),
            (
                "statuses",
                "filter.statuses",
                [(t("status." + status), status.value, status.value in current.statuses) for status in OPEN_STATUSES],
            ),
        ]
        with Vertical():
            yield Static(t("filter.title"), classes="title")
            with Horizontal():
                for name, title, options in groups:
                    with Vertical(classes=f"group {name}"):
                        yield Label(t(title))
                        yield SelectionList[str](*options, id=name)
            yield Static(t("filter.hint"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#types", SelectionList).focus()

    def chosen(self) -> QueueFilter:
        def picked(name: str) -> frozenset[str]:
            return frozenset(self.query_one(f"#{name}", SelectionList).selected)

        return QueueFilter(
            search=self.current.search,
            types=picked("types"),
            stations=picked("stations"),
            areas=picked("areas"),
            statuses=picked("statuses"),
        )

    def action_apply(self) -> None:
        self.dismiss(self.chosen())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_clear(self) -> None:
        for selection in self.query(SelectionList):
            selection.deselect_all()
