"""`report --format json`: docs/figures.md's document, keys exactly as named there."""

from __future__ import annotations

import json
import math
from typing import Any

from woq_tui.domain.figure_catalog import FIGURE_KEYS


def _number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# docs/audit.md's figures, present only under `report --with-audit` (reporting/audit_figures.py)
AUDIT_KEYS = ("flagged", "quality_pass_rate", "flags_by_rule")


def figures_only(values: dict[str, Any]) -> dict[str, Any]:
    figures = {key: _number(values.get(key)) for key in FIGURE_KEYS}
    figures.update({key: _number(values[key]) for key in AUDIT_KEYS if key in values})
    return figures


def report_document(report, tz) -> dict[str, Any]:
    return {
        "period": {
            "from": report.period.start.astimezone(tz).isoformat(),
            "to": report.period.end.astimezone(tz).isoformat(),
            "as_of": report.as_of.astimezone(tz).isoformat(),
            "timezone": str(tz),
        },
        "totals": figures_only(report.totals),
        "by_type": {code: figures_only(values) for code, values in report.by_type.items()},
        "by_area": {code: figures_only(values) for code, values in report.by_area.items()},
        "stations": [
            {
                "station_code": row["station_code"],
                "station_name": row["station_name"],
                "area_type": row["area_type"],
                **figures_only(row),
                **{key: _number(row.get(key)) for key in report.station_extras},
            }
            for row in report.stations
        ],
    }


def render_json(report, tz) -> str:
    return json.dumps(report_document(report, tz), ensure_ascii=False, indent=2) + "\n"
