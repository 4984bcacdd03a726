"""The console's settings as plain values (docs/configuration.md): dataclasses, no pydantic.

config.py reads the TOML file and has pydantic check it into these (the constraints
are the annotations below; what annotations cannot say, config.py checks after). Kept apart so that the console's own process can take
settings that its head start's child read and checked (commands/head_start.py)
without importing pydantic, ≈90 ms of its path to the first frame.
"""

from __future__ import annotations

import getpass
import locale
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from annotated_types import Ge, Gt, Le, MinLen

from woq_tui.assessment_settings import AssessmentSettings
from woq_tui.audit_settings import AuditSettings
from woq_tui.domain.enums import AreaType, TicketType
from woq_tui.domain.sla import DEFAULT_LIMITS, Limit, SlaPolicy, WorkCalendar

# How pydantic checks every section (pydantic reads this attribute of a dataclass):
# no key it does not know, and the defaults checked too.
STRICT = {"extra": "forbid", "validate_default": True}


class _Exact:
    """A field marked so takes only a value of its own TOML type: `"yes"` or `1` is not
    a boolean, `"5"` not a number (pydantic would convert them). pydantic calls this
    hook; this module never imports pydantic (see above)."""

    def __get_pydantic_core_schema__(self, source, handler):
        schema = handler(source)
        schema["strict"] = True
        return schema


EXACT = _Exact()
Flag = Annotated[bool, EXACT]


def _default_language() -> Literal["zh", "en"]:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith("zh") else "en"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in a container: any name will do
        return "operator"


@dataclass
class ConsoleSettings:
    __pydantic_config__ = STRICT
    language: Literal["zh", "en"] = field(default_factory=_default_language)
    # checked by config.parse_settings (a known IANA zone)
    timezone: str = "Asia/Shanghai"
    refresh_seconds: Annotated[int, Ge(1), Le(3600), EXACT] = 5
    operator: Annotated[str, MinLen(1), EXACT] = field(default_factory=_login_name)
    role: Literal["viewer", "dispatcher", "manager"] = "dispatcher"
    # checked by config.parse_settings against ui_names.THEME_NAMES
    theme: Annotated[str, EXACT] = "textual-dark"
    # Show customers' full phone numbers without asking (the default masks them).
    show_full_phone: Flag = False
    # A ticket urged within this many minutes is not urged again (0: no limit).
    urge_cooldown_minutes: Annotated[int, Ge(0), Le(1440), EXACT] = 30
    # Where `e` writes its exports (default: a woq-console folder in the user's documents).
    export_dir: Annotated[str, EXACT] | None = None


@dataclass
class DatabaseSettings:
    __pydantic_config__ = STRICT
    url: str | None = None
    # a read replica of `url` for the console's and reports' reads (docs/replica.md);
    # "" or unset: everything goes to `url`. Checked by config.read_url_problem.
    read_url: Annotated[str, EXACT] | None = None
    # how often a console that may write refreshes the station × day rollup on the
    # primary (rollup_upkeep.py, docs/speed.md "Who refreshes"); 0: never
    rollup_refresh_seconds: Annotated[int, Ge(0), Le(86400), EXACT] = 300


@dataclass
class DispatchSettings:
    __pydantic_config__ = STRICT
    # http(s)://host[:port][/path], checked by config.parse_settings; None: reassignment is off
    base_url: Annotated[str, EXACT] | None = None
    # the name of an environment variable (checked by config.parse_settings)
    token_env: Annotated[str, MinLen(1), EXACT] = "WOQ_DISPATCH_TOKEN"
    # one answer of the dispatch API
    timeout_seconds: Annotated[float, Gt(0), Le(300), EXACT] = 5
    # how long after the request transient failures are retried (docs/dispatch.md)
    retry_for_minutes: Annotated[int, Ge(1), Le(10080), EXACT] = 1440
    # the longest wait between two attempts (a server's Retry-After may ask for more)
    max_backoff_seconds: Annotated[float, Ge(1), Le(3600), EXACT] = 300
    # attempts one `reassign` command makes before it leaves the entry queued (exit 3)
    max_attempts: Annotated[int, Ge(1), Le(100), EXACT] = 3
    verify_tls: Flag = True


@dataclass
class LimitSettings:
    """An override of one default limit: what is None was not given (TOML has no null)."""

    __pydantic_config__ = STRICT
    respond_minutes: Annotated[int, Ge(1), EXACT] | None = None
    resolve_minutes: Annotated[int, Ge(1), EXACT] | None = None
    resolve_working_days: Annotated[int, Ge(1), EXACT] | None = None


@dataclass
class SlaSettings:
    __pydantic_config__ = STRICT
    at_risk_fraction: Annotated[float, Ge(0), Le(1), EXACT] = 0.25
    at_risk_minutes: Annotated[int, Ge(0), EXACT] = 30
    warn_minutes: Annotated[int, Ge(1), EXACT] = 60
    # [sla.limits.<type>.<area>]: overrides of the default limits of docs/sla.md
    limits: dict[TicketType, dict[AreaType, LimitSettings]] = field(default_factory=dict)
    # Local exceptions to the official calendar
    extra_holidays: list[date] = field(default_factory=list)
    extra_workdays: list[date] = field(default_factory=list)


@dataclass
class Settings:
    __pydantic_config__ = STRICT
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    dispatch: DispatchSettings = field(default_factory=DispatchSettings)
    sla: SlaSettings = field(default_factory=SlaSettings)
    assessment: AssessmentSettings = field(default_factory=AssessmentSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    # [keys] binding id = "key": remaps the console's bindable actions; the ids are
    # ui_names.BINDING_IDS (checked by config.parse_settings)
    keys: dict[str, Annotated[str, MinLen(1), EXACT]] = field(default_factory=dict)
    # where these settings came from (None: built-in defaults); not a key of the file
    source: Path | None = field(default=None, init=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.console.timezone)

    def sla_policy(self) -> SlaPolicy:
        limits = {kind: dict(by_area) for kind, by_area in DEFAULT_LIMITS.items()}
        for kind, by_area in self.sla.limits.items():
            for area, override in by_area.items():
                base = limits[kind][area]
                given = {key: value for key, value in vars(override).items() if value is not None}
                if "resolve_minutes" in given:
                    given.setdefault("resolve_working_days", None)
                if "resolve_working_days" in given:
                    given.setdefault("resolve_minutes", None)
                limits[kind][area] = Limit(**{**base.__dict__, **given})
        return SlaPolicy(
            limits=limits,
            calendar=WorkCalendar(frozenset(self.sla.extra_holidays), frozenset(self.sla.extra_workdays)),
            timezone=self.tz,
            at_risk_fraction=self.sla.at_risk_fraction,
            at_risk_minutes=self.sla.at_risk_minutes,
            warn_minutes=self.sla.warn_minutes,
        )
