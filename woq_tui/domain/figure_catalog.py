"""The figures of docs/figures.md by key: unit and which direction is better. Plain
Python, so that screens and reports can name and format figures without loading the
SQL that computes them (domain/metrics.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "ratio", "minutes", "hours"]
Better = Literal["lower", "higher", None]


@dataclass(frozen=True)
class Figure:
    key: str
    unit: Unit
    # Which direction is an improvement (None: neither, e.g. a plain count of tickets).
    better: Better


FIGURES: tuple[Figure, ...] = (
    Figure("tickets", "count", None),
    Figure("open", "count", "lower"),
    Figure("overdue", "count", "lower"),
    Figure("overdue_rate", "ratio", "lower"),
    Figure("on_time_rate", "ratio", "higher"),
    Figure("avg_first_response_min", "minutes", "lower"),
    Figure("p90_first_response_min", "minutes", "lower"),
    Figure("avg_handling_h", "hours", "lower"),
    Figure("p90_handling_h", "hours", "lower"),
    Figure("repeat_dispatch_rate", "ratio", "lower"),
    Figure("escalation_rate", "ratio", "lower"),
    Figure("one_time_resolution_rate", "ratio", "higher"),
    Figure("satisfaction_rate", "ratio", "higher"),
)
FIGURE_KEYS: tuple[str, ...] = tuple(figure.key for figure in FIGURES)
# The audit's figures (docs/audit.md, "Figures"): read where the audit is (the station screen's
# quality column, the meeting view's tile), not part of every figure table.
AUDIT_FIGURES: tuple[Figure, ...] = (
    Figure("flagged", "count", "lower"),
    Figure("quality_pass_rate", "ratio", "higher"),
)
FIGURE_BY_KEY = {figure.key: figure for figure in (*FIGURES, *AUDIT_FIGURES)}


def empty_figures() -> dict[str, float | int | None]:
    """The figures of an empty set of tickets."""
    return {key: (0 if FIGURE_BY_KEY[key].unit == "count" else None) for key in FIGURE_KEYS}
