"""The pilot evaluation's data in SQL (docs/assessment.md "Pilot
evaluation"): each station's sums in the window before and the window after the
start, read once (one GROUP BY station per window, domain/metrics.py); the difference
in differences and its bootstrap are domain/pilot.py, in Python, on those sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import Connection, Engine, select

from woq_tui.domain.models import Station, Ticket
from woq_tui.domain.periods import Period, local_midnight
from woq_tui.domain.pilot import (
    DEFAULT_FIGURE,
    DEFAULT_SEED,
    StationSums,
    bootstrap_effects,
    cells,
    percentile_interval,
    sum_names,
)
from woq_tui.domain.tables import table_of
from woq_tui.store.db import snapshot
from woq_tui.store.figures import by_day, by_station_runs, figures_by, group_sums
from woq_tui.values.assessment import PilotCell, PilotGroup, PilotResult


class PilotError(ValueError):
    """A pilot that cannot be evaluated as asked; `key` and `values` name the message
    (woq_tui/messages/assessment.py) the command prints."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(f"{key} {values}")
        self.key = key
        self.values = values


def pilot_windows(start_day: date, weeks: int, as_of: datetime, tz: tzinfo) -> tuple[Period, Period]:
    """[start − weeks, start) and [start, start + weeks) capped at as_of; start is the
    local midnight of `start_day`, weeks are whole local days (a DST change keeps them)."""
    start = local_midnight(start_day, tz)
    if start >= as_of:
        raise PilotError("pilot.start_not_before", start=start_day.isoformat())
    before = Period(local_midnight(start_day - timedelta(weeks=weeks), tz), start, tz)
    after = Period(start, min(local_midnight(start_day + timedelta(weeks=weeks), tz), as_of), tz)
    return before, after


def evaluate_pilot(
    engine: Engine,
    pilot: Sequence[str],
    start_day: date,
    as_of: datetime,
    tz: tzinfo,
    *,
    control: Sequence[str] | None = None,
    figure: str = DEFAULT_FIGURE,
    weeks: int = 8,
    resamples: int = 2000,
    seed: int = DEFAULT_SEED,
    daily: bool = False,
) -> PilotResult:
    """The pilot `pilot` against `control` (None: every other station with tickets in
    the windows), judged at as_of. `daily`: also the two groups' daily series over both
    windows, for the console's before/after chart. Raises PilotError for unknown or
    overlapping stations, a start not before as_of, a figure that is not a ratio or mean."""
    names = sum_names_or_error(figure)
    before, after = pilot_windows(start_day, weeks, as_of, tz)
    pilot_codes = tuple(sorted(set(pilot)))
    named_control = tuple(sorted(set(control))) if control else None
    if named_control and set(named_control) & set(pilot_codes):
        raise PilotError("pilot.overlap", stations=",".join(sorted(set(named_control) & set(pilot_codes))))
    span = Period(before.start, after.end, tz)
    with snapshot(engine) as connection:
        known = set(connection.execute(select(table_of(Station).c.code)).scalars())
        unknown = sorted((set(pilot_codes) | set(named_control or ())) - known)
        if unknown:
            raise PilotError("pilot.unknown_stations", stations=",".join(unknown))
        grouping = by_station_runs([(before.start, before.end), (after.start, after.end)])
        sums = group_sums(connection, grouping, span, as_of, only=(figure,))
        series = _daily(connection, span, as_of, figure, pilot_codes, named_control) if daily else ()
    windows: dict[str, list[tuple[int, ...]]] = {}
    for (code, index), values in sums.items():
        rows = windows.setdefault(code, [(0,) * len(names), (0,) * len(names)])
        rows[index] = tuple(values.get(name, 0) for name in names)
    by_code = {code: StationSums(code, rows[0], rows[1]) for code, rows in windows.items()}
    control_codes = named_control or tuple(sorted(set(by_code) - set(pilot_codes)))
    pilot_group = [by_code[code] for code in pilot_codes if code in by_code]
    control_group = [by_code[code] for code in control_codes if code in by_code]
    four = cells(pilot_group, control_group, figure)
    effects = bootstrap_effects(pilot_group, control_group, figure, resamples, seed)
    return PilotResult(
        figure=figure,
        start=before.end,
        before=before,
        after=after,
        as_of=as_of,
        pilot=PilotGroup(pilot_codes, PilotCell(*four.pilot_before), PilotCell(*four.pilot_after)),
        control=PilotGroup(tuple(s.code for s in control_group) if not named_control else named_control,
                           PilotCell(*four.control_before), PilotCell(*four.control_after)),
        control_named=named_control is not None,
        effect=four.effect,
        ci95=percentile_interval(effects) if four.effect is not None else None,
        resamples=resamples,
        seed=seed,
        daily=series,
    )


def sum_names_or_error(figure: str) -> tuple[str, ...]:
    try:
        return sum_names(figure)
    except ValueError:
        raise PilotError("pilot.bad_figure", figure=figure) from None


def _daily(
    connection: Connection, span: Period, as_of: datetime, figure: str, pilot: tuple[str, ...], control: tuple[str, ...] | None
) -> tuple[tuple[date, float | None, float | None], ...]:
    """(day, pilot's figure, control's figure) for each local day of the windows."""
    code = table_of(Ticket).c.station_code
    in_control = code.in_(control) if control else code.not_in(pilot)
    days = by_day(span)
    pilot_days = figures_by(connection, days, span, as_of, where=code.in_(pilot), percentiles=False, only=(figure,))
    control_days = figures_by(connection, days, span, as_of, where=in_control, percentiles=False, only=(figure,))
    return tuple(
        (day, (pilot_days.get(day) or {}).get(figure), (control_days.get(day) or {}).get(figure)) for day in span.days()
    )
