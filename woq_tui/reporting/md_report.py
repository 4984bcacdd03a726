"""`report --format md`: the report as Markdown tables, in the console language."""

from __future__ import annotations

from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.domain.instants import local_minute
from woq_tui.i18n import t
from woq_tui.reporting.formatting import figure_label, format_value, group_label


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _table(heads: list[str], rows: list[list[str]], labels: int = 1) -> list[str]:
    """A Markdown table; the first `labels` columns left-aligned, numbers right-aligned."""
    right = ["---" if index < labels else "---:" for index in range(len(heads))]
    lines = ["| " + " | ".join(_escape(head) for head in heads) + " |", "| " + " | ".join(right) + " |"]
    lines += ["| " + " | ".join(_escape(cell) for cell in row) + " |" for row in rows]
    return lines


def period_lines(report, tz) -> tuple[str, str]:
    from woq_tui.domain.periods import CALENDAR_KINDS, period_label

    start, end = local_minute(report.period.start, tz), local_minute(report.period.end, tz)
    as_of = local_minute(report.as_of, tz)
    period = t("report.period", start=start, end=end)
    if report.period.kind in CALENDAR_KINDS:  # `--period`: say which one ("2026年11月")
        period = f"{period_label(report.period)} · {period}"
    return period, t("report.as_of", as_of=as_of, tz=str(tz))


def render_md(report, tz) -> str:
    period, as_of = period_lines(report, tz)
    lines = [f"# {t('report.title')}", "", period, "", as_of, ""]
    lines += [f"## {t('report.totals')}", ""]
    lines += _table(
        [t("report.figure"), t("report.value")],
        [[figure_label(key), format_value(key, report.totals.get(key))] for key in FIGURE_KEYS],
    )
    heads = [figure_label(key) for key in FIGURE_KEYS]
    for title, kind, groups in (("report.by_type", "type", report.by_type), ("report.by_area", "area", report.by_area)):
        lines += ["", f"## {t(title)}", ""]
        if not groups:
            lines.append(t("report.empty"))
            continue
        rows = [[group_label(kind, code)] + [format_value(key, values.get(key)) for key in FIGURE_KEYS] for code, values in groups.items()]
        lines += _table([t(f"report.{kind}")] + heads, rows)
    lines += ["", f"## {t('report.stations')}", ""]
    if report.stations:
        from woq_tui.reporting.score_columns import extra_cell, extra_label

        extras = report.station_extras
        rows = [
            [row["station_code"], row["station_name"], group_label("area", row["area_type"])]
            + [format_value(key, row.get(key)) for key in FIGURE_KEYS]
            + [extra_cell(key, row.get(key)) for key in extras]
            for row in report.stations
        ]
        heads = heads + [extra_label(key) for key in extras]
        lines += _table([t("report.station_code"), t("report.station"), t("report.area")] + heads, rows, labels=3)
    else:
        lines.append(t("report.empty"))
    return "\n".join(lines) + "\n"
