"""The counts above the queue (from SQL, never from the rows on screen), each with an
arrow when it moved since the last refresh (k9s marks changed numbers the same way).

The counts are read with the page, from one snapshot (store/queue_live.py), but not on
every tick (screens/queue.py, KPI_SECONDS): when the list has moved on since they were
counted, the strip says when they were counted, so that 未结 776 beside 共 780 reads as
an older figure, not a contradiction."""

from __future__ import annotations

from dataclasses import fields

from textual.content import Content
from textual.widgets import Static

from woq_tui.domain.enums import SlaState
from woq_tui.i18n import t
from woq_tui.values.queue import Kpis
from woq_tui.widgets import symbols

# field, message key, style of the number when it is not zero
ITEMS = (
    ("open", "kpi.open", "bold"),
    ("overdue", "kpi.overdue", "bold $text-error"),
    ("at_risk", "kpi.at_risk", "bold $text-warning"),
    ("escalated_today", "kpi.escalated_today", "bold $text-accent"),
    ("new_last_hour", "kpi.new_last_hour", "bold"),
    ("outbox_pending", "kpi.outbox_pending", "bold"),
)
SYMBOL = {"overdue": symbols.SLA[SlaState.overdue] + " ", "at_risk": symbols.SLA[SlaState.at_risk] + " "}


class KpiStrip(Static):
    DEFAULT_CSS = """
    KpiStrip { height: 1; padding: 0 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kpis: Kpis | None = None
        self.previous: Kpis | None = None
        # when the counts were read, shown while the list is newer than them
        self.counted_at: str | None = None
        self.older = False

    def on_mount(self) -> None:
        self.show(None)

    def show(self, kpis: Kpis | None, counted_at: str | None = None) -> None:
        """New counts (and the local time they were read), or None to redraw."""
        if kpis is not None:
            self.counted_at, self.older = counted_at, False
            if kpis != self.kpis:
                self.previous, self.kpis = self.kpis, kpis
        self._draw()

    def mark_older(self) -> None:
        """The list has changed since the counts were read."""
        if not self.older and self.kpis is not None and self.counted_at:
            self.older = True
            self._draw()

    def _draw(self) -> None:
        parts: list[tuple[str, str] | str] = []
        for number, (name, key, style) in enumerate(ITEMS):
            if number:
                parts.append((" │ ", "dim"))
            parts.append(SYMBOL.get(name, "") + t(key) + " ")
            if self.kpis is None:
                parts.append((t("none"), "dim"))
                continue
            value = getattr(self.kpis, name)
            parts.append((f"{value:,}", style if value else "dim"))
            if self.previous is not None:
                before = getattr(self.previous, name)
                if value != before:
                    parts.append((" ↑" if value > before else " ↓", "bold"))
        if self.older:
            parts.append((" │ " + t("kpi.counted_at", time=self.counted_at), "italic"))
        self.update(Content.assemble(*parts))


assert {f.name for f in fields(Kpis)} == {name for name, _, _ in ITEMS}
