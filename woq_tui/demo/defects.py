"""The quality defects the demo plants (docs/demo.md, "Planted defects"; docs/audit.md's rules).

The source study's defects at rates a supervisor recognises: a few per cent of tickets
recorded under the wrong type (the summary belongs to another), tickets sent to the
wrong station at an address whose history is at another, empty or too short fields,
statuses and times that contradict each other, complaints closed within minutes, due
times typed by hand. Repeat calls and repeat faults come from the callers
(woq_tui/demo/places.py), repeat dispatch and reopening from the ticket's life.

Each ticket takes the same five draws from the defect stream whatever it turns out to
be, so the defect stream never depends on the main one (the pilot's counterfactual in
tests/test_pilot_demo.py stays ticket for ticket the same).
"""

from __future__ import annotations

import random
from typing import Literal

from woq_tui.demo.shape import DAY, HOUR
from woq_tui.demo.summary_words import CONFUSED_WITH
from woq_tui.demo.writer import TICKET_COLUMNS

MISCLASSIFIED = 0.03  # of tickets: the summary is of another type than recorded
MISROUTED = 0.12  # of tickets at an address with history enough for the routing model
MISSING_SUMMARY = 0.006  # of tickets: empty, 无, 同上, 见录音 …
MISSING_ADDRESS = 0.012  # of repairs
MISSING_ARRIVAL = 0.02  # of repairs (fires once resolved)
MISSING_CONTACT = 0.03  # of complaints (fires once resolved)
# Repairs and complaints must be surveyed (回访); this share of them is not.
SURVEY_MISSED = 0.035
STATUS_MISMATCH = 0.004
TIME_ORDER = 0.004
DUE_MISMATCH = 0.003
TOO_FAST = 0.02  # of complaints: closed within minutes of the call (秒结)
DRAWS = 5
# Below these a draw may plant something (the generator skips the calls above them).
TEXT_BAND = MISCLASSIFIED + MISSING_SUMMARY
FIELD_BAND = max(MISSING_ADDRESS + MISSING_ARRIVAL, MISSING_CONTACT)
RECORD_BAND = STATUS_MISMATCH + TIME_ORDER + DUE_MISMATCH
SURVEY_DUTY_TYPES = frozenset({"repair", "complaint"})

SHORT_SUMMARIES = (None, "", "无", "同上", "见录音", "停电", "咨询", "  ", "略")
OPEN = frozenset({"new", "dispatched", "accepted", "in_progress"})

COL = {name: index for index, name in enumerate(TICKET_COLUMNS)}
STATUS, CREATED, RESPONDED = COL["status"], COL["created_at"], COL["first_response_at"]
DISPATCHED, ARRIVED, RESOLVED, CLOSED = COL["dispatched_at"], COL["arrived_at"], COL["resolved_at"], COL["closed_at"]
DUE, SUMMARY, ADDRESS, UPDATED = COL["due_at"], COL["summary"], COL["address"], COL["updated_at"]
# A hand-typed due time: a day late, a day early, two hours late, three days late.
DUE_SLIPS = (DAY, -DAY, 2 * HOUR, 3 * DAY)


def draws(rng: random.Random) -> tuple[float, ...]:
    """The ticket's defect draws: (text, route, field, record, variant)."""
    draw = rng.random
    return (draw(), draw(), draw(), draw(), draw())


def true_type(kind: str, draw: tuple[float, ...]) -> str | None:
    """The type the summary really belongs to when the ticket is misclassified."""
    text = draw[0]
    if text >= MISCLASSIFIED:
        return None
    choices = CONFUSED_WITH[kind]
    return choices[int(text / MISCLASSIFIED * len(choices))]


def short_summary(draw: tuple[float, ...]) -> str | None | Literal[False]:
    """A missing or too short summary, or False to keep the written one."""
    if not MISCLASSIFIED <= draw[0] < MISCLASSIFIED + MISSING_SUMMARY:
        return False
    return SHORT_SUMMARIES[int(draw[4] * len(SHORT_SUMMARIES))]


def too_fast(draw: tuple[float, ...]) -> int | None:
    """The handling seconds of a complaint closed at once (2 to 9 minutes), or None."""
    if not _in_band(draw[3], STATUS_MISMATCH + TIME_ORDER + DUE_MISMATCH, TOO_FAST):
        return None
    return 120 + int(draw[4] * 420)


def survey_missed(draw: tuple[float, ...]) -> bool:
    """Whether a repair or complaint (SURVEY_DUTY_TYPES) goes without its survey call."""
    return draw[2] >= 1 - SURVEY_MISSED


def plant_record(row: list, kind: str, draw: tuple[float, ...]) -> str | None:
    """Blank a field or break status, times or due time of a built row, in place.

    Returns the planted kind (docs/audit.md rule id), or None."""
    field, record, variant = draw[2], draw[3], draw[4]
    planted = None
    if kind == "repair" and field < MISSING_ADDRESS:
        row[ADDRESS] = None if variant < 0.7 else ""
        planted = "missing_address"
    elif kind == "repair" and _in_band(field, MISSING_ADDRESS, MISSING_ARRIVAL) and row[ARRIVED] is not None:
        row[ARRIVED] = None
        planted = "missing_arrival"
    elif kind == "complaint" and field < MISSING_CONTACT and row[RESOLVED] is not None:
        row[RESPONDED] = None
        planted = "missing_contact"
    if record < STATUS_MISMATCH:
        planted = _status_mismatch(row) or planted
    elif _in_band(record, STATUS_MISMATCH, TIME_ORDER):
        planted = _time_order(row, variant) or planted
    elif _in_band(record, STATUS_MISMATCH + TIME_ORDER, DUE_MISMATCH):
        row[DUE] += DUE_SLIPS[int(variant * len(DUE_SLIPS))]
        planted = "due_mismatch"
    return planted


def _in_band(value: float, low: float, width: float) -> bool:
    return low <= value < low + width


def _status_mismatch(row: list) -> str | None:
    """Resolved but left in progress; archived but left resolved; or marked resolved
    with no resolution time."""
    if row[CLOSED] is not None:
        row[STATUS] = "resolved"
    elif row[RESOLVED] is not None:
        row[STATUS] = "in_progress"
    elif row[STATUS] in ("accepted", "in_progress"):
        row[STATUS] = "resolved"
    else:
        return None
    return "status_mismatch"


def _time_order(row: list, variant: float) -> str | None:
    """An arrival typed before the dispatch, or an archiving before the resolution."""
    if row[ARRIVED] is not None and (variant < 0.5 or row[CLOSED] is None):
        row[ARRIVED] = max(row[CREATED], row[DISPATCHED] - 300 - int(variant * 1500))
        return "time_order"
    if row[CLOSED] is not None:
        row[CLOSED] = row[RESOLVED] - 600 - int(variant * 6600)
        return "time_order"
    return None


def neighbours(specs) -> dict[str, tuple]:
    """station code -> where a ticket of that station is sent by mistake: the stations of
    its county, else of its area (so the SLA limits, and so the due time, stay right),
    in list order. Grouped first: comparing every pair took seconds at 3,000 stations."""
    by_county: dict[str, list] = {}
    by_area: dict[str, list] = {}
    for spec in specs:
        by_county.setdefault(spec.county, []).append(spec)
        by_area.setdefault(spec.area, []).append(spec)
    found = {}
    for spec in specs:
        same_county = tuple(other for other in by_county[spec.county] if other.code != spec.code)
        found[spec.code] = same_county or tuple(other for other in by_area[spec.area] if other.code != spec.code)
    return found
