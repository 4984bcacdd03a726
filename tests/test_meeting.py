"""The weekly meeting screen (key 4): headline figures, movers, type mix, days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support import fill_weeks, settle, snapshot_app
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.domain.periods import last_full_period
from woq_tui.reporting.meeting import movers
from woq_tui.screens.meeting import MeetingScreen, digits_text
from woq_tui.store.figures import meeting_week
from woq_tui.widgets.kpi_tile import KpiTile


@pytest.fixture
def weeks_context(settings, engine, clock):
    fill_weeks(engine)
    return ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")


async def open_meeting(pilot) -> MeetingScreen:
    await pilot.press("4")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, MeetingScreen)
    return pilot.app.screen


async def test_headlines_movers_and_days(weeks_context, clock, settings):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_meeting(pilot)
        last_week = last_full_period("week", clock.now(), settings.tz)
        assert screen.period == last_week
        week = meeting_week(weeks_context.engine, last_week, clock.now())
        tile = screen.query_one("#kpi-overdue_rate", KpiTile)
        assert str(tile.query_one("Digits").value) == digits_text("overdue_rate", week.totals["overdue_rate"])
        change = str(tile.query_one(".kpi-change").render())
        assert "last week" in change and ("↑" in change or "↓" in change)
        worse = str(screen.query_one("#meeting-worse").render())
        improved = str(screen.query_one("#meeting-improved").render())
        ups = [code for code, values in week.stations.items()
               if values["overdue_rate"] > week.previous_stations[code]["overdue_rate"]]
        assert ups and all(code in worse for code in ups) and not any(code in improved for code in ups)
        assert "S005" in worse  # slipped last week
        days = str(screen.query_one("#meeting-days").render())
        assert "11-16 Mon" in days and "11-22 Sun" in days
        types = str(screen.query_one("#meeting-types").render())
        assert types.index("Repair") < types.index("Consultation")


async def test_brackets_move_a_week(weeks_context, clock, settings):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_meeting(pilot)
        first = screen.period.first_day
        await pilot.press("left_square_bracket")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.period.first_day == first - timedelta(days=7)
        assert screen.week.period == screen.period
        assert "Week 46 11-09—11-15" in str(screen.query_one("#meeting-title").render())


async def test_the_running_week_is_compared_with_the_same_span_of_last_week(weeks_context):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_meeting(pilot)
        assert not screen.week.comparison.partial  # last week: against the whole week before
        await pilot.press("right_square_bracket")  # this week, Thursday 10:00
        await app.workers.wait_for_complete()
        await pilot.pause()
        comparison = screen.week.comparison
        assert comparison.partial and comparison.as_of == comparison.period.end
        previous = {key: value for key, value in screen.week.previous_totals.items() if key != "quality_pass_rate"}
        assert previous == meeting_week(weeks_context.engine, comparison.period, comparison.as_of).totals
        assert "vs the same span before: 11-16 00:00 – 11-19 10:00" in str(screen.query_one("#meeting-title").render())
        tile = screen.query_one("#kpi-tickets", KpiTile)
        assert "same span last week" in str(tile.query_one(".kpi-change").render())


async def test_export_saves_svg_and_html(weeks_context, tmp_path):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_meeting(pilot)
        weeks_context.settings.console.export_dir = str(tmp_path)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
    svg = tmp_path / "meeting_20261116-20261122.svg"
    html = tmp_path / "meeting_20261116-20261122.html"
    assert svg.exists() and html.exists()
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "蓟州山区供电所" in page
    # what the screen showed, not the generic report: its title, movers, chart, black list
    assert "<title>Dispatch meeting · Week 47 11-16—11-22</title>" in page
    worse, improved = movers(screen.week)
    assert worse and all(f'<td class="label">{item.code}</td>' in page for item in worse + improved)
    assert page.index("Stations that got worse most") < page.index("Stations that improved")
    assert "Overdue and escalations by day" in page and page.count("<rect") > 14
    assert "Black list (backlogs, long-running tickets)" in page
    assert "http" not in page and "<script" not in page  # nothing fetched, nothing run


async def _show_meeting(pilot) -> None:
    await pilot.press("4")
    await settle(pilot)


def test_snapshot_meeting_english(snap_compare, sqlite_url, settings, clock):
    app = snapshot_app(sqlite_url, settings, clock, "en")
    assert snap_compare(app, terminal_size=(140, 45), run_before=_show_meeting)


def test_snapshot_meeting_chinese_narrow(snap_compare, sqlite_url, settings, clock):
    app = snapshot_app(sqlite_url, settings, clock, "zh")
    assert snap_compare(app, terminal_size=(100, 30), run_before=_show_meeting)


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_headline_tiles_keep_their_names_and_units_at_100_columns(weeks_context, language):
    """At 100×30 the tiles lost their units ("平均首次响 …"); issue 15, item 11."""
    from rich.cells import cell_len

    from woq_tui.i18n import set_language

    set_language(language)
    app = WoqApp(weeks_context)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_meeting(pilot)
        for tile in screen.query(KpiTile):
            label = tile.query_one(".kpi-label")
            text = str(label.render())
            assert "…" not in text and cell_len(text) <= label.size.width, text
        assert "%" in str(screen.query_one("#kpi-overdue_rate", KpiTile).query_one(".kpi-label").render())


async def test_periods_beyond_the_week_and_the_black_list(weeks_context, engine):
    """t gives the month, quarter and year (bars by day, week, month), ] never steps
    into the future, and the black list is a section of the meeting (issue 13)."""
    from tests.conftest import NOW
    from tests.factories import add_all, ticket

    # S001: five open tickets older than a week (assessment's backlog_count, backlog_days)
    add_all(engine, *(ticket(NOW - timedelta(days=10 + n), ticket_no=f"OLD{n}", station_code="S001") for n in range(5)))
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_meeting(pilot)
        await settle(pilot)
        assert "S001" in str(screen.query_one("#meeting-backlog").render())
        await pilot.press("t")
        await settle(pilot)
        assert screen.period.kind == "month"
        assert str(screen.query_one("#meeting-title").render()).startswith("Nov 2026 (to 11-26)")
        assert "last month" in str(screen.query_one("#kpi-tickets", KpiTile).query_one(".kpi-change").render())
        await pilot.press("t")
        await settle(pilot)
        assert "W45" in str(screen.query_one("#meeting-days").render())  # a bar a week
        await pilot.press("t")
        await settle(pilot)
        assert "Month 11" in str(screen.query_one("#meeting-days").render())  # a bar a month
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.period.kind == "year" and screen.period.first_day.year == 2026
