"""The database an import writes into must keep what it is given: never an in-memory
SQLite database (the data would vanish with the command), and the SQLite file must
still be the one the import began with when it ends (a file deleted or replaced
mid-import keeps taking writes through the open connection, into an inode nobody will
read again: 300,000 "inserted", exit 0, and nothing there)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from woq_tui.errors import DatabaseError
from woq_tui.i18n import t


def in_memory(url: str | URL) -> bool:
    """A SQLite URL whose database lives only in the process (`sqlite://`,
    `sqlite:///:memory:`, a `mode=memory` URI)."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except Exception:  # an unreadable URL is the command line's to refuse (commands/_common.py)
        return False
    if not parsed.drivername.startswith("sqlite"):
        return False
    database = parsed.database or ""
    return database in ("", ":memory:") or database.startswith("file::memory:") or "mode=memory" in str(parsed)


def refuse_in_memory(engine: Engine) -> None:
    if in_memory(engine.url):
        raise DatabaseError(t("import.memory_database"))


class DatabaseFile:
    """The identity (device, inode) of a SQLite database file when the import began;
    `check()` after each batch fails the import if the path no longer names it."""

    def __init__(self, engine: Engine) -> None:
        self.path: Path | None = None
        self._identity: tuple[int, int] | None = None
        if engine.dialect.name != "sqlite" or in_memory(engine.url):
            return
        self.path = Path(engine.url.database or "").expanduser()
        self._identity = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        assert self.path is not None
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return status.st_dev, status.st_ino

    def check(self) -> None:
        if self.path is None:
            return
        if self._identity is None or self._stat() != self._identity:
            raise DatabaseError(t("import.database_replaced", path=self.path))
