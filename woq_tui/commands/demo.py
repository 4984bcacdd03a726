"""woq-console demo: the console on a demo database that moves (docs/demo.md).

The database is `demo.db` in the user data directory: generated once (ending now),
reused afterwards, rebuilt with --fresh. It is generated into `demo.db.part` and renamed
when complete, so an interrupted generation never leaves a half-filled demo behind.
While the console is open, a live simulator adds and progresses tickets, and the
reference dispatch API listens on loopback so that reassignments are confirmed.
"""

from __future__ import annotations

import os
import secrets
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from woq_tui.commands._common import log_to_file
from woq_tui.commands.generate import Progress, check_counts, generate_into
from woq_tui.config import Settings, user_data_dir
from woq_tui.context import ConsoleContext
from woq_tui.domain.clock import Clock, SystemClock
from woq_tui.i18n import t
from woq_tui.store.db import ensure_schema, make_engine, upgrade

if TYPE_CHECKING:
    from woq_tui.demo.simulator import LiveSimulator

DEMO_FILE = "demo.db"
LIVE_INTERVAL_SECONDS = 5.0


def demo_path() -> Path:
    return user_data_dir() / DEMO_FILE


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def prepare_database(path: Path, args, settings: Settings, clock: Clock, stream=None) -> bool:
    """Make sure the demo database exists; True when it was generated now."""
    if args.fresh:
        _remove(path)
    if path.exists():
        print(t("demo.reusing", path=path), file=stream or sys.stdout)
        return False
    part = path.with_name(path.name + ".part")
    _remove(part)
    engine = make_engine(f"sqlite:///{part}")
    progress = Progress(stream)
    try:
        try:
            upgrade(engine)
            generate_into(engine, settings, args, clock.now().replace(microsecond=0), progress)
        finally:
            progress.done()
        _train_classifier(engine, clock, stream)
    finally:
        engine.dispose()  # the last connection checkpoints the WAL into the file
    part.replace(path)
    print(t("demo.database_at", path=path), file=stream or sys.stdout)
    return True


def _train_classifier(engine, clock: Clock, stream) -> None:
    """Train the type classifier on the new demo's history, so screen 6 and `audit` flag
    type_suspect from the first start (docs/demo.md, "The classifier"). A demo too small
    to train on says so in one line and opens without one, as `audit train` would."""
    from woq_tui.classifier import train_and_store
    from woq_tui.classifier.training import MIN_TICKETS, NotEnoughHistory

    out = stream or sys.stdout
    print(t("demo.training"), file=out, flush=True)
    try:
        evaluation = train_and_store(engine, clock.now(), "demo")
    except NotEnoughHistory as exc:
        line = t("classifier.train.not_enough", tickets=exc.tickets, types=exc.types, minimum=MIN_TICKETS)
        print(line, file=out)
        return
    accuracy = "—" if evaluation.accuracy is None else f"{evaluation.accuracy:.1%}"
    print(t("demo.trained", accuracy=accuracy), file=out)


class DemoSession:
    """The demo database, the simulator and the dispatch API, for as long as it is open."""

    def __init__(
        self,
        args,
        settings: Settings,
        clock: Clock | None = None,
        path: Path | None = None,
        stream=None,
        live_interval: float = LIVE_INTERVAL_SECONDS,
    ):
        self.args = args
        self.settings = settings
        self.clock = clock or SystemClock()
        self.path = path or demo_path()
        self.stream = stream
        self.live_interval = live_interval
        self.simulator: LiveSimulator | None = None
        self.dispatch = None
        self.context: ConsoleContext | None = None
        self._stack = ExitStack()

    def __enter__(self) -> DemoSession:
        prepare_database(self.path, self.args, self.settings, self.clock, self.stream)
        engine = make_engine(f"sqlite:///{self.path}")
        self._stack.callback(engine.dispose)
        try:
            ensure_schema(engine)
            if not self.args.no_live:
                from woq_tui.demo.simulator import LiveSimulator

                self.simulator = LiveSimulator(engine, self.settings.sla_policy(), self.clock, seed=self.args.seed)
                self.simulator.start(self.live_interval)
                self._stack.callback(self.simulator.stop)
            self.dispatch = self._start_dispatch(engine)
            self.context = ConsoleContext(
                settings=self.settings,
                engine=engine,
                clock=self.clock,
                read_only=getattr(self.args, "read_only", False),
                label="demo",
            )
        except BaseException:
            self._stack.close()
            raise
        return self

    def _start_dispatch(self, engine):
        from woq_tui.dispatch.server import serve_in_background  # uvicorn: only when needed

        token = secrets.token_urlsafe(24)
        handle = serve_in_background(
            engine, host="127.0.0.1", port=0, token=token, clock=self.clock, policy=self.settings.sla_policy()
        )
        self._stack.callback(handle.stop)
        # The console's pusher reads the token from this variable; it is put back as it
        # was when the session ends, so the random token never outlives the demo.
        name = self.settings.dispatch.token_env
        previous = os.environ.get(name)
        os.environ[name] = token
        self._stack.callback(_restore_env, name, previous)
        self.settings.dispatch.base_url = handle.url
        return handle

    def console(self):
        """The console over this session. Its outbox pusher is stopped and joined when
        the session ends, before the dispatch API and the database go away."""
        from woq_tui.app import WoqApp

        assert self.context is not None, "console() is for a session entered with `with`"
        app = WoqApp(self.context)
        self._stack.callback(_join_pusher, app)
        return app

    def __exit__(self, *exc) -> None:
        self._stack.close()


def _restore_env(name: str, previous: str | None) -> None:
    if previous is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = previous


def _join_pusher(app, timeout: float = 10) -> None:
    pusher = getattr(app, "outbox_pusher", None)
    if pusher is not None:
        pusher.stop(timeout=timeout)


def run(args, settings) -> int:
    problem = check_counts(args)
    if problem:
        print(f"woq-console demo: {problem}", file=sys.stderr)
        return 2
    with DemoSession(args, settings) as session:
        log_to_file()
        session.console().run()
    return 0
