"""The console shell: every screen by its key, help, palette, quit."""

from __future__ import annotations

import time

from woq_tui.app import MAIN_SCREENS, WoqApp
from woq_tui.screens.confirm import ConfirmScreen
from woq_tui.screens.help import HelpScreen


async def test_number_keys_visit_every_screen(context):
    app = WoqApp(context)
    async with app.run_test(size=(120, 36)) as pilot:
        for _name, key, screen_class, _title in reversed(MAIN_SCREENS):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_class)


async def test_help_lists_the_keys_of_the_screen(context):
    app = WoqApp(context)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = dict(app.screen.rows)
        assert rows["q"] == "Quit" and rows["?"] == "Help"
        assert "palette" in rows.values()
        assert len(app.screen.rows) == len(set(app.screen.rows)), "a key listed twice"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_quit_without_pending_reassignments_exits(context):
    app = WoqApp(context)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 0


async def test_quit_asks_when_reassignments_are_unconfirmed(context, clock):
    from sqlmodel import Session

    from woq_tui.domain.models import OutboxEntry

    with Session(context.engine) as session:
        session.add(
            OutboxEntry(
                id="00000000-0000-0000-0000-000000000001",
                ticket_no="T1",
                to_station="S002",
                reason="wrong area",
                operator="D1023",
                expected_version=1,
                requested_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        session.commit()
    app = WoqApp(context)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        # no base_url: this console pushes nothing, and says so (issue 16, item 5)
        assert "does not push them" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.is_running


async def test_the_quit_question_names_failed_reassignments(context, clock):
    """A failed entry is named as failed in the quit question (it was ignored)."""
    from sqlmodel import Session

    from woq_tui.domain.models import OutboxEntry

    with Session(context.engine) as session:
        session.add(
            OutboxEntry(
                id="00000000-0000-0000-0000-000000000002", ticket_no="T1", to_station="S002", reason="wrong area",
                operator="D1023", expected_version=1, requested_at=clock.now(), updated_at=clock.now(), state="failed",
            )
        )
        session.commit()
    app = WoqApp(context)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("q")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "1 reassignments or reclassifications failed, conflicted\nor were refused" in app.screen.question


async def test_chinese_titles(context):
    from woq_tui.i18n import set_language

    set_language("zh")
    app = WoqApp(context)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert "超期与升级" in app.screen.query_one("AppHeader").screen_title


async def test_help_speaks_chinese_for_textual_bindings_too(context):
    from woq_tui.i18n import set_language

    set_language("zh")
    app = WoqApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        descriptions = [description for _key, description in app.screen.rows]
        assert "退出" in descriptions and "命令" in descriptions
        assert not [d for d in descriptions if d.isascii() and d.strip()], descriptions


async def test_no_color_renders_monochrome(context, monkeypatch):
    """NO_COLOR turns the console monochrome; SLA states still read by symbol and word."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = WoqApp(context)
    assert app.no_color
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert any(type(f).__name__ == "Monochrome" for f in app._filters)


async def test_the_help_lists_every_symbol_and_a_mark_is_no_state(context):
    """One symbol set, documented in the help; a mark is not an SLA state's symbol
    (● was both; issue 15, items 3 and 11)."""
    from woq_tui.widgets import symbols

    assert symbols.MARK not in symbols.SLA.values()
    assert not set(symbols.OUTBOX.values()) & set(symbols.SLA.values())
    app = WoqApp(context)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        legend = str(app.screen.query_one(".legend").render())
    for symbol, _key in symbols.legend():
        assert symbol in legend
    assert "◆ marked" in legend and "✖ overdue" in legend


async def test_the_palette_speaks_chinese_even_when_nothing_matches(context, monkeypatch):
    """Textual's own palette strings ("Search for commands…", "No matches found") in the
    console's language (issue 15, item 6; widgets/palette.py)."""
    from textual.command import CommandList
    from textual.widgets import Input

    from woq_tui.i18n import set_language
    from woq_tui.widgets.palette import ConsolePalette

    monkeypatch.setattr(ConsolePalette, "_NO_MATCHES_COUNTDOWN", 0.001)  # at once, not in 0.5 s
    set_language("zh")
    try:
        app = WoqApp(context)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            palette = app.screen
            assert isinstance(palette, ConsolePalette)
            assert palette.query_one(Input).placeholder == "搜索命令…"
            await pilot.press(*"zzqx")
            shown: list[str] = []
            deadline = time.monotonic() + 30  # until the search and its timer have run: no fixed sleep
            while time.monotonic() < deadline:
                await pilot.pause()
                options = palette.query_one(CommandList)
                listed = [options.get_option_at_index(i) for i in range(options.option_count)]
                # until the "no matches" line is there: the hits of a shorter search ("z")
                # may be listed first, their prompts Content, not the Align around a Text
                if any(option.id == ConsolePalette._NO_MATCHES for option in listed):
                    shown = [str(getattr(option.prompt, "renderable", option.prompt)) for option in listed]
                    break
            assert shown == ["没有匹配的命令"]
    finally:
        set_language("en")
