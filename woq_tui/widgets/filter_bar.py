"""The line under the KPI strip: sort order, search and filters as chips, how many
rows are shown of how many, marks; and the search box that `/` opens."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Static

from woq_tui.i18n import t
from woq_tui.values.queue import QueueFilter, QueueSort


def describe_filter(filt: QueueFilter, station_names: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) chips for what is filtered, in a fixed order."""
    chips: list[tuple[str, str]] = []
    if filt.search.strip():
        chips.append((t("chip.search"), filt.search.strip()))
    if filt.types:
        chips.append((t("chip.type"), "、".join(t("type." + code) for code in sorted(filt.types))))
    if filt.stations:
        chips.append(
            (t("chip.station"), "、".join(station_names.get(code, code) for code in sorted(filt.stations)))
        )
    if filt.areas:
        chips.append((t("chip.area"), "、".join(t("area." + code) for code in sorted(filt.areas))))
    if filt.statuses:
        chips.append((t("chip.status"), "、".join(t("status." + code) for code in sorted(filt.statuses))))
    return chips


class FilterBar(Horizontal):
    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar #chips { width: 1fr; height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    FilterBar #counts { width: auto; height: 1; padding: 0 1; color: $text-muted; }
    FilterBar #search { display: none; width: 1fr; height: 3; border: tall $text-accent; }
    FilterBar.-searching #search { display: block; }
    FilterBar.-searching #chips { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("search.placeholder"), id="search")
        yield Static(id="chips")
        yield Static(id="counts")

    def show(
        self,
        filt: QueueFilter,
        sort: QueueSort,
        reverse: bool,
        shown: int,
        total: int | None,
        marked: int,
        station_names: dict[str, str],
    ) -> None:
        parts: list[tuple[str, str] | str] = [
            (t("chip.sort") + " ", "dim"),
            (t("sort." + sort.value) + (" ↓" if reverse else " ↑"), "bold"),
        ]
        for label, value in describe_filter(filt, station_names):
            parts += ["  ", (f" {label}：{value} ", "reverse $text-accent")]
        if filt.active:
            parts += ["  ", (t("chip.clear_hint"), "dim")]
        # The screen is laid out again only when a width changes: a layout repaints
        # every widget on it, which a sort's or a filter's frame paid for each time
        # (docs/speed.md, "Keys and loading lag"). #chips is one line of the width left;
        # #counts is padded on its left to its width with every row shown, so that it
        # keeps it while a new list fills its page (64 rows, then 500). A total not
        # counted yet is "…": a new filter's count comes with the rest of its page.
        self.query_one("#chips", Static).update(Content.assemble(*parts), layout=False)
        total_text = "…" if total is None else f"{total:,}"
        counts = t("count.shown", shown=f"{shown:,}", total=total_text)
        widest = total_text if total is not None else f"{shown:,}"
        counts = " " * (cell_len(t("count.shown", shown=widest, total=total_text)) - cell_len(counts)) + counts
        if marked:
            counts += "  " + t("count.marked", n=marked)
        shown_counts = self.query_one("#counts", Static)
        shown_counts.update(counts, layout=cell_len(counts) != cell_len(str(shown_counts.content)))

    def open_search(self, text: str) -> Input:
        search = self.query_one("#search", Input)
        search.value = text
        self.add_class("-searching")
        search.focus()
        search.cursor_position = len(text)
        return search

    def close_search(self) -> None:
        self.remove_class("-searching")

    @property
    def searching(self) -> bool:
        return self.has_class("-searching")
