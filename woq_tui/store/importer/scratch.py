"""What an import keeps on disk while it runs, so that memory stays flat however long
the file: the ticket numbers accepted so far (the duplicate check) in a private
temporary SQLite database, looked up once per batch (docs/import.md)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from woq_tui.i18n import t
from woq_tui.store.import_source import ImportFileError

# Ticket numbers per lookup in the temporary database (SQLite's bound parameters)
LOOKUP_CHUNK = 500


@contextmanager
def temporary_storage() -> Iterator[None]:
    """A temporary file that cannot be written (a full or read-only temp directory) is
    one line for the user, like a file that cannot be read."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        raise ImportFileError(t("import.temp_failed", error=exc)) from None


class SeenNumbers:
    """The ticket numbers accepted so far in this file (the duplicate check), kept in a
    private temporary SQLite database: on disk, deleted when closed, a page cache of a
    few MB, so memory does not grow with the file. One lookup per batch."""

    def __init__(self) -> None:
        with temporary_storage():
            self._db = sqlite3.connect("")  # "": a private temporary on-disk database
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE seen (ticket_no TEXT PRIMARY KEY) WITHOUT ROWID")

    def among(self, numbers: Sequence[str]) -> set[str]:
        """Those of `numbers` accepted earlier."""
        found: set[str] = set()
        with temporary_storage():
            for start in range(0, len(numbers), LOOKUP_CHUNK):
                part = numbers[start : start + LOOKUP_CHUNK]
                query = f"SELECT ticket_no FROM seen WHERE ticket_no IN ({', '.join('?' * len(part))})"
                found.update(number for (number,) in self._db.execute(query, part))
        return found

    def add(self, numbers: Iterable[str]) -> None:
        with temporary_storage():
            self._db.executemany("INSERT INTO seen VALUES (?)", ((number,) for number in numbers))

    def close(self) -> None:
        self._db.close()
