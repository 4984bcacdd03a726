"""The pilot evaluation's statistics (docs/assessment.md "Pilot
evaluation"): a difference in differences of pooled figures, and its 95 % interval from
a seeded bootstrap that resamples stations within each group.

The input is each station's integer sums in the two windows (domain/metrics.SUMS, read
once in SQL by store/pilot.py). A group's figure in a window is metrics.finish() of the
sum of its stations' sums: the figure over all of the group's tickets, the one
definition docs/figures.md gives for any set of tickets. A bootstrap resample draws as many
stations as the group has, with replacement, in each group, adds up their sums (a
station's two windows go together) and takes the same difference; no database work.

The interval is the percentile interval: the resamples' effects sorted, the values at
the 1-based positions ⌈0.025 B⌉ and ⌈0.975 B⌉ of the B defined ones (a resample whose
group has a zero denominator in a window has no effect and is left out).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from woq_tui.domain.figure_catalog import FIGURES
from woq_tui.domain.metrics import NEEDS, finish

# The ratio and mean figures of docs/figures.md (not the counts, not the percentiles: a
# percentile of pooled tickets is not a sum of stations' parts).
PILOT_FIGURES: tuple[str, ...] = tuple(
    figure.key for figure in FIGURES if figure.unit != "count" and not figure.key.startswith("p90_")
)
DEFAULT_FIGURE = "overdue_rate"
# The bootstrap's seed unless one is given: the same data give the same interval.
DEFAULT_SEED = 95598


@dataclass(frozen=True)
class StationSums:
    """One station's sums (only the names the figure needs) before and after the start."""

    code: str
    before: tuple[int, ...]
    after: tuple[int, ...]


def sum_names(figure: str) -> tuple[str, ...]:
    """The sums a figure rests on, tickets always among them (for the cell counts)."""
    if figure not in PILOT_FIGURES:
        raise ValueError(f"not a ratio or mean figure: {figure!r}")
    return tuple(dict.fromkeys(("tickets", *NEEDS[figure])))


def figure_of(names: Sequence[str], totals: Sequence[int], figure: str) -> float | None:
    """The figure over the tickets whose sums are `totals` (metrics.finish)."""
    return finish(dict(zip(names, totals)), only=(figure,))[figure]


def _totals(rows: Sequence[tuple[int, ...]], width: int) -> list[int]:
    return [sum(row[index] for row in rows) for index in range(width)]


@dataclass(frozen=True)
class Cells:
    """The four cells: each group's pooled value and ticket count in each window."""

    pilot_before: tuple[float | None, int]
    pilot_after: tuple[float | None, int]
    control_before: tuple[float | None, int]
    control_after: tuple[float | None, int]

    @property
    def effect(self) -> float | None:
        pa, pb, ca, cb = (self.pilot_after[0], self.pilot_before[0], self.control_after[0], self.control_before[0])
        if pa is None or pb is None or ca is None or cb is None:
            return None
        return (pa - pb) - (ca - cb)


def cells(pilot: Sequence[StationSums], control: Sequence[StationSums], figure: str) -> Cells:
    names = sum_names(figure)
    width = len(names)
    tickets = names.index("tickets")

    def cell(rows: Sequence[tuple[int, ...]]) -> tuple[float | None, int]:
        totals = _totals(rows, width)
        return figure_of(names, totals, figure), totals[tickets]

    return Cells(
        cell([s.before for s in pilot]),
        cell([s.after for s in pilot]),
        cell([s.before for s in control]),
        cell([s.after for s in control]),
    )


def bootstrap_effects(
    pilot: Sequence[StationSums], control: Sequence[StationSums], figure: str, resamples: int, seed: int
) -> list[float]:
    """The effect of each resample that has one, in draw order. Each resample draws
    len(pilot) pilot stations, then len(control) control stations, with replacement
    (random.Random(seed).choices), and pools their sums."""
    if not pilot or not control:
        return []
    names = sum_names(figure)
    rng = random.Random(seed)
    # per group and window, one list per sum over the group's stations: a resample's
    # total is then sum(map(column.__getitem__, drawn)), the fast path in CPython
    groups = [
        (range(len(group)), [[s.before[i] for s in group] for i in range(len(names))],
         [[s.after[i] for s in group] for i in range(len(names))])
        for group in (pilot, control)
    ]  # fmt: skip
    effects = []
    for _ in range(resamples):
        changes: list[float | None] = []
        for indexes, before, after in groups:
            drawn = rng.choices(indexes, k=len(indexes))
            value_before = figure_of(names, [sum(map(column.__getitem__, drawn)) for column in before], figure)
            value_after = figure_of(names, [sum(map(column.__getitem__, drawn)) for column in after], figure)
            changes.append(None if value_before is None or value_after is None else value_after - value_before)
        pilot_change, control_change = changes
        if pilot_change is not None and control_change is not None:
            effects.append(pilot_change - control_change)
    return effects


def percentile_interval(effects: Sequence[float], level: float = 0.95) -> tuple[float, float] | None:
    """The values at the 1-based positions ⌈(1−level)/2 · B⌉ and ⌈(1+level)/2 · B⌉ of
    the sorted effects; None without any."""
    if not effects:
        return None
    ordered = sorted(effects)
    count = len(ordered)

    def at(share: float) -> float:
        position = max(1, math.ceil(round(share * count, 9)))
        return ordered[position - 1]

    return at((1 - level) / 2), at((1 + level) / 2)
