"""The pilot evaluation (docs/assessment.md "Pilot evaluation"): the
difference in differences of pooled figures and its seeded bootstrap interval against
a hand computation, the windows, the errors and `woq-console pilot`; SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.factories import add_all, station, ticket
from woq_tui.cli import main
from woq_tui.domain.pilot import StationSums, bootstrap_effects, cells, percentile_interval
from woq_tui.store.db import make_engine
from woq_tui.store.pilot import PilotError, evaluate_pilot, pilot_windows

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
START = date(2026, 11, 2)
MIDNIGHT = datetime(2026, 11, 2, tzinfo=SHANGHAI).astimezone(UTC)
H, S, DAY = timedelta(hours=1), timedelta(seconds=1), timedelta(days=1)


def tickets(code: str, first: datetime, late: int, total: int) -> list:
    """`total` resolved tickets from `first`, an hour apart, the first `late` of them overdue."""
    return [
        ticket(first + n * H, station_code=code, resolved_at=first + n * H + (5 * H if n < late else H), status="closed")
        for n in range(total)
    ]


def fill(engine) -> None:
    add_all(engine, *(station(code, f"{code}供电所", "rural") for code in ("P1", "P2", "C1", "C2", "X")))
    before, after = MIDNIGHT - 3 * DAY, MIDNIGHT + DAY
    add_all(
        engine,
        # P1: 2 of 4 late before (the last one second before the start), 0 of 2 after (the first at the start)
        *tickets("P1", MIDNIGHT - S - 3 * H, 2, 3), *tickets("P1", MIDNIGHT - S, 0, 1),
        *tickets("P1", MIDNIGHT, 0, 2),
        *tickets("P2", before, 1, 2), *tickets("P2", after, 1, 4),
        *tickets("C1", before, 1, 3), *tickets("C1", after, 1, 3),
        *tickets("C2", before, 0, 1), *tickets("C2", after, 1, 2),
        # outside both windows: a day before the first, at the end of the second
        *tickets("P1", MIDNIGHT - 8 * DAY, 3, 3), *tickets("C1", MIDNIGHT + 7 * DAY, 3, 3),
        *tickets("X", MIDNIGHT - 30 * DAY, 1, 1),
    )  # fmt: skip


@pytest.fixture
def filled(engine):
    fill(engine)
    return engine


def test_difference_in_differences_by_hand(filled):
    result = evaluate_pilot(filled, ["P2", "P1"], START, AS_OF, SHANGHAI, weeks=1)
    # pooled, not averaged: pilot 3/6 -> 1/6, control 1/4 -> 2/5
    assert (result.pilot.before.value, result.pilot.after.value) == (3 / 6, 1 / 6)
    assert (result.control.before.value, result.control.after.value) == (1 / 4, 2 / 5)
    assert (result.pilot.before.tickets, result.pilot.after.tickets) == (6, 6)
    assert (result.control.before.tickets, result.control.after.tickets) == (4, 5)
    assert result.effect == pytest.approx((1 / 6 - 3 / 6) - (2 / 5 - 1 / 4))
    assert result.pilot.stations == ("P1", "P2") and result.control.stations == ("C1", "C2")  # X had none
    assert not result.control_named
    # windows: [start − 1 week, start) and [start, start + 1 week), local midnights
    assert (result.before.start, result.before.end) == (MIDNIGHT - 7 * DAY, MIDNIGHT)
    assert (result.after.start, result.after.end) == (MIDNIGHT, MIDNIGHT + 7 * DAY)


def test_the_bootstrap_interval_by_hand(filled):
    # Two stations a group: a resample is one of 4 × 4 equally likely pairs of draws.
    # Pilot change: P1 alone −1/2, P2 alone −1/4, both −1/3; control: C1 alone 0,
    # C2 alone +1/2, both +0.15. The extremes, −1/2 − 1/2 and −1/4 − 0, have 1/16 each
    # (more than 2.5 %): they are the interval's ends.
    result = evaluate_pilot(filled, ["P1", "P2"], START, AS_OF, SHANGHAI, weeks=1, resamples=2000, seed=7)
    assert result.ci95 == (-1.0, -0.25)
    assert result.significant and result.resamples == 2000
    # seeded: the same again
    again = evaluate_pilot(filled, ["P1", "P2"], START, AS_OF, SHANGHAI, weeks=1, resamples=2000, seed=7)
    assert again.ci95 == result.ci95


def test_bootstrap_resamples_stations_within_each_group():
    pilot = [StationSums("P1", (4, 2), (2, 0)), StationSums("P2", (2, 1), (4, 1))]
    control = [StationSums("C1", (3, 1), (3, 1)), StationSums("C2", (1, 0), (2, 1))]
    effects = bootstrap_effects(pilot, control, "overdue_rate", 400, seed=3)
    possible = {
        (pa - pb) - (ca - cb)
        for pb, pa in ((0.5, 0.0), (0.5, 0.25), (3 / 6, 1 / 6))
        for cb, ca in ((1 / 3, 1 / 3), (0.0, 0.5), (0.25, 0.4))
    }
    assert len(effects) == 400 and {round(e, 12) for e in effects} <= {round(e, 12) for e in possible}
    assert bootstrap_effects(pilot, control, "overdue_rate", 400, seed=3) == effects
    assert cells(pilot, control, "overdue_rate").effect == pytest.approx((1 / 6 - 0.5) - (0.4 - 0.25))
    # percentile interval: positions ⌈0.025 B⌉ and ⌈0.975 B⌉ of the sorted values
    assert percentile_interval([float(n) for n in range(1, 41)]) == (1.0, 39.0)
    assert percentile_interval([float(n) for n in range(1, 201)]) == (5.0, 195.0)
    assert percentile_interval([]) is None


def test_a_named_control_and_another_figure(filled):
    result = evaluate_pilot(filled, ["P1"], START, AS_OF, SHANGHAI, control=["C1"], figure="on_time_rate", weeks=1)
    assert result.control_named and result.control.stations == ("C1",)
    # on_time_rate: resolved and not overdue / resolved
    assert (result.pilot.before.value, result.pilot.after.value) == (2 / 4, 1.0)
    assert (result.control.before.value, result.control.after.value) == (2 / 3, 2 / 3)
    assert result.effect == pytest.approx(0.5)
    # one station a group: every resample is the same, the interval a point
    assert result.ci95 == (pytest.approx(0.5), pytest.approx(0.5))


def test_the_after_window_is_capped_at_as_of_and_starts_at_local_midnight():
    berlin = ZoneInfo("Europe/Berlin")
    as_of = datetime(2026, 11, 5, 12, 0, tzinfo=berlin)
    before, after = pilot_windows(date(2026, 10, 26), 2, as_of, berlin)  # clocks went back on 10-25
    assert before.start == datetime(2026, 10, 12, tzinfo=berlin) and before.end == datetime(2026, 10, 26, tzinfo=berlin)
    assert before.end - before.start == timedelta(days=14, hours=1)
    assert after.start == before.end and after.end == as_of
    with pytest.raises(PilotError) as error:
        pilot_windows(date(2026, 11, 6), 2, as_of, berlin)
    assert error.value.key == "pilot.start_not_before"


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"pilot": ["P1", "ZZ"]}, "pilot.unknown_stations"),
        ({"pilot": ["P1"], "control": ["P1", "C1"]}, "pilot.overlap"),
        ({"pilot": ["P1"], "figure": "p90_handling_h"}, "pilot.bad_figure"),
        ({"pilot": ["P1"], "figure": "tickets"}, "pilot.bad_figure"),
    ],
)
def test_what_cannot_be_evaluated_says_why(filled, kwargs, key):
    options = dict(kwargs)
    pilot = options.pop("pilot")
    with pytest.raises(PilotError) as error:
        evaluate_pilot(filled, pilot, START, AS_OF, SHANGHAI, weeks=1, **options)
    assert error.value.key == key


def test_pilot_command_json_and_text(database_url, capsysbinary):
    engine = make_engine(database_url)
    fill(engine)
    engine.dispose()
    argv = ["pilot", "--db", database_url, "--stations", "P1,P2", "--since", "2026-11-02", "--weeks", "1",
            "--as-of", "2026-11-26T10:00"]  # fmt: skip
    assert main(["--lang", "en", *argv, "--format", "json"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    assert list(document) == ["figure", "pilot", "control", "effect", "ci95", "significant"]
    assert document["figure"] == "overdue_rate"
    assert document["pilot"] == {"before": 0.5, "after": 1 / 6, "tickets_before": 6, "tickets_after": 6}
    assert document["control"] == {"before": 0.25, "after": 0.4, "tickets_before": 4, "tickets_after": 5}
    assert document["effect"] == pytest.approx(-0.48333333) and document["significant"] is True
    assert len(document["ci95"]) == 2 and document["ci95"][0] <= document["effect"] <= document["ci95"][1]
    assert main(["--lang", "zh", *argv]) == 0
    text = capsysbinary.readouterr().out.decode("utf-8")
    assert "试点评估：超期率" in text and "显著：区间不含 0。" in text and "对照：其余 2 个有工单的供电所" in text


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--stations", "P1,ZZ", "--since", "2026-11-02"], "No such stations: ZZ"),
        (["--stations", "P1", "--since", "2026-11-02", "--control", "P1"], "Pilot and control share stations: P1"),
        (["--stations", "P1", "--since", "2026-13-02"], "--since: not a date"),
        (["--stations", "P1", "--since", "2026-11-27"], "is not before --as-of"),
        (["--stations", "P1", "--since", "2026-11-02", "--figure", "open"], "not a ratio or mean figure"),
        (["--stations", " , ", "--since", "2026-11-02"], "give at least one station code"),
        (["--stations", "P1", "--since", "2026-11-02", "--weeks", "0"], "a whole number from 1 to 52"),
    ],
)
def test_pilot_command_bad_input_is_one_line_and_exit_2(filled, capsysbinary, extra, message):
    url = filled.url.render_as_string(hide_password=False)
    status = main(["--lang", "en", "pilot", "--db", url, "--as-of", "2026-11-26T10:00", *extra])
    captured = capsysbinary.readouterr()
    err = captured.err.decode()
    assert status == 2 and captured.out == b""
    assert message in err and err.count("\n") == 1
