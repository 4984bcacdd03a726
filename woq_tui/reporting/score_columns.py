"""`report --with-score`: each station's scorecard score and rank as two more columns
of the station table (docs/assessment.md: null under min_tickets), in every format."""

from __future__ import annotations

from typing import Any

from woq_tui.i18n import t

SCORE_COLUMNS = ("score", "rank")


def add_scores(report, engine, settings, audit_engine=None) -> None:
    """Put "score" and "rank" into each station row of a store.figures.Report, from the
    scorecard of the same period and instant (the audit's quality where plugged in,
    evaluated on `audit_engine` when given: store/assessment_hooks.py)."""
    from woq_tui.store.assessment_hooks import quality_source
    from woq_tui.store.scorecard import scorecard

    card = scorecard(engine, report.period, report.as_of, settings.assessment, quality_source(settings, audit_engine)).by_code()
    for row in report.stations:
        line = card.get(row["station_code"])
        row["score"] = line.score if line else None
        row["rank"] = line.rank if line else None
    report.station_extras = (*report.station_extras, *SCORE_COLUMNS)


def extra_label(key: str) -> str:
    from woq_tui.reporting.audit_figures import AUDIT_KEYS, audit_label

    return audit_label(key) if key in AUDIT_KEYS else t(f"score.{key}")


def extra_cell(key: str, value: Any) -> str:
    """A score with one decimal, a rank as a whole number, "—" when null; the audit's
    figures as reporting/audit_figures.py writes them."""
    from woq_tui.reporting.audit_figures import AUDIT_KEYS, audit_cell

    if key in AUDIT_KEYS:
        return audit_cell(key, value)
    if value is None:
        return t("none")
    return f"{value:.1f}" if key == "score" else str(value)
