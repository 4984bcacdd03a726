"""The station screen's export (`e` on key 3): what the table shows, as CSV rows.

Stations in the table's order, then the area subtotals and the total. Each figure as
the screen shows it (`<figure>`: "18.9%", "45.2"), then its raw value
(`<figure>_value`, unrounded, so a spreadsheet can compute with it) and its change
against the comparison period (`<figure>_change`); the area type by its name and its
code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.reporting.formatting import delta, format_value, group_label
from woq_tui.values.figures import Figures, StationTable


def station_csv(data: StationTable, codes: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) for the stations `codes`, in that order."""
    header = ["station_code", "station_name", "area", "area_type"]
    for key in FIGURE_KEYS:
        header += [key, f"{key}_value", f"{key}_change"]

    def line(labels: Sequence[str], values: Figures, before: Figures | None) -> list[Any]:
        code, name, area = labels
        out: list[Any] = [code, name, group_label("area", area) if area else "", area]
        for key in FIGURE_KEYS:
            change = delta(key, values.get(key), (before or {}).get(key)) if before else None
            out += [format_value(key, values.get(key)), values.get(key), change]
        return out

    rows = []
    for code in codes:
        info = data.info.get(code)
        labels = (code, info.name, info.area_type) if info else (code, code, "")
        rows.append(line(labels, data.current[code], data.previous.get(code) if data.complete else None))
    for area, values in data.areas.items():
        rows.append(line(("", f"subtotal:{area}", area), values, data.previous_areas.get(area)))
    if data.current:
        rows.append(line(("", "total", ""), data.totals, data.previous_totals))
    return header, rows
