"""`woq-console bulletin --format xlsx`: the monthly bulletin as a workbook a manager
sorts and charts in Excel or WPS (docs/assessment.md, "Monthly bulletin").

openpyxl's write-only mode (rows streamed, nothing kept per cell), one sheet per
section, the header row frozen, numbers as numbers with their formats (percentages as
0.0%, changes of a ratio signed), dates as dates, column widths from the widest text a
column holds (a Chinese character counts two), every text cell through
domain/safe_text.spreadsheet_cell.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from rich.cells import cell_len

from woq_tui.domain.instants import local_minute
from woq_tui.domain.safe_text import spreadsheet_cell
from woq_tui.i18n import t
from woq_tui.reporting import bulletin_sections as sections
from woq_tui.reporting.bulletin_sections import FORMATS, Table

HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
MAX_WIDTH = 60


def _width(text: str) -> float:
    return cell_len(text) + 2


def _sheet(book: Workbook, name: str, table: Table, notes: Sequence[str] = ()) -> None:
    sheet = book.create_sheet(name[:31])
    texts = [table.heads] + sections.texts(table.rows)
    for index in range(len(table.heads)):
        widest = max(_width(row[index]) for row in texts)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(MAX_WIDTH, max(8, widest))
    sheet.freeze_panes = "A2"
    head = []
    for text in table.heads:
        cell = WriteOnlyCell(sheet, value=spreadsheet_cell(text))
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.append(cell)
    sheet.append(head)
    for row in table.rows:
        sheet.append([_cell(sheet, value, kind) for value, kind in row])
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([spreadsheet_cell(note)])


def _cell(sheet, value, kind: str) -> WriteOnlyCell:
    if kind == "text" or value is None:
        return WriteOnlyCell(sheet, value=spreadsheet_cell(value) if value not in (None, "") else None)
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = FORMATS[kind]
    return cell


def render_bulletin_xlsx(bulletin, tz, generated: datetime | None = None) -> bytes:
    book = Workbook(write_only=True)
    book.properties.title = sections.title(bulletin)
    book.properties.creator = "woq-console"
    period, comparison = bulletin.period, bulletin.comparison
    previous = t("period.days", start=comparison.period.first_day.isoformat(), end=comparison.period.last_day.isoformat())
    about = [
        sections.title(bulletin),
        t("bulletin.period", start=period.first_day.isoformat(), end=period.last_day.isoformat(), previous=previous),
        t("report.as_of", as_of=local_minute(bulletin.as_of, tz), tz=str(tz)),
        t("bulletin.generated", at=local_minute(generated or bulletin.as_of, tz)),
    ]
    _sheet(book, t("bulletin.sheet.headline"), sections.headline(bulletin), about)
    _sheet(book, t("bulletin.sheet.scorecard"), sections.ranking(bulletin), sections.score_notes(bulletin))
    backlog_notes = [t("backlog.as_of", at=local_minute(bulletin.backlog.as_of, tz))]
    if not bulletin.backlog.entries:
        backlog_notes.append(t("backlog.none"))
    _sheet(book, t("bulletin.sheet.backlog"), sections.backlog(bulletin, limit=None), backlog_notes)
    _sheet(book, t("bulletin.sheet.areas"), sections.by_area(bulletin))
    flags = sections.audit_flags(bulletin)
    if flags is None:
        _sheet(book, t("bulletin.sheet.audit"), sections.Table([t("bulletin.audit")], [[(t("bulletin.audit_unavailable"), "text")]]))
    else:
        _sheet(book, t("bulletin.sheet.audit"), flags, [] if flags.rows else [t("bulletin.audit_none")])
    _sheet(book, t("bulletin.sheet.daily"), sections.daily(bulletin))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
