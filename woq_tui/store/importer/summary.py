"""What an import reports: the counts, every rejected row, the ignored columns, and the
JSON document of docs/import-format.md ("Summary"), written one reject at a time."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from woq_tui.domain.import_rows import Rejection
from woq_tui.store.importer.scratch import temporary_storage

# Rejections kept in memory; the rest are spilled to a temporary file
KEPT_REJECTS = 100
# What JSON leaves raw but a terminal obeys: DEL, the C1 controls (0x9b is CSI) and
# the bidi controls. Written as \u escapes, the document reads back the same.
_TERMINAL_CONTROLS = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(encoded: str) -> str:
    return _TERMINAL_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


class RejectLog:
    """Every rejected row of one import, in file order.

    The first KEPT_REJECTS stay in memory; the rest are written to an anonymous
    temporary file (one JSON array a line) and read back when the log is iterated, so a
    file whose every row is refused lists them all without holding them all.
    """

    def __init__(self, kept: int = KEPT_REJECTS) -> None:
        self._kept = kept
        self._head: list[Rejection] = []
        self._spill: IO[str] | None = None
        self._count = 0
        self._closed = False

    def append(self, rejection: Rejection) -> None:
        self._count += 1
        if len(self._head) < self._kept:
            self._head.append(rejection)
            return
        r = rejection
        with temporary_storage():
            if self._spill is None:
                self._spill = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
            self._spill.write(json.dumps([r.row, r.ticket_no, r.reason, r.message], ensure_ascii=False) + "\n")

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Rejection]:
        if self._closed and self._count > len(self._head):
            raise ValueError("the rejects past the first ones were dropped with the log")
        yield from self._head
        if self._spill is None:
            return
        spill = self._spill
        spill.flush()
        spill.seek(0)
        try:
            for line in spill:
                row, ticket_no, reason, message = json.loads(line)
                yield Rejection(row, ticket_no, reason, message)
        finally:
            spill.seek(0, 2)  # appending goes on at the end

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(islice(self, *index.indices(self._count)))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("reject index out of range")
        return next(islice(self, index, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, RejectLog)):
            return len(other) == self._count and list(self) == list(other)
        return NotImplemented

    def close(self) -> None:
        self._closed = True
        if self._spill is not None:
            self._spill.close()
            self._spill = None


@dataclass
class ImportSummary:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: RejectLog = field(default_factory=RejectLog)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Stations created, and stored ones renamed or moved to another area: extra keys
    # after the spec's in the JSON document
    stations_inserted: int = 0
    stations_updated: int = 0
    # Seconds spent building the figure indexes again, when the import dropped them
    # (not part of the JSON document)
    index_seconds: float | None = None

    def _counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    @staticmethod
    def _reject_json(r: Rejection) -> dict[str, Any]:
        return {"row": r.row, "ticket_no": r.ticket_no, "reason": r.reason, "message": r.message}

    def _extra(self) -> dict[str, int]:
        return {"stations_inserted": self.stations_inserted, "stations_updated": self.stations_updated}

    def as_json(self) -> dict[str, Any]:
        """The document of docs/import-format.md, the spec's keys exactly as it names
        them, then this project's extra ones (every reject in memory at once:
        write_json streams them instead)."""
        return {
            **self._counts(),
            "rejects": [self._reject_json(r) for r in self.rejects],
            "ignored_columns": list(self.ignored_columns),
            **self._extra(),
        }

    def write_json(self, stream: IO[str]) -> None:
        """as_json() as `json.dump(..., ensure_ascii=False, indent=2)` writes it, one
        reject at a time, with every control character escaped (C0 as JSON always
        does, DEL, C1 and bidi controls too): safe to print on a terminal."""
        stream.write("{\n")
        for key, value in self._counts().items():
            stream.write(f'  "{key}": {value},\n')
        stream.write('  "rejects": [')
        separator = "\n"
        encode = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder: no indent

        def quote(text: str) -> str:
            return _escaped(encode(text))

        for r in self.rejects:
            stream.write(
                f'{separator}    {{\n      "row": {r.row},\n      "ticket_no": {quote(r.ticket_no)},\n'
                f'      "reason": {quote(r.reason)},\n      "message": {quote(r.message)}\n    }}'
            )
            separator = ",\n"
        stream.write("\n  ],\n" if separator != "\n" else "],\n")
        ignored = _escaped(json.dumps(list(self.ignored_columns), ensure_ascii=False, indent=2))
        stream.write('  "ignored_columns": ' + ignored.replace("\n", "\n  "))
        for key, value in self._extra().items():
            stream.write(f',\n  "{key}": {value}')
        stream.write("\n}")

    def close(self) -> None:
        """Drop the temporary file of spilled rejects."""
        self.rejects.close()
