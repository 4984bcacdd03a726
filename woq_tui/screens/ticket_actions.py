"""What every screen that shows tickets can do with them: urge, reassign and reclassify
the marked tickets or the one under the cursor, and refuse them in a read-only console."""

from __future__ import annotations

from functools import cached_property

from textual.screen import Screen

from woq_tui.i18n import t
from woq_tui.screens.base import WoqScreen
from woq_tui.values.outbox import TicketRef
from woq_tui.values.queue import QueueRow
from woq_tui.values.tickets import UrgeResult
from woq_tui.widgets.loader import Loader
from woq_tui.widgets.translated import change_bindings


def refuse_write(screen: Screen, action_key: str) -> bool:
    """True (and a clear notification) when this console may not write."""
    context = screen.app.context  # type: ignore[attr-defined]
    if context.can_write:
        return False
    reason = "write.refused_read_only" if context.read_only else "write.refused_viewer"
    screen.notify(t(reason, action=t(action_key)), severity="warning")
    return True


# The actions that change tickets (reassign, urge, reveal, reclassify, reviews).
WRITE_ACTIONS = frozenset({"reassign", "reclassify", "urge", "reveal"})


class TicketActionsScreen(WoqScreen):
    """A screen that shows tickets: urge and reassign act on selected_rows()."""

    def selected_rows(self) -> list[QueueRow]:
        """The tickets an action applies to; screens that show tickets say which."""
        return []

    def on_mount(self) -> None:
        super().on_mount()
        # A read-only console's footer does not offer the writes; pressed anyway, they
        # say why they are refused.
        if not self.context.can_write:
            change_bindings(self, WRITE_ACTIONS, show=False)

    def rows_to_change(self, action_key: str) -> list[QueueRow]:
        """The tickets a write applies to; none (and the reason told) when this console
        may not write or nothing is selected."""
        if refuse_write(self, action_key):
            return []
        rows = self.selected_rows()
        if not rows:
            self.notify(t("list.no_ticket"), severity="warning")
        return rows

    def action_reassign(self) -> None:
        rows = self.rows_to_change("action.reassign")
        if rows:
            from woq_tui.screens.reassign import start_reassign  # the dialog: only when asked

            start_reassign(self, [TicketRef(row.ticket_no, row.station_code, row.version) for row in rows])

    def action_reclassify(self) -> None:
        rows = self.rows_to_change("action.reclassify")
        if rows:
            from woq_tui.screens.reclassify import start_reclassify  # the dialog: only when asked

            areas = {row.area_type for row in rows}
            refs = [TicketRef(row.ticket_no, row.station_code, row.version, row.type) for row in rows]
            start_reclassify(self, refs, areas.pop() if len(areas) == 1 else None)

    def action_urge(self) -> None:
        rows = self.rows_to_change("action.urge")
        if rows:
            self.urging.load([row.ticket_no for row in rows])

    @cached_property
    def urging(self) -> Loader[list[str], UrgeResult]:
        return Loader(self, self.store.urge, self._urged, what="urge.failed", latest_only=False)

    def _urged(self, _ticket_nos: list[str], result: UrgeResult) -> None:
        if result.skipped:
            message = t("urge.done_some", n=len(result.urged), skipped=len(result.skipped))
        else:
            message = t("urge.done", n=len(result.urged))
        if result.recent:
            minutes = self.context.settings.console.urge_cooldown_minutes
            message += "\n" + t("urge.recent", n=len(result.recent), minutes=minutes, tickets="、".join(result.recent[:3]))
        self.urged(message)

    def urged(self, message: str) -> None:
        self.notify(message)
