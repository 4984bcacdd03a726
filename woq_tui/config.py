"""Settings: a TOML file validated into typed values (config.md).

Errors name the file, the key and what is wrong, in one line, so the command line can
print them and exit 2. Resolution order for the file: --config > WOQ_CONFIG >
config.toml in the user config directory > built-in defaults.
"""

from __future__ import annotations

import getpass
import locale
import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from woq_tui.domain.enums import AreaType, TicketType
from woq_tui.domain.sla import DEFAULT_LIMITS, Limit, SlaPolicy, WorkCalendar

APP_NAME = "woq-console"


class ConfigError(Exception):
    """A configuration mistake; str() is the one line shown to the user."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def _default_language() -> str:
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


class ConsoleSettings(_Section):
    language: Literal["zh", "en"] = Field(default_factory=_default_language)
    timezone: str = "Asia/Shanghai"
    refresh_seconds: int = Field(default=5, ge=1, le=3600)
    operator: str = Field(default_factory=_login_name, min_length=1)
    role: Literal["viewer", "dispatcher", "manager"] = "dispatcher"
    theme: str = "textual-dark"
    # Show customers' full phone numbers without asking (the default masks them).
    show_full_phone: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class DatabaseSettings(_Section):
    url: str | None = None


class DispatchSettings(_Section):
    base_url: str | None = None
    token_env: str = "WOQ_DISPATCH_TOKEN"
    timeout_seconds: float = Field(default=5, gt=0, le=300)
    max_attempts: int = Field(default=8, ge=1, le=100)
    verify_tls: bool = True


class LimitSettings(_Section):
    respond_minutes: int | None = Field(default=None, ge=1)
    resolve_minutes: int | None = Field(default=None, ge=1)
    resolve_working_days: int | None = Field(default=None, ge=1)


class SlaSettings(_Section):
    at_risk_fraction: float = Field(default=0.25, ge=0, le=1)
    at_risk_minutes: int = Field(default=30, ge=0)
    warn_minutes: int = Field(default=60, ge=1)
    # [sla.limits.<type>.<area>]: overrides of the default limits of sla.md
    limits: dict[TicketType, dict[AreaType, LimitSettings]] = {}
    # Local exceptions to the official calendar
    extra_holidays: list[date] = []
    extra_workdays: list[date] = []


class Settings(_Section):
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    dispatch: DispatchSettings = Field(default_factory=DispatchSettings)
    sla: SlaSettings = Field(default_factory=SlaSettings)
    # [keys] action = "key": remaps the console's bindable actions (docs/keys.md)
    keys: dict[str, str] = {}
    # where these settings came from (None: built-in defaults)
    source: Path | None = Field(default=None, exclude=True)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.console.timezone)

    def sla_policy(self) -> SlaPolicy:
        limits = {kind: dict(by_area) for kind, by_area in DEFAULT_LIMITS.items()}
        for kind, by_area in self.sla.limits.items():
            for area, override in by_area.items():
                base = limits[kind][area]
                given = override.model_dump(exclude_unset=True)
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


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _describe(error: dict) -> tuple[str, str]:
    key = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return key, "unknown key"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if "input" in error and kind != "missing" and not isinstance(error["input"], dict):
        message += f" (got {error['input']!r})"
    return key, message


def parse_settings(data: dict, source: Path | None = None) -> Settings:
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        key, problem = _describe(exc.errors()[0])
        where = source or "settings"
        raise ConfigError(f"{where}: {key}: {problem}") from None
    settings.source = source
    return settings


def load_settings(path: str | Path | None = None) -> Settings:
    """Read settings from the first file that applies, or the built-in defaults."""
    explicit = path or os.environ.get("WOQ_CONFIG")
    if explicit:
        file = Path(explicit)
        if not file.is_file():
            raise ConfigError(f"{file}: config file not found")
    else:
        file = user_config_file()
        if not file.is_file():
            return parse_settings({})
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read: {exc}") from None
    return parse_settings(data, file)


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'tickets.db'}"


def chosen_database_url(cli_url: str | None, settings: Settings) -> str:
    """--db > WOQ_DATABASE_URL > [database] url > the embedded SQLite file, as given
    (the head start reads a plain SQLite file's first page before SQLAlchemy loads)."""
    return cli_url or os.environ.get("WOQ_DATABASE_URL") or settings.database.url or default_database_url()


def resolve_database_url(cli_url: str | None, settings: Settings) -> str:
    """The URL chosen_database_url picks, checked, its password filled in from
    WOQ_DATABASE_PASSWORD, so that it never sits in a file.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    raw = chosen_database_url(cli_url, settings)
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"database url {raw!r}: not a database URL (e.g. sqlite:///tickets.db)") from None
    password = os.environ.get("WOQ_DATABASE_PASSWORD")
    if password and url.password is None and not url.drivername.startswith("sqlite"):
        url = url.set(password=password)
    return url.render_as_string(hide_password=False)
