"""The Textual App: the five screens of keys.md as modes, help, palette, quit.

Screens own their data loading (in workers); the app only wires keys to screens and
holds the ConsoleContext they all read.

Start-up time is mostly imports, so only what the first frame (the live queue) needs
is imported here: the other screens are imported when first shown; the database side
(SQLAlchemy) and, when reassignment is configured, the dispatch side (httpx, stamina)
in a worker once the first answer is on screen (warm_up); the queue's first page is
read in another process (commands/head_start.py) or a thread while the app starts.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from woq_tui.config import ConfigError
from woq_tui.context import ConsoleContext
from woq_tui.errors import DatabaseError
from woq_tui.i18n import t
from woq_tui.screens.queue import QueueScreen
from woq_tui.screens.reassign_notices import Notice, ReassignNotices
from woq_tui.store.queue_live import PREFETCH_KEY, start_prefetch
from woq_tui.widgets.refresh import RefreshStatus
from woq_tui.widgets.translated import TranslatedBindings

if TYPE_CHECKING:
    from woq_tui.screens.reassign import OutboxChanged, OutboxCycleEnded


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
)


class WoqApp(TranslatedBindings, App[None]):
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    MODES: dict[str, Callable[[], Screen]] = {name: screen for name, _key, screen, _title in MAIN_SCREENS}
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
        self.context = context
        super().__init__()
        self.title = t("app.title")
        self.theme = context.settings.console.theme
        if context.settings.keys:
            self.set_keymap(context.settings.keys)
        self.outbox_pusher = None
        self._warmed = False
        self.reassign_notices = ReassignNotices(self._show_notice, context.settings.dispatch.token_env)
        # What stopped the console while it started: the head start's verdict that the
        # database cannot be used (commands/console.py raises it after the app closed).
        self.stopped_by: Exception | None = None

    def on_load(self) -> None:
        # The queue's first page is read while the driver starts and the screen composes.
        # (The command line starts it sooner, before importing the UI.)
        if self.current_mode == "queue" and PREFETCH_KEY not in self.context.prefetched:
            start_prefetch(self.context)

    def on_mount(self) -> None:
        if self.context.opening is not None:
            self._watch_opening()

    @work(thread=True, group="opening", exit_on_error=False)
    def _watch_opening(self) -> None:
        """The database is still being opened elsewhere (commands/head_start.py): if it
        cannot be, close the console and let the command line say why."""
        try:
            self.context.opening.result()
        except (ConfigError, DatabaseError) as exc:
            self.call_from_thread(self._stop, exc)

    def _stop(self, exc: Exception) -> None:
        self.stopped_by = exc
        self.exit(return_code=2 if isinstance(exc, ConfigError) else 1)

    def on_refresh_status_first_shown(self, _message: RefreshStatus.FirstShown) -> None:
        self.warm_up()

    def warm_up(self) -> None:
        """Load what the first frame did not need, once it is on screen (the first live
        screen says when); once."""
        if not self._warmed:
            self._warmed = True
            self._warm_up()

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Off the UI thread: the engine (in a console the command line started,
        SQLAlchemy loads only now, commands/head_start.py), and the pusher of
        reassignments. Only a console that may reassign loads the dispatch side (httpx,
        stamina) at all."""
        context = self.context
        context.sessions  # noqa: B018 (made now, so the first tick does not wait for it)
        if context.settings.dispatch.base_url and context.can_write:
            from woq_tui.screens.reassign import start_pusher

            self.call_from_thread(self._start_pusher, start_pusher)

    def _start_pusher(self, start_pusher) -> None:
        if self.is_running and self.outbox_pusher is None:  # not while quitting
            self.outbox_pusher = start_pusher(self)

    def on_unmount(self) -> None:
        if self.outbox_pusher is not None:
            self.outbox_pusher.stop()

    def on_outbox_changed(self, message: OutboxChanged) -> None:
        from woq_tui.screens.reassign import forward_change

        forward_change(self, message.change)

    def on_outbox_cycle_ended(self, _message: OutboxCycleEnded) -> None:
        self.reassign_notices.cycle_ended()

    def _show_notice(self, notice: Notice) -> None:
        self.notify(notice.message, severity=notice.severity, timeout=notice.timeout)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for name, key, _cls, title in MAIN_SCREENS:
            yield SystemCommand(f"{key} {t(title)}", t(title), lambda name=name: self.switch_mode(name))
        yield SystemCommand(t("key.help"), "?", self.action_help)
        commands = getattr(screen, "palette_commands", None)
        if commands:
            for title, help_text, callback in commands():
                yield SystemCommand(title, help_text, callback)
        yield from super().get_system_commands(screen)

    def action_help(self) -> None:
        from woq_tui.screens.help import HelpScreen, format_key

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        # Every key, also the second key of an action ("k" beside "up"), in binding order.
        rows: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description:
                continue
            # Textual's own bindings carry English words: t() has their Chinese too.
            row = (binding.key_display or format_key(self, key), t(binding.description))
            if row not in seen:
                seen.add(row)
                rows.append(row)
        title = t(getattr(screen, "TITLE_KEY", "")) or screen.__class__.__name__
        self.push_screen(HelpScreen(title, rows))

    async def action_quit(self) -> None:
        self.check_unconfirmed()

    @work(thread=True, exclusive=True, group="quit")
    def check_unconfirmed(self) -> None:
        from sqlalchemy import func, select

        from woq_tui.domain.models import OutboxEntry

        try:
            with self.context.sessions() as session:
                pending = session.scalar(
                    select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state == "pending")
                )
        except Exception:  # the database is away: quitting must still work
            pending = 0
        self.call_from_thread(self._quit_or_ask, pending or 0)

    def _quit_or_ask(self, pending: int) -> None:
        from woq_tui.screens.confirm import ConfirmScreen

        if not pending:
            self.exit()
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(ConfirmScreen(t("quit.pending", count=pending)), answered)
