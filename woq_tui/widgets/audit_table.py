"""The flag list of screen 6: one row a flag (a ticket may carry several), its cursor
on a flag by key, so a refresh that adds or drops rows above it leaves it where it was.

A DataTable: a period's flags are hundreds, not the queue's hundred thousands, and it
gives sorting-free row keys and mouse handling; the columns are measured here in
terminal cells (CJK is two) and the evidence takes what the others leave.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from rich.cells import cell_len
from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from woq_tui.domain.enums import TicketType
from woq_tui.i18n import t
from woq_tui.reporting.audit_words import evidence_words, review_word, rule_name, severity_word
from woq_tui.values.audit import AuditFlag
from woq_tui.widgets.audit_rows import flag_key
from woq_tui.widgets.table_keys import DATA_TABLE_KEYS
from woq_tui.widgets.ticket_columns import ellipsize, short_station_name
from woq_tui.widgets.translated import TranslatedBindings

# At most this many rows are drawn; the bar says how many more the filter holds.
MAX_ROWS = 2000
COLUMNS = ("ticket_no", "created", "station", "type", "rule", "severity", "evidence", "review")
SEVERITY_STYLE = {"error": "bold red", "warn": "yellow", "info": ""}
REVIEW_STYLE = {"confirmed": "bold", "dismissed": "dim"}
# A table narrower than this (a 100-column terminal; the summary takes 35 of 140+)
# shows the station without its "供电所" and cuts the rule's name shorter.
NARROW_BELOW = 110


def _cell(text: str, width: int, style: str = "") -> Text:
    cell = Text(text, style=style, no_wrap=True)
    return ellipsize(cell, width) if cell_len(text) > width else cell


class AuditTable(TranslatedBindings, DataTable):
    BINDINGS = DATA_TABLE_KEYS

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.flags: tuple[AuditFlag, ...] = ()
        self.by_key: dict[str, AuditFlag] = {}
        self._drawn: tuple | None = None
        self._names: Mapping[str, str] = {}
        self._tz: tzinfo | None = None

    @property
    def cursor_flag(self) -> AuditFlag | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        return self.by_key.get(key or "")

    def on_resize(self) -> None:
        if self._tz is not None:
            self.show(self.flags, self._names, self._tz)

    def show(self, flags: tuple[AuditFlag, ...], station_names: Mapping[str, str], tz: tzinfo, top: bool = False) -> None:
        """Draw these flags (the first MAX_ROWS), the cursor on the flag it was on
        (or the row now at its place); `top`: a new order, shown from its top."""
        width = self.size.width
        drawn = (flags, width, dict(station_names))
        if drawn == self._drawn and not top:
            return
        self._drawn = drawn
        self.flags, self._names, self._tz = flags, station_names, tz
        self.by_key = {flag_key(flag): flag for flag in flags[:MAX_ROWS]}
        remembered = None if top else self.cursor_flag
        old_row, old_offset = self.cursor_row, self.cursor_row - round(self.scroll_y)
        widths = self._widths(flags[:MAX_ROWS], width, station_names)
        self.clear(columns=True)
        for column in COLUMNS:
            self.add_column(t(f"audit.list.col.{column}"), key=column, width=widths[column])
        narrow = width < NARROW_BELOW
        for flag in flags[:MAX_ROWS]:
            name = station_names.get(flag.station_code, flag.station_code)
            review = flag.review.verdict if flag.review else ""
            self.add_row(
                Text(flag.ticket_no, no_wrap=True),
                Text(flag.created_at.astimezone(tz).strftime("%m-%d %H:%M"), no_wrap=True),
                _cell(short_station_name(name) if narrow else name, widths["station"]),
                _cell(t(f"type.{flag.type}"), widths["type"]),
                _cell(rule_name(flag.rule), widths["rule"]),
                _cell(severity_word(flag.severity), widths["severity"], SEVERITY_STYLE.get(flag.severity, "")),
                _cell(evidence_words(flag, tz, station_names), widths["evidence"]),
                _cell(review_word(flag), widths["review"], REVIEW_STYLE.get(review, "")),
                key=flag_key(flag),
            )
        if not flags:
            return
        if remembered is not None and flag_key(remembered) in self.by_key:
            row = self.get_row_index(flag_key(remembered))
        else:
            row = 0 if top else min(old_row, self.row_count - 1)
        self.move_cursor(row=row, animate=False, scroll=False)
        self.scroll_to(y=max(0, row - old_offset) if not top else 0, animate=False, immediate=True)

    def _widths(self, flags: tuple[AuditFlag, ...], width: int, names: Mapping[str, str]) -> dict[str, int]:
        """Every column at its words' width, the evidence the rest (at least 12)."""
        narrow = width < NARROW_BELOW

        def widest(words, title: str, cap: int) -> int:
            return min(max([cell_len(t(f"audit.list.col.{title}"))] + [cell_len(word) for word in words]), cap)

        out = {
            "ticket_no": widest((flag.ticket_no for flag in flags), "ticket_no", 24),
            "created": widest(["11-23 14:05"], "created", 11),
            "station": widest(
                ((short_station_name(names.get(f.station_code, f.station_code)) if narrow else names.get(f.station_code, f.station_code))
                 for f in flags), "station", 8 if narrow else 16),
            "type": widest((t(f"type.{kind}") for kind in TicketType), "type", 8 if narrow else 12),
            "rule": widest((rule_name(flag.rule) for flag in flags), "rule", 10 if narrow else 18),
            "severity": widest((severity_word(s) for s in ("error", "warn", "info")), "severity", 7),
            "review": widest((t(f"audit.review.{v}") for v in ("open", "confirmed", "dismissed")), "review", 10),
        }
        # DataTable pads each cell by one on both sides; the scrollbar takes two.
        used = sum(out.values()) + 2 * len(COLUMNS) + 2
        out["evidence"] = max(12, width - used)
        return out
