"""`report --format csv`: one row a station, UTF-8 with a BOM so Excel reads the Chinese.

The header row is the spec's keys (station_code, station_name, area_type, then the
figures in docs/figures.md's order); numbers unrounded; an undefined figure is empty. Text
cells are neutralised by the one CSV writer, so a station name such as
`=cmd|' /C calc'!A0` is shown by Excel, never run (docs/decisions.md, "Files we write").
"""

from __future__ import annotations

from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.reporting.audit_figures import csv_cell
from woq_tui.reporting.csv_writer import csv_text

COLUMNS = ("station_code", "station_name", "area_type", *FIGURE_KEYS)


def render_csv(report) -> str:
    """Through the product's one CSV writer (reporting/csv_writer.py)."""
    columns = (*COLUMNS, *report.station_extras)
    return csv_text(columns, ([csv_cell(row.get(column)) for column in columns] for row in report.stations))
