"""Renderers of the station report (docs/figures.md): json, csv, md and html.

They take a store.figures.Report and return text; no database, no UI. The screens use
`formatting` too, so a figure reads the same everywhere.
"""

from __future__ import annotations

FORMATS = ("json", "csv", "md", "html")


def render(report, fmt: str, tz) -> str:
    if fmt == "json":
        from woq_tui.reporting.json_report import render_json

        return render_json(report, tz)
    if fmt == "csv":
        from woq_tui.reporting.csv_report import render_csv

        return render_csv(report)
    if fmt == "md":
        from woq_tui.reporting.md_report import render_md

        return render_md(report, tz)
    if fmt == "html":
        from woq_tui.reporting.html_report import render_html

        return render_html(report, tz)
    raise ValueError(f"unknown report format {fmt!r}")
