"""[assessment] and [assessment.weights] (docs/configuration.md, docs/assessment.md) as plain values.

Apart from settings.py so that the assessment's keys sit together; like every section
they are checked by pydantic (config.py) without this module importing it. Types are
exact: `min_tickets = "20"`, `min_tickets = 20.5` or `on_time = true` stop the program
with one line naming the key, rather than being converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from annotated_types import Ge, Gt, Le

# pydantic reads this attribute of a dataclass: no unknown key, defaults checked too.
SECTION = {"extra": "forbid", "validate_default": True}


class _Exact:
    """Marks a field that takes only a value of its own TOML type (an integer for an
    int, a number for a float; never a string or a boolean). pydantic calls this hook."""

    def __get_pydantic_core_schema__(self, source, handler):
        schema = handler(source)
        schema["strict"] = True
        return schema


EXACT = _Exact()
Weight = Annotated[float, Ge(0), Le(1000), EXACT]


@dataclass
class AssessmentWeights:
    """The scorecard's weight of each component; 0 leaves it out of the score."""

    __pydantic_config__ = SECTION
    on_time: Weight = 40
    one_time: Weight = 20
    satisfaction: Weight = 20
    quality: Weight = 20
    escalation: Weight = 0


@dataclass
class AssessmentSettings:
    __pydantic_config__ = SECTION
    # a station is scored (and counted among the worst) with at least this many tickets
    min_tickets: Annotated[int, Ge(1), EXACT] = 20
    # the black list: this many open tickets older than backlog_days ...
    backlog_count: Annotated[int, Ge(1), EXACT] = 5
    backlog_days: Annotated[int, Ge(1), Le(365), EXACT] = 7
    # ... or among the worst worst_fraction of stations in each of the last worst_periods weeks
    worst_fraction: Annotated[float, Gt(0), Le(1), EXACT] = 0.1
    worst_periods: Annotated[int, Ge(1), Le(52), EXACT] = 3
    # the pilot evaluation's windows before and after the start, in weeks
    weeks: Annotated[int, Ge(1), Le(52), EXACT] = 8
    # resamples of the pilot's bootstrap interval
    bootstrap: Annotated[int, Ge(100), Le(100_000), EXACT] = 2000
    weights: AssessmentWeights = field(default_factory=AssessmentWeights)
