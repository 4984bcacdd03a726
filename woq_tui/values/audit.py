"""The audit's values (docs/audit.md) as the store returns them and the
screens and reports draw them. Plain frozen values, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from woq_tui.domain.periods import Period


@dataclass(frozen=True)
class FlagReview:
    verdict: str  # confirmed | dismissed
    operator: str
    at: datetime
    note: str | None


@dataclass(frozen=True)
class AuditFlag:
    ticket_no: str
    rule: str
    severity: str
    # docs/audit.md / docs/audit.md keys; {} when the rule gives none
    evidence: Mapping[str, Any]
    review: FlagReview | None
    station_code: str
    type: str
    created_at: datetime
    summary: str | None


@dataclass(frozen=True)
class ModelInfo:
    trained_at: datetime
    accuracy: float


@dataclass(frozen=True)
class QualityFigures:
    """docs/audit.md, "Figures", of one set of tickets."""

    tickets: int
    flagged: int
    quality_pass_rate: float | None
    flags_by_rule: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditView:
    period: Period
    as_of: datetime
    # ordered by ticket_no then rule; dismissed ones left out
    flags: tuple[AuditFlag, ...]
    model: ModelInfo | None
    # rule ids not evaluated (no model, disabled)
    skipped: tuple[str, ...]
    station_names: Mapping[str, str]
