"""`woq-console bulletin --format html`: the monthly bulletin as one page a manager
mails (docs/assessment.md, "Monthly bulletin").

One self-contained file: inline CSS, the daily chart as inline SVG, no script, no
font, image or stylesheet fetched from anywhere. Chinese renders with the fonts a
reader's system has, named in order (Noto Sans CJK / Source Han Sans on Linux,
Microsoft YaHei on Windows, PingFang on macOS). Printable on A4: @page sets the paper
and margins, tables fit the printable width, and sections do not split their heads
from their tables.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from woq_tui.domain.instants import local_minute
from woq_tui.i18n import language, t
from woq_tui.reporting import bulletin_sections as sections
from woq_tui.reporting.bulletin_sections import Table, cell_text
from woq_tui.reporting.formatting import format_value
from woq_tui.values.assessment import Bulletin

FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", sans-serif'
CSS = f"""
@page {{ size: A4; margin: 14mm 12mm; }}
* {{ box-sizing: border-box; }}
body {{ font-family: {FONTS}; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 186mm;
       padding: 8mm 0; font-size: 10pt; line-height: 1.45; }}
h1 {{ font-size: 17pt; margin: 0 0 2mm; color: #1f4e79; }}
h2 {{ font-size: 12.5pt; margin: 7mm 0 2mm; border-bottom: 2px solid #1f4e79; padding-bottom: 1mm;
      break-after: avoid; page-break-after: avoid; }}
h3 {{ font-size: 11pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }}
p.meta {{ margin: .5mm 0; color: #444; }}
p.note {{ margin: 1mm 0; color: #555; font-size: 8.5pt; }}
.tiles {{ display: flex; gap: 3mm; margin: 3mm 0; }}
.tile {{ flex: 1; border: 1px solid #c8d3e0; border-radius: 2mm; padding: 2mm 3mm; }}
.tile .label {{ color: #555; font-size: 8.5pt; }}
.tile .value {{ font-size: 15pt; font-weight: 600; }}
.better {{ color: #1b6e2a; }} .worse {{ color: #b3261e; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8pt; margin-top: 1mm; }}
th, td {{ border: 1px solid #c8c8c8; padding: .6mm 1.2mm; vertical-align: top; }}
th {{ background: #1f4e79; color: #fff; font-weight: 600; text-align: center; white-space: nowrap; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
td.label {{ white-space: nowrap; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
tbody tr:nth-child(even) td {{ background: #f4f7fb; }}
table.best th {{ background: #b3261e; }} table.worst th {{ background: #333; }}
svg {{ display: block; max-width: 100%; height: auto; }}
svg text {{ font-family: {FONTS}; font-size: 10px; fill: #333; }}
footer {{ margin-top: 8mm; color: #777; font-size: 8pt; }}
@media print {{ body {{ padding: 0; max-width: none; }} }}
"""
TILE_FIGURES = ("tickets", "overdue_rate", "on_time_rate", "satisfaction_rate")


def _table(table: Table, css: str = "") -> str:
    head = "".join(f"<th>{escape(text)}</th>" for text in table.heads)
    body = []
    for row in table.rows:
        cells = []
        for index, cell in enumerate(row):
            text = escape(cell_text(cell))
            if index < table.labels:
                cells.append(f'<td class="label">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>" if cell[1] == "text" else f'<td class="n">{text}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    klass = f' class="{css}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _tiles(bulletin: Bulletin) -> str:
    from woq_tui.reporting.formatting import delta, format_delta, verdict

    tiles = []
    for key in TILE_FIGURES:
        now, before = bulletin.totals.get(key), bulletin.previous_totals.get(key)
        change = delta(key, now, before)
        direction = verdict(key, change) or ""
        tiles.append(
            f'<div class="tile"><div class="label">{escape(sections.figure_label(key))}</div>'
            f'<div class="value">{escape(format_value(key, now))}</div>'
            f'<div class="{direction}">{escape(format_delta(key, change))}</div>'
            f'<div class="label">{escape(t("bulletin.previous"))} {escape(format_value(key, before))}</div></div>'
        )
    return f'<div class="tiles">{"".join(tiles)}</div>'


def daily_chart(bulletin: Bulletin, width: int = 700, height: int = 210) -> str:
    """The month's daily overdue rate as bars (weekends lighter), the month's rate as a
    dashed line; inline SVG, its text in the page's fonts."""
    days = bulletin.period.days()
    rates = [bulletin.by_day.get(day, {}).get("overdue_rate") for day in days]
    top = max([rate for rate in rates if rate is not None] + [bulletin.totals.get("overdue_rate") or 0, 0.05])
    step = next(size for size in (0.05, 0.1, 0.2, 0.25, 0.5) if top / size <= 5)
    ceiling = step * -(-top // step)
    left, right, upper, lower = 42, 8, 24, 26
    plot_w, plot_h = width - left - right, height - upper - lower
    slot = plot_w / max(len(days), 1)
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f"<title>{escape(t('bulletin.daily'))}</title>"]  # fmt: skip
    ticks = round(ceiling / step)
    for index in range(ticks + 1):
        value = step * index
        y = upper + plot_h - value / ceiling * plot_h
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e2e2"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{value * 100:.0f}%</text>')
    for index, (day, rate) in enumerate(zip(days, rates)):
        x = left + index * slot
        if rate is not None:
            bar = rate / ceiling * plot_h
            colour = "#e8a29b" if day.weekday() >= 5 else "#c0392b"
            parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{upper + plot_h - bar:.1f}" width="{slot * 0.7:.1f}" '
                         f'height="{bar:.1f}" fill="{colour}"><title>{day.isoformat()} {rate * 100:.1f}%</title></rect>')  # fmt: skip
        if day.day == 1 or day.day % 5 == 0:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - 10}" text-anchor="middle">{day.day}</text>')
    month_rate = bulletin.totals.get("overdue_rate")
    if month_rate is not None:
        y = upper + plot_h - month_rate / ceiling * plot_h
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#1f4e79" stroke-dasharray="5 3"/>')
        # the legend above the plot, where no bar reaches
        label = t("bulletin.daily_mean", value=f"{month_rate * 100:.1f}%")
        parts.append(f'<line x1="{width - right - 150}" x2="{width - right - 126}" y1="9" y2="9" stroke="#1f4e79" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{width - right - 120}" y="13" style="fill:#1f4e79">{escape(label)}</text>')
    parts.append(f'<rect x="{left}" y="4" width="10" height="10" fill="#e8a29b"/>')
    parts.append(f'<text x="{left + 14}" y="13">{escape(t("bulletin.weekend"))}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{upper + plot_h}" y2="{upper + plot_h}" stroke="#888"/>')
    parts.append("</svg>")
    return "".join(parts)


def render_bulletin_html(bulletin: Bulletin, tz, generated: datetime | None = None) -> str:
    period, comparison = bulletin.period, bulletin.comparison
    title = sections.title(bulletin)
    previous = t("period.days", start=comparison.period.first_day.isoformat(), end=comparison.period.last_day.isoformat())
    meta = t("bulletin.period", start=period.first_day.isoformat(), end=period.last_day.isoformat(), previous=previous)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
        f'<p class="meta">{escape(t("report.as_of", as_of=local_minute(bulletin.as_of, tz), tz=str(tz)))}</p>',
        f"<h2>{escape(t('bulletin.headline'))}</h2>",
    ]
    if not bulletin.totals.get("tickets"):
        parts.append(f"<p>{escape(t('bulletin.no_tickets'))}</p>")
    parts += [_tiles(bulletin), _table(sections.headline(bulletin))]
    parts.append(f"<h2>{escape(t('bulletin.scorecard'))}</h2>")
    if bulletin.scorecard.ranked():
        parts += [f"<h3>{escape(t('bulletin.best'))}</h3>", _table(sections.board(bulletin, True), "best")]
        parts += [f"<h3>{escape(t('bulletin.worst'))}</h3>", _table(sections.board(bulletin, False), "worst")]
    else:
        parts.append(f"<p>{escape(t('bulletin.no_ranking'))}</p>")
    parts += [f'<p class="note">{escape(note)}</p>' for note in sections.score_notes(bulletin)]
    parts.append(f"<h2>{escape(t('backlog.title'))}</h2>")
    parts.append(f'<p class="meta">{escape(t("backlog.as_of", at=local_minute(bulletin.backlog.as_of, tz)))}</p>')
    backlog = sections.backlog(bulletin)
    parts.append(_table(backlog) if backlog.rows else f"<p>{escape(t('backlog.none'))}</p>")
    parts += [f"<h2>{escape(t('bulletin.by_area'))}</h2>", _table(sections.by_area(bulletin))]
    parts.append(f"<h2>{escape(t('bulletin.audit'))}</h2>")
    flags = sections.audit_flags(bulletin)
    if flags is None:
        parts.append(f"<p>{escape(t('bulletin.audit_unavailable'))}</p>")
    else:
        parts.append(_table(flags) if flags.rows else f"<p>{escape(t('bulletin.audit_none'))}</p>")
    parts += [f"<h2>{escape(t('bulletin.daily'))}</h2>", daily_chart(bulletin)]
    stamp = local_minute(generated or bulletin.as_of, tz)
    parts.append(f"<footer>{escape(t('bulletin.generated', at=stamp))}</footer></body></html>")
    return "\n".join(parts) + "\n"
