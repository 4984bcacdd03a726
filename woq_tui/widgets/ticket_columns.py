"""The columns of the ticket lists: what each shows for a QueueRow, how wide it may be,
and when it gives way on a narrow terminal (widgets/ticket_table.py lays them out)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from woq_tui.domain.enums import OPEN_STATUSES, SlaState, TicketType
from woq_tui.domain.sla import SlaPolicy
from woq_tui.i18n import t
from woq_tui.values.queue import QueueRow
from woq_tui.widgets import symbols
from woq_tui.widgets.sla_cell import age_text, time_left_text


@dataclass(frozen=True)
class CellContext:
    now: datetime
    policy: SlaPolicy
    state: SlaState
    styles: dict[SlaState, Style]
    # the state of the ticket's latest reassignment, when its row shows one
    outbox: str | None = None
    # the ticket has a quality flag that is not dismissed (docs/audit.md)
    flagged: bool = False


@dataclass(frozen=True)
class Column:
    id: str
    title_key: str
    # cells; 0: takes the width left over (at least min_width)
    width: int
    render: Callable[[QueueRow, CellContext], Text | str]
    min_width: int = 8
    # hidden when the table is narrower than this
    hide_below: int = 0
    # the width is the widest of these message keys' words (type and status names)
    fit_words: tuple[str, ...] = ()
    max_width: int = 0
    # shown only while some row held has something to say in it
    optional: bool = False
    # (table width, cells): below that table width the column takes fewer cells
    narrow: tuple[int, int] | None = None
    # a shorter form of a value that does not fit (before the ellipsis is tried)
    shorten: Callable[[str], str] | None = None
    # the width is the widest of these words (when fit_words do not say)
    fit: Callable[[], list[str]] | None = None


# Every station's name ends so; where the name does not fit, it goes first.
STATION_SUFFIX = "供电所"


def short_station_name(name: str) -> str:
    return name.removesuffix(STATION_SUFFIX) if len(name) > len(STATION_SUFFIX) else name


def ellipsize(cell: Text, width: int) -> Text:
    """The cell cut to `width` cells ending in "…", the ellipsis right after the last
    character that fits (Rich's own puts a space before it when a wide character
    would straddle the cut)."""
    taken = end = 0
    for index, character in enumerate(cell.plain):
        taken += cell_len(character)
        if taken > width - 1:
            break
        end = index + 1
    cut = cell[:end]
    cut.append("…")
    return cut


def _flag_words() -> list[str]:
    """The widest the flags get: all three, dispatched 9 times."""
    return [t("col.flags"), t("flag.escalated") + t("flag.repeat", n=9) + t("flag.reopened")]


def _flags(row: QueueRow, _ctx: CellContext) -> Text:
    text = Text()
    if row.escalated:
        text.append(t("flag.escalated"), style="bold magenta")
    if row.dispatch_count >= 2:
        text.append(t("flag.repeat", n=row.dispatch_count), style="bold cyan")
    if row.reopen_count:
        text.append(t("flag.reopened"), style="bold cyan")
    return text


# A reassignment's state on its row: a word after the ⇄, so it reads without colour.
OUTBOX_STYLE = {
    "pending": "bold yellow",
    "confirmed": "green",
    "conflict": "bold magenta",
    "refused": "bold red",
    "failed": "bold red",
}


def _outbox(_row: QueueRow, ctx: CellContext) -> Text:
    if ctx.outbox is None:
        return Text()
    return Text(t("row.outbox." + ctx.outbox), style=OUTBOX_STYLE.get(ctx.outbox, "bold"))


def _audit(_row: QueueRow, ctx: CellContext) -> Text:
    return Text(symbols.FLAGGED, style="bold magenta") if ctx.flagged else Text()


def _time_left(row: QueueRow, ctx: CellContext) -> Text:
    return time_left_text(ctx.state, row.due_at, ctx.now, ctx.styles[ctx.state])


COLUMNS = {
    "ticket_no": Column("ticket_no", "col.ticket_no", 16, lambda r, c: r.ticket_no),
    "type": Column(
        "type", "col.type", 8, lambda r, c: t("type." + r.type),
        fit_words=tuple("type." + kind for kind in TicketType), max_width=10,
    ),
    "station": Column(
        "station", "col.station", 14, lambda r, c: r.station_name, narrow=(120, 10), shorten=short_station_name
    ),
    # Below 90 cells (the overdue lists beside their per-station counts on a 100-column
    # terminal) the summary says more than the status, which the detail shows.
    "status": Column(
        "status", "col.status", 6, lambda r, c: t("status." + r.status),
        fit_words=tuple("status." + status for status in OPEN_STATUSES), max_width=11, hide_below=90,
    ),
    "age": Column("age", "col.age", 8, lambda r, c: age_text(r.created_at, c.now), hide_below=118),
    # "✖ -99天23时" (11 cells) is the widest: from 100 days on the hours are left out
    "time_left": Column("time_left", "col.time_left", 11, _time_left),
    "flags": Column("flags", "col.flags", 7, _flags, fit=_flag_words, max_width=7),
    # the audit's marker: its title is the symbol itself (the help's legend names it)
    "audit": Column("audit", "col.audit", 1, _audit, min_width=1),
    "outbox": Column(
        "outbox", "col.outbox", 8, _outbox,
        fit_words=tuple("row.outbox." + state for state in OUTBOX_STYLE), max_width=10, optional=True,
    ),
    "summary": Column("summary", "col.summary", 0, lambda r, c: r.summary),
}
QUEUE_COLUMNS = ("ticket_no", "type", "station", "status", "age", "time_left", "flags", "audit", "outbox", "summary")


def export_cells(
    columns: tuple[Column, ...],
    rows: Iterable[QueueRow],
    policy: SlaPolicy,
    now: datetime,
    outbox: dict[str, str],
    tz: tzinfo,
    flagged: frozenset[str] = frozenset(),
) -> tuple[list[str], list[list[str]]]:
    """The rows as a list shows them, as plain cells, plus the due time in the
    configured zone and the SLA state as a code (the CSV export): header and rows."""
    plain = {state: Style() for state in SlaState}
    header = [t(column.title_key) for column in columns] + ["due_at", "sla_state"]
    out = []
    for row in rows:
        state = policy.state(row.created_at, row.due_at, now)
        context = CellContext(now, policy, state, plain, outbox.get(row.ticket_no), row.ticket_no in flagged)
        cells = [column.render(row, context) for column in columns]
        out.append(
            [cell.plain if isinstance(cell, Text) else str(cell or "") for cell in cells]
            + [row.due_at.astimezone(tz).isoformat() if row.due_at else "", state.value]
        )
    return header, out
