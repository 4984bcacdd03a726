"""The console's symbols: one meaning each, the same on every screen, listed in the help
(`?`). Each stands beside a word, so nothing is told by colour alone (docs/sla.md)."""

from __future__ import annotations

from woq_tui.domain.enums import OutboxState, SlaState

SLA = {SlaState.overdue: "✖", SlaState.at_risk: "▲", SlaState.ok: "●"}
# A marked row of a list (space): not any state's symbol.
MARK = "◆"
# A ticket with a quality flag (the audit, screen 6): not a state, not a mark.
FLAGGED = "⚑"
# A figure that got worse than in the period compared with.
WORSE = "✗"
# A reassignment's state in the outbox.
OUTBOX = {
    OutboxState.pending: "⏳",
    OutboxState.confirmed: "✔",
    OutboxState.conflict: "⚠",
    OutboxState.refused: "⊘",
    OutboxState.failed: "⊗",
}
# Changes of a number since the last refresh or the period compared with.
UP, DOWN = "↑", "↓"
# Chart series: overdue tickets and escalations in the meeting view's daily bars.
OVERDUE_BAR, ESCALATION_BAR = "█", "▒"


def legend() -> list[tuple[str, str]]:
    """(symbol, message key) for the help screen."""
    return [
        (SLA[SlaState.overdue], "symbol.overdue"),
        (SLA[SlaState.at_risk], "symbol.at_risk"),
        (SLA[SlaState.ok], "symbol.ok"),
        (MARK, "symbol.mark"),
        (FLAGGED, "symbol.flagged"),
        (UP + DOWN, "symbol.moved"),
        (WORSE, "symbol.worse"),
        (OUTBOX[OutboxState.pending], "symbol.pending"),
        (OUTBOX[OutboxState.confirmed], "symbol.confirmed"),
        (OUTBOX[OutboxState.conflict], "symbol.conflict"),
        (OUTBOX[OutboxState.refused], "symbol.refused"),
        (OUTBOX[OutboxState.failed], "symbol.failed"),
        (OVERDUE_BAR + " " + ESCALATION_BAR, "symbol.bars"),
    ]
