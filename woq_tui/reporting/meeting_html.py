"""The weekly meeting as one page a duty manager mails after the meeting (`e` on
screen 4; docs/figures.md, "The weekly meeting"): what the screen shows, not the
generic station report.

The same sections as the screen, in its order: the headline figures against the period
before, the stations that got worse and those that improved, the type mix, overdue and
escalations per day (or week, or month), the black list. Self-contained like the
bulletin (reporting/bulletin_html.py, whose page style it shares): inline CSS and SVG,
no script, nothing fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from woq_tui.domain.instants import local_minute
from woq_tui.domain.periods import period_label
from woq_tui.i18n import language, t
from woq_tui.reporting.bulletin_html import CSS
from woq_tui.reporting.formatting import delta, format_delta, format_value, group_label, verdict
from woq_tui.reporting.meeting import MOVER_FIGURE, Mover, backlog_reasons, chart_bars, chart_heading, movers, type_mix
from woq_tui.values.assessment import BacklogList
from woq_tui.values.figures import MeetingWeek

# The screen's tiles (screens/meeting.py), the audit's quality pass rate last when the week has it.
HEADLINES = (
    "tickets", "overdue_rate", "on_time_rate", "avg_first_response_min", "p90_handling_h", "satisfaction_rate",
    "quality_pass_rate",
)  # fmt: skip
OVERDUE, ESCALATED = "#c0392b", "#1f4e79"
MEETING_CSS = """
.tiles { flex-wrap: wrap; } .tile { min-width: 27mm; }
.pair { display: flex; gap: 4mm; } .pair > div { flex: 1; min-width: 0; }
.bar { display: inline-block; height: 9px; background: #1f4e79; vertical-align: middle; }
"""


def _rows_table(heads: Iterable[str], rows: Iterable[Iterable[tuple[str, str]]]) -> str:
    """A table of (text, css class) cells; the class "n" right-aligns a number."""
    head = "".join(f"<th>{escape(text)}</th>" for text in heads)
    body = "".join(
        "<tr>" + "".join(f'<td class="{css}">{text}</td>' for text, css in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tiles(week: MeetingWeek) -> str:
    previous = t(f"meeting.previous.{week.period.kind if week.period.kind in ('week', 'month', 'quarter', 'year') else 'period'}")
    tiles = []
    for key in HEADLINES:
        if key not in week.totals:
            continue  # read without the audit (render_meeting_html called on store.meeting_week alone)
        now, before = week.totals.get(key), week.previous_totals.get(key)
        change = delta(key, now, before)
        tiles.append(
            f'<div class="tile"><div class="label">{escape(t(f"figure.tile.{key}"))}</div>'
            f'<div class="value">{escape(format_value(key, now))}</div>'
            f'<div class="{verdict(key, change) or ""}">{escape(format_delta(key, change))}</div>'
            f'<div class="label">{escape(t("meeting.vs_last", previous=previous, value=format_value(key, before)))}</div></div>'
        )
    return f'<div class="tiles">{"".join(tiles)}</div>'


def _movers(heading: str, items: list[Mover], css: str) -> str:
    if not items:
        return f"<div><h3>{escape(heading)}</h3><p>{escape(t('meeting.nobody'))}</p></div>"
    rows = [
        [(escape(item.code), "label"), (escape(item.name), "label"),
         (escape(format_value(MOVER_FIGURE, item.now)), "n"),
         (f'<span class="{css}">{escape(format_delta(MOVER_FIGURE, item.change))}</span>', "n")]
        for item in items
    ]  # fmt: skip
    heads = (t("report.station_code"), t("report.station"), t("figure.overdue_rate"), t("meeting.html.change"))
    return f"<div><h3>{escape(heading)}</h3>{_rows_table(heads, rows)}</div>"


def _types(week: MeetingWeek) -> str:
    mix = type_mix(week)
    if not mix:
        return f"<p>{escape(t('stations.none'))}</p>"
    top = mix[0][1]
    rows = [
        [(escape(group_label("type", kind)), "label"), (f"{count:,}", "n"), (f"{share * 100:.1f}%", "n"),
         (f'<span class="bar" style="width:{count / top * 60:.1f}mm"></span>', "label")]
        for kind, count, share in mix
    ]  # fmt: skip
    return _rows_table((t("report.type"), t("figure.tickets"), t("meeting.html.share"), ""), rows)


def bars_chart(bars: list[tuple[str, int, int]], width: int = 700, height: int = 220) -> str:
    """Overdue and escalated side by side a bar, as inline SVG in the page's fonts."""
    left, right, upper, lower = 40, 8, 26, 30
    plot_w, plot_h = width - left - right, height - upper - lower
    top = max([max(overdue, escalated) for _, overdue, escalated in bars] + [1])
    step = next(size for size in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10**4, 10**5, 10**6) if top / size <= 5)
    ceiling = step * -(-top // step)
    slot = plot_w / max(len(bars), 1)
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for index in range(round(ceiling / step) + 1):
        y = upper + plot_h - step * index / ceiling * plot_h
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e2e2"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{step * index:,}</text>')
    every = max(1, round(len(bars) / 12))  # at most about a dozen labels under the axis
    for index, (label, overdue, escalated) in enumerate(bars):
        x = left + index * slot
        for offset, value, colour, what in ((0.12, overdue, OVERDUE, "meeting.overdue"), (0.5, escalated, ESCALATED, "meeting.escalated")):
            bar = value / ceiling * plot_h
            parts.append(f'<rect x="{x + slot * offset:.1f}" y="{upper + plot_h - bar:.1f}" width="{slot * 0.38:.1f}" '
                         f'height="{bar:.1f}" fill="{colour}"><title>{escape(label)} {escape(t(what))} {value}</title></rect>')  # fmt: skip
        if index % every == 0:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - 12}" text-anchor="middle">{escape(label)}</text>')
    for position, (colour, what) in enumerate(((OVERDUE, "meeting.overdue"), (ESCALATED, "meeting.escalated"))):
        x = left + position * 90
        parts.append(f'<rect x="{x}" y="5" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="14">{escape(t(what))}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{upper + plot_h}" y2="{upper + plot_h}" stroke="#888"/>')
    parts.append("</svg>")
    return "".join(parts)


def _backlog(backlog: BacklogList | None, tz) -> str:
    if backlog is None:
        return f"<p>{escape(t('meeting.html.no_backlog'))}</p>"
    out = f'<p class="meta">{escape(t("backlog.as_of", at=local_minute(backlog.as_of, tz)))}</p>'
    if not backlog.entries:
        return out + f"<p>{escape(t('backlog.none'))}</p>"
    rows = []
    for entry in backlog.entries:
        why = backlog_reasons(entry, backlog)
        rows.append([(escape(entry.code), "label"), (escape(entry.station.name), "label"), (escape(why), "")])
    return out + _rows_table((t("report.station_code"), t("report.station"), t("backlog.why")), rows)


def render_meeting_html(week: MeetingWeek, backlog: BacklogList | None, tz, generated: datetime | None = None) -> str:
    title = t("meeting.html.title", period=period_label(week.period))
    comparison = week.comparison
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}{MEETING_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if comparison is not None:
        before = period_label(comparison.period)
        parts.append(f'<p class="meta">{escape(t("meeting.html.compared", previous=before))}</p>')
    parts.append(f'<p class="meta">{escape(t("report.as_of", as_of=local_minute(week.as_of, tz), tz=str(tz)))}</p>')
    parts += [f"<h2>{escape(t('meeting.html.headline'))}</h2>", _tiles(week)]
    worse, improved = movers(week)
    parts.append(f"<h2>{escape(t('meeting.html.movers'))}</h2>")
    parts.append(f'<div class="pair">{_movers(t("meeting.worse"), worse, "worse")}{_movers(t("meeting.improved"), improved, "better")}</div>')
    parts += [f"<h2>{escape(t('meeting.type_mix'))}</h2>", _types(week)]
    parts += [f"<h2>{escape(chart_heading(week))}</h2>", bars_chart(chart_bars(week))]
    parts += [f"<h2>{escape(t('backlog.heading'))}</h2>", _backlog(backlog, tz)]
    stamp = local_minute(generated or week.as_of, tz)
    parts.append(f"<footer>{escape(t('bulletin.generated', at=stamp))}</footer></body></html>")
    return "\n".join(parts) + "\n"
