"""Where the ticket quality audit (docs/audit.md) plugs into the assessment
(docs/assessment.md, "Where the audit plugs in").

The scorecard's quality component is the audit's quality_pass_rate per station, and the
bulletin has a section of the audit's flags by rule. Both come from a function the
caller passes in; these two say which function the commands use: the audit's figures
(docs/audit.md, "Figures"; store/audit/figures.py), with the stored model for type_suspect.
A caller given None (a test, a site without the audit) renormalises the scorecard over
its other components and says the bulletin's section is not available.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from woq_tui.domain.periods import Period
    from woq_tui.settings import Settings
    from woq_tui.values.audit import QualityFigures

# (engine, period, as_of) -> station code -> quality_pass_rate of the station's tickets
# created in the period, judged at as_of (None where the station has none).
QualitySource = Callable[["Engine", "Period", datetime], Mapping[str, "float | None"]]
# (engine, period, as_of) -> rule id -> tickets of the period with that flag, not dismissed
# (docs/audit.md, flags_by_rule of all the period's tickets).
AuditFlagsSource = Callable[["Engine", "Period", datetime], Mapping[str, int]]


def quality_source(settings: Settings, audit_engine: Engine | None = None) -> QualitySource | None:
    """The audit's quality_pass_rate by station (store/audit/figures.py), evaluated on
    `audit_engine` when given, else on the engine the caller passes. The primary, when
    the figures come from a read replica: the audit's type_suspect rule writes a
    temporary table, which a hot standby refuses (docs/replica.md)."""

    def quality(engine: Engine, period: Period, as_of: datetime) -> Mapping[str, float | None]:
        from woq_tui.store.audit import quality_report

        return pass_rates(quality_report(audit_engine or engine, period, as_of, settings).by_station)

    return quality


def pass_rates(by_station: Mapping[str, QualityFigures]) -> dict[str, float | None]:
    """Each station's quality_pass_rate, from the audit's figures by station."""
    return {code: figures.quality_pass_rate for code, figures in by_station.items()}


def audit_flags_source(settings: Settings, audit_engine: Engine | None = None) -> AuditFlagsSource | None:
    """The audit's flags by rule of all the period's tickets (store/audit/figures.py),
    on `audit_engine` when given (as quality_source)."""

    def flags(engine: Engine, period: Period, as_of: datetime) -> Mapping[str, int]:
        from woq_tui.store.audit import quality_report

        return dict(quality_report(audit_engine or engine, period, as_of, settings).totals.flags_by_rule)

    return flags
