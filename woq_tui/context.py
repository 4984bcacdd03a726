"""What the console is wired to: settings, database, clock, role. Built by the command
line, handed to the App; screens read the settings and clock here and reach the
database only through `context.store` (console_store.py). No Textual here, so tests and commands can
build one too, and no SQLAlchemy until the database is first used: the command line
gives a URL and the engine is made on first use, which is after the first frame
(commands/head_start.py).

Two engines, one rule (docs/replica.md): `engine` is the primary, where every write
goes; `read_engine` is the read replica `[database] read_url` names, or the primary
itself when there is none. ConsoleStore says which of its reads may come from it."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from functools import cached_property
from typing import TYPE_CHECKING

from woq_tui.config import Settings
from woq_tui.domain.clock import Clock, SystemClock
from woq_tui.domain.sla import SlaPolicy

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from woq_tui.console_store import ConsoleStore


class ConsoleContext:
    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        *,
        url: str | None = None,
        read_url: str | None = None,
        opening: Future | None = None,
        clock: Clock | None = None,
        read_only: bool = False,
        label: str | None = None,
    ) -> None:
        if engine is None and url is None and opening is None:
            raise ValueError("a ConsoleContext needs an engine, a database URL or its opening")
        self.settings = settings
        self.url = url
        # The read replica's URL (config.resolve_read_url); None: reads go to the primary.
        self.read_url = read_url
        # The head start's verdict on the database while it is still being opened
        # (commands/head_start.py): an Opened (url, label), or what stopped it.
        self.opening = opening
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.read_only = read_only
        # Shown in the header instead of the URL (the demo says "demo").
        self.label = label
        # Reads started before the UI was up, by what they are for (store.queue_live).
        self.prefetched: dict[str, Future] = {}
        self._engine = engine
        self._read_engine: Engine | None = None
        self._engine_lock = threading.RLock()  # read_engine may make the primary's

    def _take_opening(self) -> None:
        """The URLs the head start opened (waits; raises what stopped it)."""
        if self.url is None and self._engine is None:
            assert self.opening is not None  # __init__ asks for one of the three
            opened = self.opening.result()
            self.read_url = opened.read_url
            self.url = opened.url

    @property
    def engine(self) -> Engine:
        """The primary: every write, and the reads that must see them at once."""
        if self._engine is None:
            with self._engine_lock:  # worker threads may ask at once
                if self._engine is None:
                    from woq_tui.store.db import make_engine

                    self._take_opening()
                    assert self.url is not None
                    self._engine = make_engine(self.url)
        return self._engine

    @property
    def read_engine(self) -> Engine:
        """The read replica, or the primary when there is none (docs/replica.md)."""
        if self._read_engine is None:
            with self._engine_lock:
                if self._read_engine is None:
                    self._take_opening()
                    if self.read_url is None:
                        self._read_engine = self.engine
                    else:
                        from woq_tui.store.db import make_engine

                        self._read_engine = make_engine(self.read_url)
        return self._read_engine

    @property
    def has_replica(self) -> bool:
        """Reads go to a replica (waits for the opening when it is not done)."""
        with self._engine_lock:
            self._take_opening()
        return self.read_url is not None

    def dispose(self) -> None:
        """Close the engines' connections (both, when there is a replica)."""
        for engine in {id(e): e for e in (self._engine, self._read_engine) if e is not None}.values():
            engine.dispose()

    @cached_property
    def store(self) -> ConsoleStore:
        """The screens' one way to the database (console_store.py)."""
        from woq_tui.console_store import ConsoleStore

        return ConsoleStore(self)

    @cached_property
    def policy(self) -> SlaPolicy:
        return self.settings.sla_policy()

    @property
    def operator(self) -> str:
        return self.settings.console.operator

    @property
    def can_write(self) -> bool:
        """Reassign, urge, reveal: refused in read-only mode and for viewers."""
        return not self.read_only and self.settings.console.role != "viewer"

    @property
    def database_label(self) -> str:
        if self.label:
            return self.label
        if self.url is None and self.opening is not None:
            # the header asks every second: never wait for the opening here
            if not self.opening.done() or self.opening.exception() is not None:
                return "…"
            return self.opening.result().label
        from woq_tui.store.db import describe_url

        return describe_url(str(self.engine.url))
