"""`woq-console bulletin --format md`: the monthly bulletin as Markdown, in the console
language (the sections of reporting/bulletin_sections.py; the daily chart as a table)."""

from __future__ import annotations

from datetime import datetime

from woq_tui.domain.instants import local_minute
from woq_tui.i18n import t
from woq_tui.reporting import bulletin_sections as sections
from woq_tui.reporting.bulletin_sections import Table, texts


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> list[str]:
    kinds = [cell[1] for cell in table.rows[0]] if table.rows else []
    align = ["---" if index < table.labels or kinds[index:index + 1] == ["text"] else "---:" for index in range(len(table.heads))]
    lines = ["| " + " | ".join(_escape(head) for head in table.heads) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_escape(cell) for cell in row) + " |" for row in texts(table.rows)]
    return lines


def render_bulletin_md(bulletin, tz, generated: datetime | None = None) -> str:
    period, comparison = bulletin.period, bulletin.comparison
    previous = t("period.days", start=comparison.period.first_day.isoformat(), end=comparison.period.last_day.isoformat())
    lines = [f"# {sections.title(bulletin)}", ""]
    lines += [t("bulletin.period", start=period.first_day.isoformat(), end=period.last_day.isoformat(), previous=previous), ""]
    lines += [t("report.as_of", as_of=local_minute(bulletin.as_of, tz), tz=str(tz)), ""]
    lines += [f"## {t('bulletin.headline')}", ""] + _table(sections.headline(bulletin))
    lines += ["", f"## {t('bulletin.scorecard')}", ""]
    if bulletin.scorecard.ranked():
        lines += [f"### {t('bulletin.best')}", ""] + _table(sections.board(bulletin, True))
        lines += ["", f"### {t('bulletin.worst')}", ""] + _table(sections.board(bulletin, False))
    else:
        lines.append(t("bulletin.no_ranking"))
    lines += [""] + [f"> {note}" for note in sections.score_notes(bulletin)]
    lines += ["", f"## {t('backlog.title')}", "", t("backlog.as_of", at=local_minute(bulletin.backlog.as_of, tz)), ""]
    backlog = sections.backlog(bulletin)
    lines += _table(backlog) if backlog.rows else [t("backlog.none")]
    lines += ["", f"## {t('bulletin.by_area')}", ""] + _table(sections.by_area(bulletin))
    lines += ["", f"## {t('bulletin.audit')}", ""]
    flags = sections.audit_flags(bulletin)
    if flags is None:
        lines.append(t("bulletin.audit_unavailable"))
    else:
        lines += _table(flags) if flags.rows else [t("bulletin.audit_none")]
    lines += ["", f"## {t('bulletin.daily')}", ""] + _table(sections.daily(bulletin))
    lines += ["", t("bulletin.generated", at=local_minute(generated or bulletin.as_of, tz))]
    return "\n".join(lines) + "\n"
