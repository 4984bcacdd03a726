"""`report --format html`: one self-contained page a duty manager can mail.

Inline CSS, no scripts, no fonts or images from elsewhere; each figure cell carries a
small inline SVG bar (ratios against 100%, other figures against the column's largest
value), so the page reads at a glance and prints.
"""

from __future__ import annotations

from html import escape

from woq_tui.domain.figure_catalog import FIGURE_BY_KEY, FIGURE_KEYS
from woq_tui.i18n import language, t
from woq_tui.reporting.formatting import figure_label, format_value, group_label
from woq_tui.reporting.md_report import period_lines

CSS = """
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
       margin: 2rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 2px solid #1f4e79; padding-bottom: .2rem; }
p.meta { margin: .1rem 0; color: #444; }
table { border-collapse: collapse; font-size: .85rem; margin-top: .5rem; }
th, td { border: 1px solid #c8c8c8; padding: .25rem .45rem; white-space: nowrap; }
th { background: #1f4e79; color: #fff; font-weight: 600; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n svg { display: block; margin-top: 2px; }
tr:nth-child(even) td { background: #f4f7fb; }
footer { margin-top: 2rem; color: #777; font-size: .8rem; }
"""
BAR_WIDTH = 56


def _bar(key: str, value, top: float) -> str:
    if value is None:
        return ""
    scale = 1.0 if FIGURE_BY_KEY[key].unit == "ratio" else top
    fraction = 0.0 if not scale else max(0.0, min(1.0, float(value) / scale))
    colour = "#c0392b" if FIGURE_BY_KEY[key].better == "lower" else "#2e7d32"
    if FIGURE_BY_KEY[key].better is None:
        colour = "#1f4e79"
    width = round(fraction * BAR_WIDTH, 1)
    return (
        f'<svg width="{BAR_WIDTH}" height="5" role="img" aria-hidden="true">'
        f'<rect width="{BAR_WIDTH}" height="5" fill="#e6e6e6"/>'
        f'<rect width="{width}" height="5" fill="{colour}"/></svg>'
    )


def _table(label_heads: list[str], rows: list[tuple[list[str], dict]], extras: tuple[str, ...] = ()) -> str:
    from woq_tui.reporting.score_columns import extra_cell, extra_label

    tops = {
        key: max((float(values[key]) for _, values in rows if values.get(key) is not None), default=0.0)
        for key in FIGURE_KEYS
    }
    heads = label_heads + [figure_label(key) for key in FIGURE_KEYS] + [extra_label(key) for key in extras]
    head = "".join(f"<th>{escape(text)}</th>" for text in heads)
    body = []
    for labels, values in rows:
        cells = "".join(f"<td>{escape(text)}</td>" for text in labels)
        cells += "".join(
            f'<td class="n">{escape(format_value(key, values.get(key)))}{_bar(key, values.get(key), tops[key])}</td>'
            for key in FIGURE_KEYS
        )
        cells += "".join(f'<td class="n">{escape(extra_cell(key, values.get(key)))}</td>' for key in extras)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(report, tz) -> str:
    period, as_of = period_lines(report, tz)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(t('report.title'))}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(t('report.title'))}</h1>",
        f'<p class="meta">{escape(period)}</p><p class="meta">{escape(as_of)}</p>',
        f"<h2>{escape(t('report.totals'))}</h2>",
        _table([], [([], report.totals)]),
    ]
    for title, kind, groups in (("report.by_type", "type", report.by_type), ("report.by_area", "area", report.by_area)):
        parts.append(f"<h2>{escape(t(title))}</h2>")
        if groups:
            parts.append(_table([t(f"report.{kind}")], [([group_label(kind, code)], values) for code, values in groups.items()]))
        else:
            parts.append(f"<p>{escape(t('report.empty'))}</p>")
    parts.append(f"<h2>{escape(t('report.stations'))}</h2>")
    if report.stations:
        rows = [([row["station_code"], row["station_name"], group_label("area", row["area_type"])], row) for row in report.stations]
        parts.append(_table([t("report.station_code"), t("report.station"), t("report.area")], rows, report.station_extras))
    else:
        parts.append(f"<p>{escape(t('report.empty'))}</p>")
    parts.append(f"<footer>{escape(t('report.generated'))}</footer></body></html>")
    return "\n".join(parts) + "\n"
