"""The Textual App: the screens of keys.md as modes, help, palette, quit.

Screens load their data through context.store (console_store.py) with the one loader
(widgets/loader.py); the app wires keys to screens, holds the ConsoleContext they all
read, shows what failed in one place (`show_failure`), and builds the help and the
command palette from the bindings that are active, so a key remapped under [keys]
shows as remapped everywhere.

Start-up time is mostly imports, so only what the first frame (the live queue) needs
is imported here: the other screens are imported when first shown; the database side
(SQLAlchemy) and, when reassignment is configured, the dispatch side (httpx, stamina)
in a worker once the first answer is on screen (warm_up); the queue's first page is
read in another process (commands/head_start.py) or a thread while the app starts.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import cached_property, partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from woq_tui.config import ConfigError
from woq_tui.context import ConsoleContext
from woq_tui.errors import DatabaseError, first_line
from woq_tui.i18n import t
from woq_tui.idle_collection import TICK_SECONDS as IDLE_TICK_SECONDS, IdleCollector
from woq_tui.outbox_feed import OutboxChanged, OutboxCycleEnded, forward_change, start_pusher
from woq_tui.reassign_notices import Notice, ReassignNotices
from woq_tui.screens.queue import QueueScreen
from woq_tui.store.queue_live import start_prefetch
from woq_tui.themes import ANSI_DARK, ANSI_LIGHT, OFFERED_THEMES, checked_themes
from woq_tui.values.live import PREFETCH_KEY
from woq_tui.widgets import frame_pacing, strip_cycles
from woq_tui.widgets.loader import Loader
from woq_tui.widgets.refresh import RefreshStatus
from woq_tui.widgets.translated import TranslatedBindings

if TYPE_CHECKING:
    from textual.binding import ActiveBinding
    from textual.notifications import SeverityLevel
    from textual.theme import Theme

    from woq_tui.dispatch.outbox import OutboxCounts
    from woq_tui.dispatch.pusher import BackgroundPusher
    from woq_tui.rollup_upkeep import RollupUpkeep


class LazyScreen:
    """A screen class imported when first needed ("module:Class"). Used where the class
    would be: calling it makes the screen (as Textual's MODES do), and
    `isinstance(screen, lazy)` asks the real class."""

    def __init__(self, path: str) -> None:
        self.path = path

    def load(self) -> type[Screen]:
        module, _, name = self.path.partition(":")
        return getattr(import_module(module), name)

    def __call__(self) -> Screen:
        return self.load()()

    def __instancecheck__(self, instance: object) -> bool:
        return isinstance(instance, self.load())

    def __repr__(self) -> str:
        return f"LazyScreen({self.path!r})"


# mode name, key, screen class, title key: the order of keys.md
MAIN_SCREENS: tuple[tuple[str, str, type[Screen] | LazyScreen, str], ...] = (
    ("queue", "1", QueueScreen, "screen.queue"),
    ("overdue", "2", LazyScreen("woq_tui.screens.overdue:OverdueScreen"), "screen.overdue"),
    ("stations", "3", LazyScreen("woq_tui.screens.stations:StationsScreen"), "screen.stations"),
    ("meeting", "4", LazyScreen("woq_tui.screens.meeting:MeetingScreen"), "screen.meeting"),
    ("outbox", "5", LazyScreen("woq_tui.screens.outbox:OutboxScreen"), "screen.outbox"),
    ("audit", "6", LazyScreen("woq_tui.screens.audit:AuditScreen"), "screen.audit"),
)


def freeze_start_up() -> None:
    """Leave what the console made while starting out of the garbage collector's full
    passes, once a process: the modules, classes, compiled statements and first screen
    live as long as the console, and a full pass walked them all, a pause of ~0.3 s on
    the UI thread (and every thread) whenever one came, while the station screen
    loaded a year say (docs/speed.md, "Keys and loading lag"). Frozen objects are still
    freed when nothing refers to them; only a cycle among them is kept."""
    if not gc.get_freeze_count():
        gc.freeze()


class WoqApp(TranslatedBindings, App[None]):
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {name: screen for name, _key, screen, _title in MAIN_SCREENS}
    DEFAULT_MODE = "queue"
    # Descriptions are message keys (widgets.translated); ids let [keys] remap them.
    BINDINGS = [
        *(
            Binding(key, f"switch_mode('{name}')", title, id=f"screen.{name}", show=False)
            for name, key, _cls, title in MAIN_SCREENS
        ),
        Binding("question_mark", "help", "key.help", id="help", key_display="?"),
        Binding("q", "quit", "key.quit", id="quit"),
    ]

    def __init__(self, context: ConsoleContext) -> None:
        strip_cycles.install()
        frame_pacing.install()
        self.context = context
        super().__init__()
        self.title = t("app.title")
        # The offered themes with the colours checked for contrast (themes.py).
        for theme in checked_themes():
            self.register_theme(theme)
        self.ansi_theme_dark, self.ansi_theme_light = ANSI_DARK, ANSI_LIGHT
        self.theme = context.settings.console.theme
        if context.settings.keys:
            self.set_keymap(context.settings.keys)
        self.outbox_pusher: BackgroundPusher | None = None
        # The station × day rollup kept current by this console, if it may write
        # (rollup_upkeep.py); decided off the UI thread in _warm_up.
        self.rollup_upkeep: RollupUpkeep | None = None
        self._upkeep_wanted = False
        self._warmed = False
        self.reassign_notices = ReassignNotices(self._show_notice, context.settings.dispatch.token_env)
        # What stopped the console while it started: the head start's verdict that the
        # database cannot be used (commands/console.py raises it after the app closed).
        self.stopped_by: Exception | None = None
        # The collector's full passes, run while no key comes (idle_collection.py).
        self.idle_collection = IdleCollector()
        # Quitting asks first while reassignments are unconfirmed; a database that is
        # away must not keep anyone from quitting.
        self.quit_check: Loader[None, OutboxCounts] = Loader(
            self, lambda _: self.context.store.outbox_counts(), self._quit_or_ask,
            what="quit.pending", failed=lambda _request, _error: self.exit(), name="quit",
        )

    @cached_property
    def offered_themes(self) -> dict[str, Theme]:
        """The themes the console's colours were checked against (themes.py), and the
        one the config names if it is another. Kept until a theme is registered or
        unregistered: Textual looks the current theme up hundreds of times a frame
        (App.current_theme, ansi_theme: ~770 a showing of the filter dialog), and this
        dict was built twice each time (3.2 → 0.8 µs a lookup; docs/speed.md, "Keys
        and loading lag")."""
        offered = {*OFFERED_THEMES, self.context.settings.console.theme}
        return {name: theme for name, theme in super().available_themes.items() if name in offered}

    @property
    def available_themes(self) -> dict[str, Theme]:
        """The offered themes themselves, not a copy (Textual only reads them)."""
        return self.offered_themes

    def register_theme(self, theme: Theme) -> None:
        super().register_theme(theme)
        self.__dict__.pop("offered_themes", None)

    def unregister_theme(self, theme_name: str) -> None:
        super().unregister_theme(theme_name)
        self.__dict__.pop("offered_themes", None)

    def on_load(self) -> None:
        # The queue's first page is read while the driver starts and the screen composes.
        # (The command line starts it sooner, before importing the UI.)
        if self.current_mode == "queue" and PREFETCH_KEY not in self.context.prefetched:
            start_prefetch(self.context)

    def on_mount(self) -> None:
        self.idle_collection.start()
        self.set_interval(IDLE_TICK_SECONDS, self.idle_collection.tick, name="idle collection")
        if self.context.opening is not None:
            # The database is still being opened elsewhere (commands/head_start.py):
            # if it cannot be, close the console and let the command line say why.
            opening = self.context.opening
            Loader(self, lambda _: opening.result(), lambda *_: None, what="db.unreachable", failed=self._stop).load(None)

    def _stop(self, _request: None, exc: BaseException) -> None:
        if isinstance(exc, (ConfigError, DatabaseError)):
            self.stopped_by = exc
            self.exit(return_code=2 if isinstance(exc, ConfigError) else 1)

    def on_refresh_status_first_shown(self, _message: RefreshStatus.FirstShown) -> None:
        self.warm_up()

    def warm_up(self) -> None:
        """Load what the first frame did not need, once it is on screen (the first live
        screen says when); once."""
        if not self._warmed:
            self._warmed = True
            # A database that is away is told by the live screens' banner, not here.
            Loader(self, self._warm_up, self._warmed_up, what="db.unreachable", failed=lambda *_: None).load(None)

    def _warm_up(self, _request: None) -> bool:
        """Off the UI thread: the engine (in a console the command line started,
        SQLAlchemy loads only now, commands/head_start.py), and for a console that may
        reassign the dispatch side (httpx, stamina); True when the pusher should run."""
        context = self.context
        context.store.warm_up()
        from woq_tui.rollup_upkeep import wanted

        self._upkeep_wanted = wanted(context)
        if context.settings.dispatch.base_url and context.can_write:
            import woq_tui.dispatch.outbox  # noqa: F401 (loaded here, off the UI thread)

            return True
        return False

    def _warmed_up(self, _request: None, wanted: bool) -> None:
        freeze_start_up()
        self._start_pusher(wanted)
        if self._upkeep_wanted and self.is_running and self.rollup_upkeep is None:
            from woq_tui.rollup_upkeep import RollupUpkeep

            self.rollup_upkeep = RollupUpkeep(self, self.context)

    def _start_pusher(self, wanted: bool) -> None:
        if wanted and self.is_running and self.outbox_pusher is None:  # not while quitting
            self.outbox_pusher = start_pusher(self)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.idle_collection.key_pressed()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.idle_collection.stop()
        if self.outbox_pusher is not None:
            self.outbox_pusher.stop()

    def save_screenshot(self, filename: str | None = None, path: str | None = None, time_format: str | None = None) -> str:
        """An SVG of the screen that renders Chinese at two cells in a browser
        (widgets/screenshot.py); every export and the palette's screenshot write it."""
        from woq_tui.widgets.screenshot import cell_exact_svg

        folder = Path(path or ".").expanduser()
        name = filename or f"woq-console-{self.context.clock.now():%Y%m%d-%H%M%S}.svg"
        target = folder / name
        target.write_text(cell_exact_svg(self.export_screenshot()), encoding="utf-8")
        return str(target)

    def show_failure(self, what: str, error: BaseException) -> None:
        """The one place where background work that failed is told (widgets/loader.py):
        one line in the console's language, the detail in the log."""
        self.notify(t(what, error=first_line(error)), severity="error", timeout=8)

    def on_outbox_changed(self, message: OutboxChanged) -> None:
        forward_change(self, message.change)

    def on_outbox_cycle_ended(self, _message: OutboxCycleEnded) -> None:
        self.reassign_notices.cycle_ended()

    def _show_notice(self, notice: Notice) -> None:
        # reassign_notices.py gives only Textual's levels, in a plain str field
        self.notify(notice.message, severity=cast("SeverityLevel", notice.severity), timeout=notice.timeout)

    def key_rows(self, screen: Screen) -> list[tuple[str, str, ActiveBinding]]:
        """(key as shown, description, binding) of every described binding active on
        `screen`, the second key of an action too ("k" beside "up"), in binding order,
        as remapped under [keys]: what the help lists and the palette offers."""
        from woq_tui.screens.help import format_key

        rows: list[tuple[str, str, ActiveBinding]] = []
        seen: set[tuple[str, str]] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description:
                continue
            # Textual's own bindings carry English words: t() has their Chinese too.
            row = (binding.key_display or format_key(self, key), t(binding.description))
            if row not in seen:
                seen.add(row)
                rows.append((*row, active))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: every active key of the screen (keys.md: every action
        is also in the palette), its extras, then Textual's own commands, in the
        console's language."""
        commands: dict[str, tuple[list[str], ActiveBinding]] = {}
        for shown, description, active in self.key_rows(screen):
            commands.setdefault(description, ([], active))[0].append(shown)
        for description, (keys, active) in commands.items():
            command = partial(self.run_action, active.binding.action, active.node)
            yield SystemCommand(description, t("palette.key", keys=" · ".join(keys)), command)
        extras = getattr(screen, "palette_extras", None)
        if extras is not None:
            for title, help_text, callback in extras():
                yield SystemCommand(title, help_text, callback)
        yield SystemCommand(t("palette.theme"), t("palette.theme_help"), self.action_change_theme)
        if screen.maximized is not None:
            yield SystemCommand(t("palette.minimize"), t("palette.minimize_help"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(t("palette.maximize"), t("palette.maximize_help"), screen.action_maximize)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from woq_tui.widgets.palette import ConsolePalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # Textual types it App[object], App is invariant
            self.push_screen(ConsolePalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        from woq_tui.widgets.palette import ConsolePalette

        self.push_screen(ConsolePalette("palette.theme_placeholder", providers=[ThemeProvider]))

    def action_help(self) -> None:
        from woq_tui.screens.help import HelpScreen

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        rows = [(shown, description) for shown, description, _active in self.key_rows(screen)]
        title = t(getattr(screen, "TITLE_KEY", "")) or screen.__class__.__name__
        self.push_screen(HelpScreen(title, rows))

    async def action_quit(self) -> None:
        self.quit_check.load(None)

    def _quit_or_ask(self, _request: None, counts: OutboxCounts) -> None:
        """Quit, or first say what is not delivered: pending entries (pushed again by
        a console that may write, docs/dispatch.md) and those that need a person."""
        from woq_tui.screens.confirm import ConfirmScreen

        if not counts.unsettled:
            self.exit()
            return
        lines = []
        if counts.pending:
            pushes = self.context.can_write and self.context.settings.dispatch.base_url
            lines.append(t("quit.pending" if pushes else "quit.pending_read_only", count=counts.pending))
        if counts.needs_a_person:
            lines.append(t("quit.failed", count=counts.needs_a_person))
        lines.append(t("quit.question"))

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(ConfirmScreen("\n".join(lines)), answered)
