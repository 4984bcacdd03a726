"""Reassignment: the entry point the list screens call on `r`.

The dialog and the outbox behind it arrive with the reassignment issue; until then the
entry point says so instead of doing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.screen import Screen

from woq_tui.i18n import t


@dataclass(frozen=True)
class TicketRef:
    """What a reassignment needs to know of a ticket as the dispatcher saw it."""

    ticket_no: str
    station_code: str
    version: int


def start_reassign(screen: Screen, tickets: list[TicketRef]) -> None:
    screen.notify(t("reassign.unavailable"), severity="warning")
