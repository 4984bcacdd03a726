"""The demo's planted pilot (docs/demo.md, "The planted pilot"): from a start about two
months before the demo's end, a handful of named stations halve the overdue
probability of their new tickets, so that `woq-console pilot` has a known effect to
find (and a placebo date before it has none).

The start is the local midnight of the Monday on or before the end's local day minus
eight weeks; the stations are five spread evenly over the station list (S011, S031,
S051, S071 and S091 at 100 stations). Only the probability that a ticket ends overdue
changes (its handling time is drawn from the same random number, placed against a
lower z), so the generator's random stream, and every other ticket, stay exactly as
they are without the pilot: the pilot-free run of the same seed is the counterfactual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from functools import lru_cache
from statistics import NormalDist

from woq_tui.domain.instants import from_epoch, to_epoch
from woq_tui.domain.periods import local_midnight

PILOT_STATIONS = 5
PILOT_WEEKS = 8
# Multiplies the overdue probability of each pilot ticket created from the start.
PILOT_FACTOR = 0.5
DAY = 86_400


@dataclass(frozen=True)
class PlantedPilot:
    codes: tuple[str, ...]
    start_day: date
    start: int  # epoch seconds of the start day's local midnight
    factor: float = PILOT_FACTOR

    def overdue_z(self, code: str, created: int, z: float) -> float:
        """The z a ticket's handling time is placed against (P(overdue) = 1 − Φ(z)):
        the pilot's for its tickets from the start, else `z` unchanged."""
        if created < self.start or code not in self.codes:
            return z
        return _scaled(z, self.factor)


@lru_cache(maxsize=4096)
def _scaled(z: float, factor: float) -> float:
    normal = NormalDist()
    return normal.inv_cdf(1 - factor * (1 - normal.cdf(z)))


def pilot_codes(codes: Sequence[str], count: int = PILOT_STATIONS) -> tuple[str, ...]:
    """`count` codes spread evenly over the list (a quarter of it at most)."""
    count = min(count, len(codes) // 4)
    return tuple(codes[int((index + 0.5) * len(codes) / count)] for index in range(count))


def pilot_start_day(end: int, tz: tzinfo) -> date:
    """The Monday on or before the end's local day minus PILOT_WEEKS weeks."""
    day = from_epoch(end).astimezone(tz).date() - timedelta(weeks=PILOT_WEEKS)
    return day - timedelta(days=day.weekday())


def planted_pilot(codes: Sequence[str], start: int, end: int, tz: tzinfo) -> PlantedPilot | None:
    """The pilot of a generated window [start, end), or None when the window does not
    reach back a whole PILOT_WEEKS before the pilot's start (a short sample stays
    as it was) or there are fewer than four stations."""
    day = pilot_start_day(end, tz)
    midnight = to_epoch(local_midnight(day, tz))
    chosen = pilot_codes(codes)
    if not chosen or to_epoch(local_midnight(day - timedelta(weeks=PILOT_WEEKS), tz)) < start:
        return None
    return PlantedPilot(chosen, day, midnight)
