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
