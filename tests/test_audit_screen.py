"""Screen 6 (质检, key 6) through Pilot on SQLite and PostgreSQL: the list is the
store's flags; filter, search, sort and escape; reviews with a note (escape records
nothing), viewers refused; enter → the ticket → an earlier ticket; a refresh keeps the
cursor; `r` opens the reassign dialog; `e` exports. docs/audit-screen.md."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import pytest
from textual.widgets import Input, SelectionList

from tests.conftest import NOW
from tests.factories import add_all, ticket
from tests.support import fill_weeks, settle
from woq_tui.app import WoqApp
from woq_tui.config import parse_settings
from woq_tui.context import ConsoleContext
from woq_tui.domain.periods import last_full_period
from woq_tui.domain.sla import SlaPolicy
from woq_tui.screens.audit import AuditScreen
from woq_tui.screens.audit_dialogs import AuditFilterDialog, ReviewNote
from woq_tui.screens.reassign import ReassignDialog
from woq_tui.screens.ticket import TicketScreen
from woq_tui.widgets.audit_rows import flag_key

SIZE = (160, 45)


def make_settings(tmp_path, **console):
    return parse_settings({
        "console": {"language": "en", "operator": "D1023", "export_dir": str(tmp_path), **console},
        "dispatch": {"base_url": "http://127.0.0.1:9"},
    })


@pytest.fixture
def audit_context(engine, clock, tmp_path):
    fill_weeks(engine)
    return ConsoleContext(settings=make_settings(tmp_path), engine=engine, clock=clock, label="test")


def week(context):
    return last_full_period("week", NOW, context.settings.tz)


def store_flags(context):
    return context.store.audit_view(week(context), NOW).flags


def row_keys(screen: AuditScreen) -> list[str]:
    return [row.key.value for row in screen.table.ordered_rows]


async def open_audit(pilot) -> AuditScreen:
    await pilot.press("6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AuditScreen)
    return screen


async def test_the_list_is_the_stores_flags(audit_context):
    expected = store_flags(audit_context)
    assert expected, "the data set has flags"
    app = WoqApp(audit_context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot)
        assert screen.period == week(audit_context)
        assert row_keys(screen) == [flag_key(flag) for flag in expected]
        bar = str(screen.query_one("#audit-bar").render())
        assert f"{len(expected)} flags" in bar and "Week 47" in bar
        # no model stored: type_suspect is skipped and the bar says so (docs/audit.md)
        assert "type_suspect" in audit_context.store.audit_view(screen.period, NOW).skipped
        assert "no classifier: type not checked" in bar
        # the help and the palette come from the bindings: c and d are there
        rows = {(shown, description) for shown, description, _ in app.key_rows(screen)}
        assert {("c", "Confirm"), ("d", "Dismiss"), ("r", "Reassign"), ("[", "Previous")} <= rows
        # the period keys of the station screen: the running week, never the future
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert screen.period.first_day.isoformat() == "2026-11-23"
        assert any("no future" in notification.message for notification in app._notifications)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert screen.period == week(audit_context).step(-1)
        assert row_keys(screen) == [
            flag_key(flag) for flag in audit_context.store.audit_view(screen.period, NOW).flags
        ]


async def test_filter_search_sort_and_escape(audit_context):
    flags = store_flags(audit_context)
    rule = flags[0].rule
    app = WoqApp(audit_context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, AuditFilterDialog)
        app.screen.query_one("#rules", SelectionList).select(rule)
        await pilot.press("enter")
        await settle(pilot)
        assert row_keys(screen) == [flag_key(flag) for flag in flags if flag.rule == rule]
        # search narrows within the filter; escape puts the search back as it was
        target = flags[0].ticket_no
        await pilot.press("slash")
        await pilot.press(*target)
        await settle(pilot)
        assert {key.split("\x1f")[0] for key in row_keys(screen)} == {target}
        await pilot.press("escape")
        await settle(pilot)
        assert row_keys(screen) == [flag_key(flag) for flag in flags if flag.rule == rule]
        # escape again clears the filter
        await pilot.press("escape")
        assert row_keys(screen) == [flag_key(flag) for flag in flags]
        # s: by created; S reverses
        await pilot.press("s")
        created = [screen.table.by_key[key].created_at for key in row_keys(screen)]
        assert created == sorted(created) and screen.sort == "created"
        await pilot.press("S")
        created = [screen.table.by_key[key].created_at for key in row_keys(screen)]
        assert created == sorted(created, reverse=True)


async def test_confirm_with_a_note_dismiss_and_escape_records_nothing(audit_context):
    first, second = store_flags(audit_context)[:2]
    app = WoqApp(audit_context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ReviewNote)
        await pilot.press(*"checked")
        await pilot.press("enter")
        await settle(pilot)
        confirmed = {flag_key(flag): flag for flag in store_flags(audit_context)}[flag_key(first)]
        assert confirmed.review is not None
        assert (confirmed.review.verdict, confirmed.review.note, confirmed.review.operator) == ("confirmed", "checked", "D1023")
        assert screen.table.by_key[flag_key(first)].review.verdict == "confirmed"
        # d on the next flag, escaped: nothing recorded, the flag stays
        await pilot.press("down", "d")
        await settle(pilot)
        assert isinstance(app.screen, ReviewNote)
        await pilot.press("escape")
        await settle(pilot)
        assert flag_key(second) in {flag_key(flag) for flag in store_flags(audit_context)}
        assert flag_key(second) in row_keys(screen)
        # d, no note: dismissed, gone from the store and the list
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert flag_key(second) not in {flag_key(flag) for flag in store_flags(audit_context)}
        assert flag_key(second) not in row_keys(screen)


@pytest.mark.parametrize("how", ["viewer", "read_only"])
async def test_viewers_and_read_only_are_refused_in_one_line(engine, clock, tmp_path, how):
    fill_weeks(engine)
    settings = make_settings(tmp_path, role="viewer" if how == "viewer" else "dispatcher")
    context = ConsoleContext(settings=settings, engine=engine, clock=clock, label="test", read_only=how == "read_only")
    before = store_flags(context)
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot)
        # the footer does not offer what would be refused
        shown = {active.binding.action for active in screen.active_bindings.values() if active.binding.show}
        assert shown.isdisjoint({"confirm_flag", "dismiss_flag"})
        await pilot.press("c")
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewNote)
        messages = [notification.message for notification in app._notifications]
        assert len(messages) == 2 and all("\n" not in message and "review a flag" in message for message in messages)
    assert store_flags(context) == before


async def test_enter_opens_the_ticket_and_its_earlier_ticket(audit_context):
    flags = store_flags(audit_context)
    repeat = next(flag for flag in flags if flag.rule == "repeat_call" and flag.evidence["earlier"])
    earlier = repeat.evidence["earlier"][0]
    app = WoqApp(audit_context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("slash", *repeat.ticket_no, "enter")
        await settle(pilot)
        screen.table.move_cursor(row=row_keys(screen).index(flag_key(repeat)))
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, TicketScreen) and detail.ticket_no == repeat.ticket_no
        assert {flag.rule for flag in detail.flags} == {
            flag.rule for flag in audit_context.store.ticket_flags(repeat.ticket_no, NOW)
        }
        text = str(detail.query_one("#flags").render())
        assert "Repeat call" in text and earlier in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_no == earlier


async def test_a_refresh_keeps_the_cursor_on_its_flag(audit_context):
    app = WoqApp(audit_context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot)
        for _ in range(5):
            await pilot.press("down")
        chosen = screen.table.cursor_flag
        line = screen.table.cursor_row - round(screen.table.scroll_y)
        # a new flag above it: a ticket numbered first, dispatched twice, in the week
        add_all(audit_context.engine, ticket(NOW - timedelta(days=5), ticket_no="A0001", station_code="S001",
                                             dispatch_count=3, customer_phone=None))
        screen.refresh_now()
        await settle(pilot)
        assert row_keys(screen)[0].startswith("A0001")
        assert screen.table.cursor_flag == chosen
        assert screen.table.cursor_row - round(screen.table.scroll_y) == line


async def test_r_opens_the_reassign_dialog_for_the_flags_ticket(audit_context):
    flag = store_flags(audit_context)[0]
    app = WoqApp(audit_context)
    async with app.run_test(size=SIZE) as pilot:
        await open_audit(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReassignDialog)
        assert [ref.ticket_no for ref in app.screen.tickets] == [flag.ticket_no]
        assert app.screen.tickets[0].station_code == flag.station_code


async def test_export_writes_what_is_shown(audit_context, tmp_path):
    app = WoqApp(audit_context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot)
        await pilot.press("s", "e")
        await settle(pilot)
        written = sorted(tmp_path.glob("audit_*.csv"))
        assert len(written) == 1 and written[0].with_suffix(".svg").exists()
        with written[0].open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        assert [(row["ticket_no"], row["rule"]) for row in rows] == [
            tuple(key.split("\x1f")) for key in row_keys(screen)
        ]


async def test_search_box_is_hidden_until_slash(audit_context):
    app = WoqApp(audit_context)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_audit(pilot)
        box = screen.query_one("#audit-search", Input)
        assert not box.display
        await pilot.press("slash")
        assert box.display and box.has_focus
        # the summary beside the list gives way below 140 columns
        assert not screen.query_one("#audit-summary").display


async def test_R_on_a_type_suspect_flag_offers_the_classifiers_type_first(engine, tmp_path):
    """Issue 12: from screen 6 a type_suspect flag opens the reclassify dialog with the
    classifier's type listed first, and nothing chosen for the dispatcher."""
    from woq_tui.classifier import train_and_store
    from woq_tui.demo.generator import generate
    from woq_tui.domain.clock import FixedClock
    from woq_tui.screens.reclassify import ReclassifyDialog

    end = datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)  # a Monday: the full week before is the demo's last
    generate(engine, SlaPolicy(), seed=7, stations=4, days=40, end=end)
    train_and_store(engine, end, "D1023")
    context = ConsoleContext(settings=make_settings(tmp_path), engine=engine, clock=FixedClock(end + timedelta(hours=1)),
                             label="test")  # fmt: skip
    app = WoqApp(context)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot)
        suspects = [flag for flag in screen.shown.flags if flag.rule == "type_suspect"]
        assert suspects, "the trained model finds a planted misclassification in the week"
        flag = suspects[0]
        screen.table.move_cursor(row=screen.table.get_row_index(flag_key(flag)))
        await pilot.press("R")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReclassifyDialog)
        assert [ref.ticket_no for ref in dialog.tickets] == [flag.ticket_no]
        assert dialog.order[0] == flag.evidence["type"] != flag.type
        assert dialog.chosen() is None  # offered, never chosen for the dispatcher
