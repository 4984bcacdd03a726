"""What the console is wired to: settings, database, clock, role. Built by the command
line, handed to the App, read by the screens. No Textual here, so tests and commands can
build one too."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from woq_tui.config import Settings
from woq_tui.domain.clock import Clock, SystemClock
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import describe_url, session_factory


@dataclass
class ConsoleContext:
    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    read_only: bool = False
    # Shown in the header instead of the URL (the demo says "demo").
    label: str | None = None
    # Reads started before the UI was up, by what they are for (store.queue_live).
    prefetched: dict[str, Future] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

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
        return self.label or describe_url(str(self.engine.url))
