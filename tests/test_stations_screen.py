"""The station screen (key 3) and its drill-down, through Pilot and snapshots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable

from tests.conftest import NOW
from tests.support import fill_weeks, settle, snapshot_app
from woq_tui.app import WoqApp
from woq_tui.context import ConsoleContext
from woq_tui.screens.station_detail import StationDetailScreen
from woq_tui.screens.stations import StationsScreen
from woq_tui.store.figures import BY_STATION, figures_by, snapshot


@pytest.fixture
def weeks_context(settings, engine, clock):
    fill_weeks(engine)
    return ConsoleContext(settings=settings, engine=engine, clock=clock, label="test")


async def open_stations(pilot) -> StationsScreen:
    await pilot.press("3")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StationsScreen)
    return screen


def figures_only(rows: dict) -> dict:
    """The figures of docs/figures.md of each row, without the audit's quality pass
    rate the screen reads beside them (screens/stations.with_quality)."""
    return {code: {key: value for key, value in values.items() if key != "quality_pass_rate"} for code, values in rows.items()}


def row_keys(screen) -> list[str]:
    table = screen.query_one(DataTable)
    return [row.key.value for row in table.ordered_rows]


async def test_the_first_complete_load_is_left_out_of_the_collector_s_full_passes(weeks_context, monkeypatch):
    import gc

    from woq_tui.screens import base

    monkeypatch.setattr(base, "_FROZEN_AFTER", set())  # as in a process that never showed it
    app = WoqApp(weeks_context)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = await open_stations(pilot)
        await settle(pilot)
        assert screen.data is not None and screen.data.complete and "stations" in base._FROZEN_AFTER
        # the view shown is in the permanent generation: no full pass walks it
        cells = screen.table.drawn.cells
        assert gc.is_tracked(cells) and not any(held is cells for held in gc.get_objects())


async def test_rows_totals_and_default_order(weeks_context):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        # opens on the last full week, like the meeting view (issue 13, issue 15 item 5)
        assert screen.data.complete and screen.period.kind == "week"
        assert (screen.period.first_day.isoformat(), screen.period.last_day.isoformat()) == ("2026-11-16", "2026-11-22")
        keys = row_keys(screen)
        stations = keys[:5]
        assert keys[5:] == ["area:urban", "area:rural", "area:remote", "total"]
        rates = [screen.data.current[code]["overdue_rate"] for code in stations]
        assert rates == sorted(rates, reverse=True)
        with snapshot(weeks_context.engine) as connection:
            expected = figures_by(connection, BY_STATION, screen.period, NOW)
        assert figures_only(screen.data.current) == expected
        table = screen.query_one(DataTable)
        total_tickets = str(table.get_cell("total", "tickets")).split()[0]
        assert total_tickets == str(sum(values["tickets"] for values in expected.values()))
        assert screen.rows_shown_at >= screen.load_started > 0


async def test_sorting_by_any_column_and_reversing(weeks_context):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        await pilot.press("s")  # overdue_rate -> on_time_rate, best-worst as numbers: descending
        assert screen.sort_column == "on_time_rate" and screen.sort_reverse
        rates = [screen.data.current[code]["on_time_rate"] for code in row_keys(screen)[:5]]
        assert rates == sorted(rates, reverse=True)
        await pilot.press("S")
        rates = [screen.data.current[code]["on_time_rate"] for code in row_keys(screen)[:5]]
        assert rates == sorted(rates)
        for _ in range(9):  # around to the station code, ascending
            await pilot.press("s")
        assert screen.sort_column == "station_code" and not screen.sort_reverse
        assert row_keys(screen)[:5] == ["S001", "S002", "S003", "S004", "S005"]
        assert "▲" in str(screen.query_one(DataTable).columns["station_code"].label)


async def test_a_new_sort_shows_its_top_and_a_refresh_keeps_the_station(weeks_context, settings):
    """Issue 15, item 4: after `s` the first rows were scrolled off above. A new order
    is read from its top, as the queue's; a refresh keeps the cursor's station."""
    settings.console.refresh_seconds = 1
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 12)) as pilot:
        screen = await open_stations(pilot)
        table = screen.query_one(DataTable)
        await pilot.press("down", "down", "down", "down")
        chosen = row_keys(screen)[table.cursor_row]
        screen.load(cached=False)  # what coming back after the refresh interval does
        await settle(pilot)
        assert row_keys(screen)[table.cursor_row] == chosen
        await pilot.press("S")
        assert table.cursor_row == 0 and table.scroll_y == 0


async def test_sorting_by_name_follows_pinyin(weeks_context):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        while screen.sort_column != "station_name":
            await pilot.press("s")
        # 东丽 dong, 河西 he, 蓟州 ji, 静海 jing, 宁河 ning: not the code points' order
        assert row_keys(screen)[:5] == ["S001", "S004", "S003", "S005", "S002"]


async def test_period_kinds_steps_and_no_future(weeks_context, clock, settings):
    """t: week → month → quarter → year → week; [ ] step; ] stops at the current
    period, and every label says which period it shows (issue 13; issue 15 item 5)."""
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        bar = lambda: str(screen.query_one("#stations-bar").render())  # noqa: E731
        assert "Week 47 11-16—11-22" in bar()
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.period.first_day.isoformat() == "2026-11-09"
        with snapshot(weeks_context.engine) as connection:
            assert figures_only(screen.data.current) == figures_by(connection, BY_STATION, screen.period, NOW)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert screen.period.first_day.isoformat() == "2026-11-23"  # this week, up to today
        assert screen.period.last_day.isoformat() == "2026-11-26" and "(to 11-26)" in bar()
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.period.first_day.isoformat() == "2026-11-23"  # no future
        assert any("no future" in n.message for n in app._notifications)
        labels = []
        for _ in range(4):
            await pilot.press("t")
            await settle(pilot)
            labels.append((screen.period.kind, bar().split("  ")[0]))
        assert labels == [
            ("month", "Nov 2026 (to 11-26)"), ("quarter", "2026 Q4 (to 11-26)"),
            ("year", "2026 (to 11-26)"), ("week", "Week 48 11-23—11-29 (to 11-26)"),
        ]


async def test_this_week_is_compared_with_the_same_span_of_last_week(weeks_context, clock, settings):
    """On Thursday 10:00 the running week is compared with last week's Monday 00:00 to
    Thursday 10:00 as it stood then, and the bar says so."""
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        screen._choose("this_week")  # the palette's running periods
        await settle(pilot)
        comparison = screen.data.comparison
        assert comparison.partial and comparison.period.end == comparison.as_of == NOW - timedelta(days=7)
        with snapshot(weeks_context.engine) as connection:
            assert figures_only(screen.data.previous) == figures_by(connection, BY_STATION, comparison.period, comparison.as_of)
        bar = str(screen.query_one("#stations-bar").render())
        assert "vs same span before: 11-16 00:00 – 11-19 10:00" in bar
        await pilot.press("left_square_bracket")  # last week: finished, so against the whole week before
        await settle(pilot)
        assert not screen.data.comparison.partial
        assert "vs 2026-11-09 – 2026-11-15" in str(screen.query_one("#stations-bar").render())


async def test_changes_read_without_colour(weeks_context):
    """Worse changes carry a ✗ (and bold); better ones none; a change that rounds to
    nothing shows nothing."""
    from woq_tui.widgets.figures_cells import change_only

    worse, better = change_only("overdue_rate", 0.30, 0.25), change_only("overdue_rate", 0.25, 0.30)
    assert worse.plain == "↑5.0✗" and "bold" in str(worse.style)
    assert better.plain == "↓5.0" and "bold" not in str(better.style)
    assert change_only("on_time_rate", 0.80, 0.90).plain == "↓10.0✗"  # down, and worse
    assert change_only("avg_handling_h", 2.0001, 2.0).plain == ""
    assert change_only("tickets", 12, 10).plain == "↑2"  # a count of tickets is neither
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        table = screen.query_one(DataTable)
        cells = [str(table.get_cell(key, "overdue_rate")) for key in row_keys(screen)]
        assert any(cell.endswith("✗") for cell in cells) and any("↓" in cell and "✗" not in cell for cell in cells)
        assert "✗ worse" in str(screen.query_one("#stations-bar").render())


@pytest.mark.parametrize("width, first", [(100, ["station_code", "station_name", "overdue_rate", "trend", "score"]),
                                          (200, ["station_code", "station_name", "area_type", "trend", "score"])])
async def test_narrow_terminals_put_the_key_figures_first(weeks_context, width, first):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(width, 30)) as pilot:
        screen = await open_stations(pilot)
        table = screen.query_one(DataTable)
        keys = [column.key.value for column in table.ordered_columns]
        assert keys[:5] == first and len(keys) == 19  # the rest by scrolling sideways
        values = [str(table.get_cell("total", key)) for key in ("tickets", "overdue_rate")]
        other = 200 if width == 100 else 100
        await pilot.resize_terminal(other, 30)
        await pilot.pause()
        keys_after = [column.key.value for column in table.ordered_columns]
        assert keys_after != keys and sorted(keys_after) == sorted(keys)
        assert [str(table.get_cell("total", key)) for key in ("tickets", "overdue_rate")] == values


async def test_stepping_back_and_forth_reuses_the_minute_s_tables(weeks_context):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        this_week = screen.data
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.data is not this_week and len(screen.cache) == 2
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.data is this_week  # the same object: read from the cache, not the database


async def test_enter_opens_the_station_and_escape_returns(weeks_context):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        first = row_keys(screen)[0]
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, StationDetailScreen) and detail.code == first
        types = detail.query_one("#detail-types", DataTable)
        assert types.row_count >= 2  # its types and a total
        days = detail.query_one("#detail-days", DataTable)
        assert days.row_count == 7
        tickets = detail.query_one("#detail-tickets", DataTable)
        assert tickets.row_count == len(detail.detail.tickets) > 0
        assert all(row["overdue"] or not row["resolved"] for row in detail.detail.tickets)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_export_writes_csv_and_svg(weeks_context, tmp_path):
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_stations(pilot)
        weeks_context.settings.console.export_dir = str(tmp_path)
        await pilot.press("e")
        await pilot.pause()
    csv_files = list(tmp_path.glob("stations_20261116-20261122_*.csv"))
    svg_files = list(tmp_path.glob("stations_20261116-20261122_*.svg"))
    assert len(csv_files) == 1 and len(svg_files) == 1
    raw = csv_files[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("station_code,station_name,area,area_type,tickets,tickets_value,tickets_change,open")
    assert ",S001,东丽城东供电所,城区,urban," not in lines[1]  # stations in the table's order, worst first
    first = next(line for line in lines[1:] if line.startswith("S001,"))
    assert first.startswith(("S001,东丽城东供电所,Urban,urban,", "S001,东丽城东供电所,城区,urban,"))
    assert "%" in first  # ratios as shown, beside their raw values
    assert len(lines) == 1 + 5 + 3 + 1
    assert "<svg" in svg_files[0].read_text(encoding="utf-8")


async def test_an_empty_database_says_so(context):
    app = WoqApp(context)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_stations(pilot)
        assert screen.data.current == {}
        assert "No tickets in this period" in str(screen.query_one(DataTable).get_row("none")[1])


async def _show_stations(pilot) -> None:
    await pilot.press("3")
    await settle(pilot)


@pytest.mark.parametrize(
    "language, size",
    [pytest.param(language, size, id=f"{language}-{size[0]}x{size[1]}")
     for language, size in (("en", (140, 30)), ("en", (200, 50)), ("zh", (200, 50)), ("en", (100, 30)), ("zh", (100, 30)))],
)
def test_snapshot_stations(snap_compare, sqlite_url, settings, clock, language, size):
    """Readable at 100x30 (key figures first, the rest by scrolling), all of it at 200x50."""
    app = snapshot_app(sqlite_url, settings, clock, language)
    assert snap_compare(app, terminal_size=size, run_before=_show_stations)


def test_snapshot_station_detail_chinese(snap_compare, sqlite_url, settings, clock):
    app = snapshot_app(sqlite_url, settings, clock, "zh")

    async def open_detail(pilot) -> None:
        await _show_stations(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(140, 40), run_before=open_detail)


async def test_list_keys_move_the_ranking(weeks_context):
    """G, g, j and k move as on the ticket lists (issue 15, item 10)."""
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        table = screen.query_one(DataTable)
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g", "j", "j", "k")
        assert table.cursor_row == 1


async def test_the_drill_down_opens_tickets_steps_and_exports(weeks_context, tmp_path):
    """enter on a ticket opens it, [ ] step the period, e exports (issue 15, item 10)."""
    from woq_tui.screens.ticket import TicketScreen

    weeks_context.settings.console.export_dir = str(tmp_path)
    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_stations(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, StationDetailScreen)
        first = detail.period
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert detail.period.first_day == first.first_day - timedelta(days=7)
        assert detail.detail.period == detail.period
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert len(list(tmp_path.glob("station_*.csv"))) == 1 and len(list(tmp_path.glob("station_*.svg"))) == 1
        tickets = detail.query_one("#detail-tickets", DataTable)
        assert tickets.row_count > 0
        tickets.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.ticket_no == tickets.coordinate_to_cell_key((0, 0)).row_key.value


async def test_the_bar_never_cuts_sorted_by_from_its_column(weeks_context):
    """In English at 100 columns "Sorted by" wrapped away from its column (issue 15,
    item 11): the sort and legend go whole to a second line."""
    app = WoqApp(weeks_context)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_stations(pilot)
        screen._choose("this_week")  # the longest comparison: the same span before
        await settle(pilot)
        lines = str(screen.query_one("#stations-bar").render()).splitlines()
        assert len(lines) == 2 and lines[1].startswith("Sorted by ")
    app = WoqApp(weeks_context)
    async with app.run_test(size=(200, 30)) as pilot:
        screen = await open_stations(pilot)
        assert len(str(screen.query_one("#stations-bar").render()).splitlines()) == 1


async def test_the_score_column_sorts_and_the_drill_down_shows_its_components(weeks_context, settings):
    """The scorecard's score and rank on the station screen, and in the drill-down the
    components it is made of with their weights (issue 13)."""
    settings.assessment.min_tickets = 10
    app = WoqApp(weeks_context)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await open_stations(pilot)
        while screen.sort_column != "score":
            await pilot.press("s")
        ranked = [line for line in screen.scorecard.stations if line.rank is not None]
        assert ranked and [line.code for line in ranked] == row_keys(screen)[: len(ranked)]
        best = ranked[0]
        cell = str(screen.query_one(DataTable).get_cell(best.code, "score"))
        assert cell.startswith(f"{best.score:.1f} #1")
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, StationDetailScreen) and detail.code == best.code
        line = str(detail.query_one("#detail-score").render())
        assert f"Score {best.score:.1f}" in line and "rank 1" in line and "On time" in line and "×40" in line


async def test_a_pilot_is_evaluated_from_marked_stations(weeks_context, settings):
    """space marks stations, P asks the start and the figure, the view shows the four
    cells, the effect, its interval and whether it is significant (issue 13)."""
    from woq_tui.screens.pilot import PilotDialog, PilotScreen

    settings.assessment.weeks = 1
    settings.assessment.bootstrap = 200
    app = WoqApp(weeks_context)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_stations(pilot)
        await pilot.press("space", "down", "space", "P")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PilotDialog) and len(dialog.stations) == 2
        dialog.query_one("#start").value = "2026-11-19"
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, PilotScreen) and view.result is not None
        text = str(view.query_one("#pilot-text").render())
        assert "Pilot stations (2)" in text and "Effect (difference in differences)" in text
        assert "Significant" in str(view.query_one("#pilot-verdict").render())
        assert "│" in str(view.query_one("#pilot-chart").render())


async def test_dates_typed_in_make_a_custom_period_but_never_the_future(weeks_context):
    from woq_tui.screens.period_dialog import PeriodDialog

    app = WoqApp(weeks_context)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_stations(pilot)
        screen.ask_dates()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PeriodDialog)
        dialog.query_one("#first").value, dialog.query_one("#last").value = "2026-12-01", "2026-12-07"
        await pilot.press("ctrl+s")
        assert "no future" in str(dialog.query_one("#error").render())
        dialog.query_one("#first").value, dialog.query_one("#last").value = "2026-11-10", "2026-11-20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.period.kind == "custom" and screen.period.first_day.isoformat() == "2026-11-10"
        assert "Custom 2026-11-10 – 2026-11-20" in str(screen.query_one("#stations-bar").render())


def test_a_change_s_unit_comes_before_its_mark():
    """"↑5.0min✗", not "↑5.0✗min" (seen on the meeting's response tile)."""
    from woq_tui.widgets.figures_cells import change_only

    assert change_only("avg_first_response_min", 10.0, 5.0, unit="min").plain == "↑5.0min✗"
    assert change_only("avg_first_response_min", 5.0, 10.0, unit="min").plain == "↓5.0min"


def test_a_comparison_in_another_year_says_its_year():
    """A year to date is compared with last year's same span: the bar says which year;
    a week's comparison in the same year keeps the shorter form."""
    from zoneinfo import ZoneInfo

    from woq_tui.domain.periods import current_period
    from woq_tui.screens.stations import comparison_text

    zone = ZoneInfo("Asia/Shanghai")
    as_of = NOW.replace(month=12, day=8, hour=3, minute=34)
    year = current_period("year", as_of, zone)
    text = comparison_text(year.comparison(as_of), year)
    last = year.start.astimezone(zone).year - 1
    assert f"{last}-01-01 00:00" in text and f"{last}-12-08 11:34" in text
    week = current_period("week", as_of, zone)
    text = comparison_text(week.comparison(as_of), week)
    assert str(last) not in text and "11-30 00:00 – 12-01 11:34" in text
