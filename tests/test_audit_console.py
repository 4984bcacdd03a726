"""The audit beyond screen 6 (docs/audit-screen.md, "Elsewhere in the console"): the
flag marker on the queue, the quality column on the station screen and its drill-down,
the quality tile on the meeting view; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Digits, Static

from tests.conftest import NOW
from tests.support import build_data, fill_weeks, settle
from woq_tui.app import WoqApp
from woq_tui.config import parse_settings
from woq_tui.context import ConsoleContext
from woq_tui.domain.periods import last_full_period
from woq_tui.i18n import t
from woq_tui.reporting.formatting import format_value
from woq_tui.screens.meeting import digits_text
from woq_tui.widgets import symbols
from woq_tui.widgets.ticket_table import TicketTable


@pytest.fixture
def weeks_context(settings, engine, clock):
    fill_weeks(engine)
    return ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")


async def test_the_queue_marks_flagged_tickets(engine, clock):
    build_data(engine)
    # build_data's due times are made up: without due_mismatch, what fires is known
    settings = parse_settings({"console": {"language": "en", "operator": "D1023"}, "audit": {"disabled": ["due_mismatch"]}})
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")
    app = WoqApp(context)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(TicketTable)
        held = [row.ticket_no for row in table.window]
        expected = context.store.flagged_among(held, NOW)
        # dispatched twice (repeat_dispatch) or reopened
        assert expected == {f"9559820261126{i:04d}" for i in (0, 4, 7, 8)}
        assert table.flagged == expected
        for index, ticket_no in enumerate(held):
            line = table.render_line(index + 1).text
            assert (symbols.FLAGGED in line) == (ticket_no in expected), ticket_no
        assert symbols.FLAGGED in table.render_line(0).text  # the column's title
        # the help names the symbol, apart from the SLA states and the mark
        await pilot.press("question_mark")
        legend = str(app.screen.query_one(".legend", Static).render())
        assert f"{symbols.FLAGGED} {t('symbol.flagged')}" in legend
        assert symbols.FLAGGED not in (symbols.MARK, *symbols.SLA.values())


async def test_the_station_screen_has_the_quality_pass_rate(weeks_context):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        period = last_full_period("week", NOW, weeks_context.settings.tz)
        by_station, totals = weeks_context.store.quality_by_station(period, NOW)
        table = screen.query_one(DataTable)
        for code, figures in by_station.items():
            cell = str(table.get_cell(code, "quality_pass_rate")).split()
            assert cell[0] == format_value("quality_pass_rate", figures.quality_pass_rate)
        assert str(table.get_cell("total", "quality_pass_rate")).split()[0] == format_value(
            "quality_pass_rate", totals.quality_pass_rate
        )
        # sortable: s steps from the score to it, best first
        while screen.sort_column != "quality_pass_rate":
            await pilot.press("s")
        rates = [row.values["quality_pass_rate"] for row in screen.table.ordered()]
        assert rates == sorted(rates, reverse=True) and screen.sort_reverse
        # the drill-down says the flagged tickets and the rules
        code = next(iter(by_station))
        screen.table.move_cursor(row=table.get_row_index(code))
        await pilot.press("enter")
        await settle(pilot)
        line = str(app.screen.query_one("#detail-score", Static).render())
        assert t("station_detail.flagged", n=f"{by_station[code].flagged:,}") in line
        top_rule = max(by_station[code].flags_by_rule.items(), key=lambda item: item[1])
        assert f"{t('audit.rule.' + top_rule[0])} {top_rule[1]:,}" in line


async def test_the_station_screen_reads_each_periods_quality_once(weeks_context, monkeypatch):
    """The quality column and the scorecard's quality component come from the same two
    reads, the period's and its comparison's (a province's year of the audit is the
    screen's longest read: docs/speed.md); the scorecard's scores are those of its own
    reads (store.scorecard_of without them)."""
    from woq_tui.store import audit

    periods: list[tuple] = []
    whole = audit.quality_report

    def counted(engine, period, as_of, settings):
        periods.append((period.start, period.end))
        return whole(engine, period, as_of, settings)

    monkeypatch.setattr(audit, "quality_report", counted)
    app = WoqApp(weeks_context)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert screen.data is not None and screen.scorecard is not None
        assert len(periods) == len(set(periods)) == 2, periods
        shown = screen.scorecard
    table = screen.data
    periods.clear()
    alone = weeks_context.store.scorecard_of(table)
    assert len(periods) == 2
    assert [(line.code, line.score, line.rank) for line in alone.stations] == [
        (line.code, line.score, line.rank) for line in shown.stations
    ]


async def test_the_meeting_view_has_a_quality_tile(weeks_context):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        period = last_full_period("week", NOW, weeks_context.settings.tz)
        _, totals = weeks_context.store.quality_by_station(period, NOW)
        tile = screen.query_one("#kpi-quality_pass_rate")
        assert tile.query_one(Digits).value == digits_text("quality_pass_rate", totals.quality_pass_rate)
        comparison = period.comparison(NOW)
        _, before = weeks_context.store.quality_by_station(comparison.period, comparison.as_of)
        change = str(tile.query_one(".kpi-change", Static).render())
        assert format_value("quality_pass_rate", before.quality_pass_rate) in change
        # seven tiles side by side within 100 columns, none cut off
        tiles = list(screen.query("KpiTile"))
        assert len(tiles) == 7
        assert len({tile.region.y for tile in tiles}) == 1
        assert max(tile.region.right for tile in tiles) <= 100


async def test_the_station_screen_shows_every_figure_while_the_quality_is_read(weeks_context, monkeypatch):
    """The audit's quality is the station screen's longest read (a minute for a
    province's year): the figures, their comparison and trend are shown meanwhile,
    whichever of the period and its comparison was read first; the quality column, the
    scores and the end of "computing" come with it."""
    import asyncio
    import threading

    from woq_tui.store import audit

    asked, release = threading.Event(), threading.Event()
    whole = audit.quality_report

    def held(engine, period, as_of, settings):
        asked.set()
        if not release.wait(30):
            raise TimeoutError("the test never released the read")
        return whole(engine, period, as_of, settings)

    monkeypatch.setattr(audit, "quality_report", held)
    app = WoqApp(weeks_context)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("3")
        await asyncio.to_thread(asked.wait, 30)
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        assert screen.data is not None and screen.data.complete  # with its comparison and trend
        assert screen.data.previous and any(screen.data.trend.values())
        assert table.row_count > 0 and screen.complete_at == 0.0 and screen.scorecard is None
        bar = str(screen.query_one("#stations-bar", Static).render())
        assert t("stations.loading_quality") in bar  # what the blank score and quality wait for
        code = next(iter(screen.data.current))
        assert "quality_pass_rate" not in screen.data.current[code]
        release.set()
        await settle(pilot)
        assert screen.complete_at and screen.scorecard is not None
        assert screen.data.current[code]["quality_pass_rate"] is not None
        bar = str(screen.query_one("#stations-bar", Static).render())
        assert t("stations.loading_quality") not in bar and t("stations.loading") not in bar
