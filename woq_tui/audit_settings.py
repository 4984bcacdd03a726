"""[audit] (docs/configuration.md, docs/audit.md) as plain values: the rules' thresholds and the rules
switched off. Checked by pydantic (config.py) without this module importing it; the
rule ids of `disabled` are checked by config.py against domain/audit_rules.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from annotated_types import Ge, Gt, Le, MinLen

from woq_tui.assessment_settings import EXACT, SECTION


@dataclass
class AuditSettings:
    __pydantic_config__ = SECTION
    # rule ids not evaluated (docs/audit.md's table)
    disabled: list[Annotated[str, MinLen(1), EXACT]] = field(default_factory=list)
    # missing_survey: closed at least this many days before as_of
    survey_days: Annotated[int, Ge(0), Le(365), EXACT] = 3
    # too_fast: a complaint resolved within this many minutes of its creation
    too_fast_minutes: Annotated[int, Ge(0), Le(10080), EXACT] = 10
    # repeat_call / repeat_fault: the window before a ticket, in days of 24 h
    repeat_days: Annotated[int, Ge(1), Le(365), EXACT] = 7
    # type_suspect: the classifier's probability at least this
    classify_threshold: Annotated[float, Gt(0), Le(1), EXACT] = 0.8
    # station_suspect: one other station holds at least this share ...
    # (above one half, so that it names one station: docs/audit.md)
    route_threshold: Annotated[float, Gt(0.5), Le(1), EXACT] = 0.8
    # ... of at least this many earlier tickets at the address
    route_min_history: Annotated[int, Ge(1), Le(10000), EXACT] = 5
