"""Settings: a TOML file validated into typed values (config.md).

Errors name the file, the key and what is wrong, in one line, so the command line can
print them and exit 2. Resolution order for the file: --config > WOQ_CONFIG >
config.toml in the user config directory > built-in defaults.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from woq_tui.settings import (  # noqa: F401 (the settings' values, re-exported)
    ConsoleSettings,
    DatabaseSettings,
    DispatchSettings,
    LimitSettings,
    Settings,
    SlaSettings,
)

APP_NAME = "woq-console"


class ConfigError(Exception):
    """A configuration mistake; str() is the one line shown to the user."""


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _describe(error: dict) -> tuple[str, str]:
    key = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return key, "unknown key"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if "input" in error and kind != "missing" and not isinstance(error["input"], dict):
        message += f" (got {error['input']!r})"
    return key, message


@cache
def _checker():
    # pydantic loads here, not with this module: the console's process gets its
    # settings checked already from the head start (commands/head_start.py).
    from pydantic import TypeAdapter

    return TypeAdapter(Settings)


def parse_settings(data: dict, source: Path | None = None) -> Settings:
    from pydantic import ValidationError

    where = source or "settings"
    try:
        settings = _checker().validate_python(data)
    except ValidationError as exc:
        key, problem = _describe(exc.errors()[0])
        raise ConfigError(f"{where}: {key}: {problem}") from None
    zone = settings.console.timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: console.timezone: unknown time zone {zone!r} (got {zone!r})") from None
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
