"""The demo's planted pilot (docs/demo.md, "The planted pilot") is found: on a generated
sample, `pilot` recovers the planted effect inside its 95 % interval and calls it
significant; a placebo (the same stations, a date before the pilot) is not.

The planted effect on this sample is known exactly: the generator's random stream does
not depend on the pilot (demo/pilot.py), so the same seed without the pilot is the
pilot stations' counterfactual, ticket for ticket.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from woq_tui.config import parse_settings
from woq_tui.demo.generator import TICKET_COLUMNS, Generator, generate
from woq_tui.demo.pilot import PILOT_FACTOR, pilot_codes, pilot_start_day, planted_pilot
from woq_tui.domain.instants import to_epoch
from woq_tui.store.db import make_engine
from woq_tui.store.pilot import evaluate_pilot

UTC = timezone.utc
END = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
SEED, STATIONS, DAYS = 95598, 20, 180  # 180 days: 16 weeks before the start, 8 after


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    settings = parse_settings({})
    url = f"sqlite:///{tmp_path_factory.mktemp('pilot') / 'demo.db'}"
    from woq_tui.store.db import upgrade

    engine = make_engine(url)
    upgrade(engine)
    generate(engine, settings.sla_policy(), seed=SEED, stations=STATIONS, days=DAYS, end=END)
    yield engine, settings
    engine.dispose()


def counterfactual_rate(settings, codes, start: datetime, end: datetime) -> float:
    """The pilot stations' overdue rate in [start, end) had there been no pilot: the same
    generator, the same seed, its pilot taken out (docs/figures.md's overdue at END)."""
    generator = Generator(settings.sla_policy(), SEED, STATIONS, DAYS, END)
    assert generator.pilot is not None
    generator.pilot = None
    index = {name: position for position, name in enumerate(TICKET_COLUMNS)}
    low, high, as_of = to_epoch(start), to_epoch(end), to_epoch(END)
    tickets = overdue = 0
    for row in generator.tickets():
        if row[index["station_code"]] in codes and low <= row[index["created_at"]] < high:
            tickets += 1
            resolved, due = row[index["resolved_at"]], row[index["due_at"]]
            overdue += due < (resolved if resolved is not None and resolved <= as_of else as_of)
    return overdue / tickets


def test_the_planted_pilot_is_where_docs_demo_md_says():
    codes = [f"S{n:03d}" for n in range(1, 101)]
    assert pilot_codes(codes) == ("S011", "S031", "S051", "S071", "S091")
    assert pilot_codes(codes[:20]) == ("S003", "S007", "S011", "S015", "S019")
    settings = parse_settings({})
    assert pilot_start_day(to_epoch(END), settings.tz) == date(2026, 9, 28)  # the Monday 8 weeks back
    # a sample too short to hold the eight weeks before the start gets no pilot
    assert planted_pilot(codes, to_epoch(END - timedelta(days=60)), to_epoch(END), settings.tz) is None
    assert Generator(settings.sla_policy(), SEED, STATIONS, 60, END).pilot is None


def test_pilot_recovers_the_planted_effect(demo):
    engine, settings = demo
    codes = pilot_codes([f"S{n:03d}" for n in range(1, STATIONS + 1)])
    start = pilot_start_day(to_epoch(END), settings.tz)
    result = evaluate_pilot(engine, codes, start, END, settings.tz, weeks=8, resamples=2000)
    truth = result.pilot.after.value - counterfactual_rate(settings, codes, result.after.start, result.after.end)
    assert truth < -0.05  # the overdue probability halved (PILOT_FACTOR) at stations around 20 %
    assert PILOT_FACTOR == 0.5
    lo, hi = result.ci95
    assert lo <= truth <= hi, (truth, result.ci95, result.effect)
    assert result.significant and hi < 0
    assert abs(result.effect - truth) < 0.03


def test_a_placebo_is_not_significant(demo):
    engine, settings = demo
    codes = pilot_codes([f"S{n:03d}" for n in range(1, STATIONS + 1)])
    start = pilot_start_day(to_epoch(END), settings.tz)
    # the default eight weeks either side of a date eight weeks before the pilot: no change
    placebo = evaluate_pilot(engine, codes, start - timedelta(weeks=8), END, settings.tz, weeks=8, resamples=2000)
    assert placebo.after.end == datetime.combine(start, datetime.min.time(), settings.tz)
    lo, hi = placebo.ci95
    assert lo < 0 < hi and not placebo.significant, placebo
