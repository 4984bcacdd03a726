"""The scorecard (docs/assessment.md "Scorecard"): score with missing
components, min_tickets at its boundary, ties, the change against the previous period,
the audit's quality plugged in or not, and `report --with-score`; hand-computed, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.factories import add_all, station, ticket
from woq_tui.cli import main
from woq_tui.config import parse_settings
from woq_tui.domain.periods import calendar_period
from woq_tui.domain.scorecard import components, rank_lines, score
from woq_tui.store.db import make_engine
from woq_tui.store.scorecard import scorecard
from woq_tui.values.assessment import StationScore
from woq_tui.values.figures import StationInfo

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)
WEEK = calendar_period("week", MONDAY.astimezone(SHANGHAI).date(), SHANGHAI)
H = timedelta(hours=1)


def assessment(**values):
    return parse_settings({"assessment": values}).assessment


def on_time(created, **fields):
    return ticket(created, resolved_at=created + H, status="closed", **fields)


def late(created, **fields):
    return ticket(created, resolved_at=created + 5 * H, status="closed", **fields)


def fill(engine) -> None:
    add_all(engine, station("S001", "东丽城东供电所", "urban"), station("S002", "西青农村供电所", "rural"),
            station("S003", "汉沽边远供电所", "remote"))  # fmt: skip
    d = timedelta(days=1)
    add_all(
        engine,
        # S001: on time & satisfied; late, dispatched twice, unsatisfied, escalated; open and overdue
        on_time(MONDAY, station_code="S001", satisfaction="satisfied"),
        late(MONDAY + d, station_code="S001", satisfaction="unsatisfied", dispatch_count=2, escalated=True),
        ticket(MONDAY + 2 * d, station_code="S001"),
        # S002: two tickets, one fewer than min_tickets (3)
        on_time(MONDAY, station_code="S002"),
        on_time(MONDAY + d, station_code="S002"),
        # S003: three on time, one dispatched twice, none surveyed
        on_time(MONDAY, station_code="S003"),
        on_time(MONDAY + d, station_code="S003"),
        on_time(MONDAY + 2 * d, station_code="S003", dispatch_count=2),
        # the week before: S001 perfect
        *(on_time(MONDAY - 7 * d + n * H, station_code="S001", satisfaction="satisfied") for n in range(3)),
    )


@pytest.fixture
def filled(engine):
    fill(engine)
    return engine


def test_scores_ranks_and_changes_by_hand(filled):
    card = scorecard(filled, WEEK, AS_OF, assessment(min_tickets=3))
    lines = card.by_code()
    s001 = lines["S001"]
    assert s001.components == {"on_time": 0.5, "one_time": 0.5, "satisfaction": 0.5, "quality": None, "escalation": 1 - 1 / 3}
    # quality undefined, escalation weighted 0: 100 × (40·½ + 20·½ + 20·½) / 80
    assert s001.score == pytest.approx(50.0)
    assert s001.overdue_rate == pytest.approx(2 / 3)
    # S003: no survey, so over on_time and one_time only: 100 × (40·1 + 20·⅔) / 60
    assert lines["S003"].score == pytest.approx(100 * (40 + 20 * 2 / 3) / 60)
    assert lines["S003"].components["satisfaction"] is None
    assert [(line.code, line.rank) for line in card.stations] == [("S003", 1), ("S001", 2), ("S002", None)]
    # under min_tickets: listed, no score, no rank
    assert lines["S002"].tickets == 2 and lines["S002"].score is None
    # the week before: S001 scored 100 and ranked first
    assert s001.previous_score == pytest.approx(100.0) and s001.previous_rank == 1
    assert s001.change == pytest.approx(-50.0)
    assert lines["S003"].previous_score is None and lines["S003"].change is None
    assert not card.quality_available and card.weights["on_time"] == 40


def test_min_tickets_boundary_and_a_weighted_escalation(filled):
    card = scorecard(filled, WEEK, AS_OF, assessment(min_tickets=2, weights={"escalation": 10}))
    lines = card.by_code()
    assert lines["S002"].score == pytest.approx(100.0) and lines["S002"].rank == 1  # exactly min_tickets: scored
    # S001 with 1 − escalation_rate weighted 10: 100 × (20 + 10 + 10 + 10·⅔) / 90
    assert lines["S001"].score == pytest.approx(100 * (20 + 10 + 10 + 10 * 2 / 3) / 90)
    assert scorecard(filled, WEEK, AS_OF, assessment(min_tickets=4)).ranked() == ()


def test_the_audit_quality_plugs_in_and_renormalises_where_undefined(filled):
    asked = []

    def quality(engine, period, as_of):
        asked.append((period.first_day, as_of))
        return {"S001": 0.8, "S003": None}

    card = scorecard(filled, WEEK, AS_OF, assessment(min_tickets=3), quality)
    lines = card.by_code()
    assert card.quality_available
    assert lines["S001"].components["quality"] == 0.8
    assert lines["S001"].score == pytest.approx(100 * (20 + 10 + 10 + 20 * 0.8) / 100)
    assert lines["S003"].score == pytest.approx(100 * (40 + 20 * 2 / 3) / 60)  # its quality undefined
    # asked for the period and for the comparison period (the week before), both judged at as_of
    assert asked == [(WEEK.first_day, AS_OF), (WEEK.first_day - timedelta(days=7), AS_OF)]


def test_score_formula_and_ties():
    weights = {"on_time": 40, "one_time": 20, "satisfaction": 20, "quality": 20, "escalation": 0}
    assert score({"on_time": None, "one_time": None, "satisfaction": None, "quality": None, "escalation": 1.0}, weights) is None
    assert score(components({"on_time_rate": 0.9, "escalation_rate": 0.5}, None), weights) == pytest.approx(90.0)
    assert score(components({"on_time_rate": 0.9}, 0.4), weights) == pytest.approx(100 * (36 + 8) / 60)

    def line(code, value, rate):
        return StationScore(StationInfo(code, code, "urban"), 30, rate, {}, value, None)

    ranked = rank_lines([line("S9", 80.0, 0.2), line("S2", 80.0, 0.1), line("S1", 80.0, 0.2), line("S5", 90.0, 0.5),
                         line("S3", None, 0.0)])  # fmt: skip
    # by score; equal scores: the lower overdue rate first, then the code; unscored last
    assert [(x.code, x.rank) for x in ranked] == [("S5", 1), ("S2", 2), ("S1", 3), ("S9", 4), ("S3", None)]


def test_best_and_worst_five_do_not_overlap():
    from woq_tui.values.assessment import Scorecard

    lines = rank_lines([StationScore(StationInfo(f"S{n:02d}", "", ""), 30, 0.1, {}, 100.0 - n, None) for n in range(7)])
    card = Scorecard(WEEK, AS_OF, None, {}, 20, False, tuple(lines))
    assert [x.code for x in card.best()] == ["S00", "S01", "S02", "S03", "S04"]
    assert [x.code for x in card.worst()] == ["S06", "S05"]


def test_report_with_score_adds_score_and_rank(database_url, capsysbinary, tmp_path):
    engine = make_engine(database_url)
    fill(engine)
    engine.dispose()
    config = tmp_path / "config.toml"
    # quality weighs 0: these scores are the figures' alone (the audit's part: test_audit_report.py)
    config.write_text("[assessment]\nmin_tickets = 3\n[assessment.weights]\nquality = 0\n", encoding="utf-8")
    argv = ["--lang", "en", "report", "--db", database_url, "--config", str(config), "--from", "2026-11-16",
            "--to", "2026-11-23", "--as-of", "2026-11-26T10:00", "--format", "json"]  # fmt: skip
    assert main([*argv, "--with-score"]) == 0
    stations = {row["station_code"]: row for row in json.loads(capsysbinary.readouterr().out)["stations"]}
    assert stations["S001"]["score"] == pytest.approx(50.0) and stations["S001"]["rank"] == 2
    assert stations["S003"]["rank"] == 1
    assert stations["S002"]["score"] is None and stations["S002"]["rank"] is None
    assert list(stations["S001"])[-2:] == ["score", "rank"]
    assert main(argv) == 0
    assert "score" not in json.loads(capsysbinary.readouterr().out)["stations"][0]
    for fmt, needle in (("md", "| 50.0 | 2 |"), ("csv", ",score,rank"), ("html", "<th>Score</th>")):
        assert main([*argv[:-1], fmt, "--with-score"]) == 0
        assert needle in capsysbinary.readouterr().out.decode("utf-8")
