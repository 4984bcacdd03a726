"""Every station's earlier callers, on disk (docs/demo.md, "A province", "Memory").

A caller calls again, 15 % of tickets, drawn uniformly from ALL the earlier callers of
its station, so that list cannot be bounded without changing the rows of a seed; as
packed ints in memory (places.py) it still grew by 8 bytes a caller, 6.5 a ticket, 64
MB at a province-year. Here each station keeps only its latest callers in memory (a
tail of at most CHUNK); a full tail is appended to one temporary file shared by all
stations, and an earlier caller picked is read back with os.pread: the page cache, not
the process, holds them, and the process's memory no longer grows with the callers.

The file is unnamed (tempfile.TemporaryFile: O_TMPFILE, else unlinked at once), so
nothing is left in the directory even if the process is killed; close() (`with
generator.callers:` in generate() and planted_defects()) gives its space back at once,
and the file object's finaliser does if a caller forgets. The address history's table
(address_history.py) lives in another such file of the store's, closed with it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from array import array
from typing import IO

CHUNK = 64  # callers a chunk: 512 bytes; at most 1.5 MB of tails at 3,000 stations
_ITEM = 8  # bytes a packed caller (array "Q")


class CallerStore:
    """The temporary file of all stations' flushed callers; `station()` gives one
    station's sequence. A context manager: the file is closed on leaving."""

    def __init__(self, chunk: int = CHUNK, directory: str | None = None) -> None:
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        self.chunk = chunk
        self.directory = directory
        self._file: IO[bytes] | None = None  # opened with the first full chunk
        self._size = 0
        self._others: list[IO[bytes]] = []  # temporary_file()'s, the callers' among them
        self.closed = False

    def temporary_file(self) -> IO[bytes]:
        """Another unnamed temporary file, closed with this store (the address history's:
        address_history.py)."""
        if self.closed:
            raise ValueError("the caller store is closed")
        self._others = [other for other in self._others if not other.closed]
        self._others.append(tempfile.TemporaryFile(dir=self.directory))
        return self._others[-1]

    def station(self) -> StationCallers:
        return StationCallers(self)

    @property
    def fd(self) -> int | None:
        """The file's descriptor once one chunk is written (tests check it is closed)."""
        return None if self._file is None else self._file.fileno()

    def _append(self, data: bytes) -> int:
        """Write a chunk at the end of the file; its offset."""
        if self.closed:
            raise ValueError("the caller store is closed")
        if self._file is None:
            self._file = self.temporary_file()  # closed in close(), with the others
        offset = self._size
        written = os.pwrite(self._file.fileno(), data, offset)
        if written != len(data):  # a short write: the disk is full
            raise OSError(f"wrote {written} of {len(data)} bytes of callers")
        self._size += written
        return offset

    def _read(self, offset: int) -> int:
        assert self._file is not None
        return int.from_bytes(os.pread(self._file.fileno(), _ITEM, offset), sys.byteorder)

    def close(self) -> None:
        self.closed = True
        for other in self._others:
            other.close()
        self._file = None

    def __enter__(self) -> CallerStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class StationCallers:
    """One station's callers in the order they first called: len(), [i] and append(),
    what places.StationPlaces did with its array('Q')."""

    __slots__ = ("_store", "_tail", "_chunks", "_flushed")

    def __init__(self, store: CallerStore) -> None:
        self._store = store
        self._tail = array("Q")  # the callers after the last full chunk
        self._chunks = array("Q")  # the file offset of each full chunk, in order
        self._flushed = 0

    def __len__(self) -> int:
        return self._flushed + len(self._tail)

    def __getitem__(self, index: int) -> int:
        """The index-th caller (0 ≤ index < len: names.pick's draw)."""
        flushed = self._flushed
        if index >= flushed:
            return self._tail[index - flushed]
        chunk, position = divmod(index, self._store.chunk)
        return self._store._read(self._chunks[chunk] + position * _ITEM)

    def append(self, packed: int) -> None:
        tail = self._tail
        tail.append(packed)
        if len(tail) == self._store.chunk:
            self._chunks.append(self._store._append(tail.tobytes()))
            self._flushed += len(tail)
            del tail[:]

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]
