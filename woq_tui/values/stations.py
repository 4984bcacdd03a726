"""Stations as the dialogs offer them: in the filter (with area and pinyin initials) and
as reassignment targets (with their open load and overdue count)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StationChoice:
    code: str
    name: str
    area_type: str
    initials: str


@dataclass(frozen=True)
class StationCandidate:
    code: str
    name: str
    initials: str
    open: int
    overdue: int


def match_candidates(candidates: list[StationCandidate], text: str) -> list[StationCandidate]:
    """Candidates for what was typed: code prefix first, then pinyin initials prefix,
    then name, then anywhere in code or initials; in code order within each rank."""
    query = text.strip().lower()
    if not query:
        return list(candidates)
    ranked: list[tuple[int, str, StationCandidate]] = []
    for candidate in candidates:
        code, initials = candidate.code.lower(), candidate.initials.lower()
        if code.startswith(query):
            rank = 0
        elif initials.startswith(query):
            rank = 1
        elif query in candidate.name.lower():
            rank = 2
        elif query in code or query in initials:
            rank = 3
        else:
            continue
        ranked.append((rank, candidate.code, candidate))
    ranked.sort(key=lambda item: item[:2])
    return [candidate for _rank, _code, candidate in ranked]
