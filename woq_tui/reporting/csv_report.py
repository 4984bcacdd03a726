"""`report --format csv`: one row a station, UTF-8 with a BOM so Excel reads the Chinese.

The header row is the spec's keys (station_code, station_name, area_type, then the
figures in metrics.md's order); numbers unrounded; an undefined figure is empty. Text
cells go through `spreadsheet_cell`, so a station name such as `=cmd|' /C calc'!A0`
is shown by Excel, never run (docs/decisions.md, "Files we write").
"""

from __future__ import annotations

import csv
import io

from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.domain.safe_text import spreadsheet_cell
from woq_tui.reporting.audit_figures import csv_cell

BOM = "\ufeff"
COLUMNS = ("station_code", "station_name", "area_type", *FIGURE_KEYS)


def write_rows(rows, stream, extras: tuple[str, ...] = ()) -> None:
    columns = (*COLUMNS, *extras)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(column) is None else spreadsheet_cell(csv_cell(row.get(column))) for column in columns])


def render_csv(report) -> str:
    stream = io.StringIO()
    stream.write(BOM)
    write_rows(report.stations, stream, report.station_extras)
    return stream.getvalue()
