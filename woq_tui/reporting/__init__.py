"""Renderers of the station report (metrics.md): json, csv, md and html.

They take a store.figures.Report and return text; no database, no UI. The screens use
`formatting` too, so a figure reads the same everywhere.
"""

from __future__ import annotations

from woq_tui.reporting.formatting import FORMATS, render

__all__ = ["FORMATS", "render"]
