"""Suggested stations for a ticket (docs/dispatch-assist.md): the values the store
answers with, and their reasons in words (zh / en) for the dialog and the command line.

A suggestion's reasons are data (how many earlier tickets at the same address, road,
village/community or town/street, in which window, the candidate's load, whether its
area type matches); `reason_text()` says them in the console's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from woq_tui.i18n import t

# Where the history came from, narrowest first: the same address, then the same road,
# village or community, town or street (domain/address_parts.py), then none: stations
# named after the address's district or county.
SCOPES = ("address", "road", "village", "town", "district")
# The window of the history: 90 days before the ticket, or all earlier tickets.
RECENT_DAYS = 90


@dataclass(frozen=True)
class Evidence:
    """Where the suggestions' history was found: its scope, its window (RECENT_DAYS or
    None for all time) and how many earlier tickets it holds."""

    scope: str
    days: int | None
    tickets: int


@dataclass(frozen=True)
class StationSuggestion:
    code: str
    name: str
    area_type: str
    handled: int  # of the evidence's tickets, how many this station has
    open: int
    overdue: int
    at_risk: int
    area_match: bool | None  # None: the address does not say whether it is urban
    current: bool  # the ticket is at this station now


@dataclass(frozen=True)
class Suggestions:
    ticket_no: str
    station_code: str
    evidence: Evidence | None  # None: no history at any scope, and no station named after the district
    suggestions: tuple[StationSuggestion, ...]  # best first

    def targets(self) -> tuple[StationSuggestion, ...]:
        """The suggestions a reassignment can go to (not the ticket's own station)."""
        return tuple(s for s in self.suggestions if not s.current)


def history_text(suggestion: StationSuggestion, evidence: Evidence) -> str:
    """此地址近 90 天 12 单中 11 单由 S017 办理 / 11 of 12 tickets at this address in 90 days handled by S017"""
    if evidence.scope == "district":
        return t("suggest.reason.district", station=suggestion.code)
    where = t(f"suggest.scope.{evidence.scope}")
    window = t("suggest.window.days", days=evidence.days) if evidence.days else t("suggest.window.all")
    return t(
        "suggest.reason.history",
        where=where, window=window, total=evidence.tickets, handled=suggestion.handled, station=suggestion.code,
    )


def load_text(suggestion: StationSuggestion) -> str:
    parts = [t("suggest.reason.open", count=suggestion.open), t("suggest.reason.overdue", count=suggestion.overdue)]
    if suggestion.at_risk:
        parts.append(t("suggest.reason.at_risk", count=suggestion.at_risk))
    if suggestion.area_match is not None:
        parts.append(t("suggest.reason.area_match" if suggestion.area_match else "suggest.reason.area_other"))
    return t("suggest.sep").join(parts)


def reason_text(suggestion: StationSuggestion, evidence: Evidence) -> str:
    """All of a suggestion's reasons in one line."""
    return t("suggest.sep").join((history_text(suggestion, evidence), load_text(suggestion)))
