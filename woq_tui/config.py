"""Settings: a TOML file validated into typed values (docs/configuration.md).

Errors name the file, the key and what is wrong, in one line, so the command line can
print them and exit 2. Resolution order for the file: --config > WOQ_CONFIG >
config.toml in the user config directory > built-in defaults. Types are exact (`"5"`
is not a number, `"yes"` not a boolean); a file may start with a UTF-8 byte-order mark
(Windows Notepad writes one).
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from woq_tui.i18n import t
from woq_tui.settings import (  # noqa: F401 (the settings' values, re-exported)
    ConsoleSettings,
    DatabaseSettings,
    DispatchSettings,
    LimitSettings,
    Settings,
    SlaSettings,
)

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

APP_NAME = "woq-console"


class ConfigError(Exception):
    """A configuration mistake; str() is the one line shown to the user."""


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _describe(error: ErrorDetails) -> tuple[str, str]:
    """(key, problem) of pydantic's first error, the problem in the console language:
    the common kinds have words of their own (messages/core.py, config.problem.*);
    the rest say what pydantic says."""
    key = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return key, t("config.unknown_key")
    message = error["msg"].removeprefix("Value error, ")
    context = dict(error.get("ctx") or {})
    if "expected" in context:  # "'zh' or 'en'": pydantic's English joins the choices
        context["expected"] = str(context["expected"]).replace(" or ", t("config.or")).replace(", ", t("config.comma"))
    words = t(f"config.problem.{kind}", msg=message, **context)
    if not words.startswith("config.problem."):
        message = words
    if "input" in error and kind != "missing" and not isinstance(error["input"], dict):
        message += t("config.got", value=repr(error["input"]))
    return key, message


@cache
def _checker():
    # pydantic loads here, not with this module: the console's process gets its
    # settings checked already from the head start (commands/head_start.py).
    from pydantic import TypeAdapter

    return TypeAdapter(Settings)


def _flat_keys(section: object) -> object:
    """[keys] with `screen.queue = "f1"` written unquoted: TOML makes that a table
    {"screen": {"queue": "f1"}}; the binding id is the dotted name."""
    if not isinstance(section, dict):
        return section
    return _flatten(section)


def _flatten(section: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in section.items():
        if isinstance(value, dict):
            for inner, key in _flatten(value).items():
                flat[f"{name}.{inner}"] = key
        else:
            flat[name] = value
    return flat


def parse_settings(data: dict, source: Path | None = None) -> Settings:
    from pydantic import ValidationError

    where = source or "settings"
    if "keys" in data:
        data = {**data, "keys": _flat_keys(data["keys"])}
    try:
        settings = _checker().validate_python(data)
    except ValidationError as exc:
        key, problem = _describe(exc.errors()[0])
        raise ConfigError(f"{where}: {key}: {problem}") from None
    bad = _check_values(settings)
    if bad is not None:
        key, text, value = bad
        raise ConfigError(f"{where}: {key}: {text}{t('config.got', value=repr(value))}")
    settings.source = source
    return settings


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_values(settings: Settings) -> tuple[str, str, object] | None:
    """What the annotations cannot say: (key, problem, value) of the first bad value."""
    from woq_tui.ui_names import BINDING_IDS, THEME_NAMES

    console, dispatch = settings.console, settings.dispatch
    try:
        ZoneInfo(console.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return "console.timezone", t("config.unknown_zone", zone=repr(console.timezone)), console.timezone
    if console.theme not in THEME_NAMES:
        return "console.theme", t("config.unknown_theme", names=", ".join(sorted(THEME_NAMES))), console.theme
    if dispatch.base_url is not None:
        problem = base_url_problem(dispatch.base_url)
        if problem:
            return "dispatch.base_url", problem, dispatch.base_url
    problem = read_url_problem(settings.database)
    if problem:
        return "database.read_url", problem, _shown(settings.database.read_url)
    if not _ENV_NAME.fullmatch(dispatch.token_env):
        return "dispatch.token_env", t("config.env_name"), dispatch.token_env
    from woq_tui.domain.audit_rules import RULE_IDS

    for rule in settings.audit.disabled:
        if rule not in RULE_IDS:
            return "audit.disabled", t("config.no_rule"), rule
    for binding in settings.keys:
        if binding not in BINDING_IDS:
            return f"keys.{binding}", t("config.no_binding"), binding
    return None


def base_url_problem(url: str) -> str | None:
    """Why the dispatch API's base URL cannot be used, or None: http(s), a host, a
    port in 1..65535, no credentials, query or fragment. Checked with the config, so
    that a reassignment is never recorded against a URL no request can be sent to."""
    if not url or any(char.isspace() for char in url) or not url.isprintable():
        return t("config.url.not_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return t("config.url.not_url") + f" ({exc})"
    if parts.scheme not in ("http", "https"):
        return t("config.url.scheme")
    if not parts.hostname:
        return t("config.url.host")
    if port == 0:
        return t("config.url.port")
    if parts.username is not None or parts.password is not None:
        return t("config.url.credentials")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return t("config.url.query")
    return None


def read_url_problem(database: DatabaseSettings) -> str | None:
    """Why `[database] read_url` cannot be used, or None (docs/replica.md): a replica
    is a PostgreSQL standby of the PostgreSQL `[database] url`; SQLite has none."""
    if not database.read_url:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        driver = make_url(database.read_url).drivername
    except (ArgumentError, ValueError):
        return t("config.read_url.not_url")
    if driver not in ("postgresql", "postgresql+psycopg"):
        return t("config.read_url.not_postgres", driver=driver)
    if not database.url or not database.url.startswith("postgresql"):
        return t("config.read_url.no_primary")
    return None


def _shown(url: str | None) -> str | None:
    """A URL for an error line: its password hidden where it parses."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url or "").render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url


def load_settings(path: str | Path | None = None) -> Settings:
    """Read settings from the first file that applies, or the built-in defaults."""
    explicit = path or os.environ.get("WOQ_CONFIG")
    if explicit:
        file = Path(explicit)
        if not file.is_file():
            raise ConfigError(f"{file}: {t('config.not_found')}")
    else:
        file = user_config_file()
        if not file.is_file():
            return parse_settings({})
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: {t('config.not_toml', error=exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: {t('config.unreadable', error=exc)}") from None
    return parse_settings(data, file)


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'tickets.db'}"


def chosen_database_url(cli_url: str | None, settings: Settings) -> str:
    """--db > WOQ_DATABASE_URL > [database] url > the embedded SQLite file, as given
    (the head start reads a plain SQLite file's first page before SQLAlchemy loads)."""
    return cli_url or os.environ.get("WOQ_DATABASE_URL") or settings.database.url or default_database_url()


# The databases the product runs on (docs/configuration.md): anything else would fail
# later with a driver's traceback, or (sqlite://) lose every row when the command ends.
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


def resolve_database_url(cli_url: str | None, settings: Settings) -> str:
    """The URL chosen_database_url picks, checked, its password filled in from
    WOQ_DATABASE_PASSWORD, so that it never sits in a file. `postgresql://` means
    psycopg (the driver installed with the product).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError


    raw = chosen_database_url(cli_url, settings)
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise ConfigError(t("cli.bad_db_url", url=raw)) from None
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername not in SUPPORTED_DRIVERS:
        raise ConfigError(t("cli.unsupported_db", url=_without_password(url), driver=url.drivername))
    if url.drivername.startswith("sqlite") and (
        url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    ):
        raise ConfigError(t("cli.memory_db", url=raw))
    return _with_password(url)


def resolve_read_url(cli_url: str | None, settings: Settings) -> str | None:
    """The read replica's URL (docs/replica.md), its password filled in as the
    primary's is, or None: no `read_url`, or --db / WOQ_DATABASE_URL name another
    database than `[database] url` (the replica is a copy of that one, not of theirs).
    The URL was checked with the settings (read_url_problem)."""
    from sqlalchemy.engine import make_url

    database = settings.database
    if not database.read_url:
        return None
    chosen = cli_url or os.environ.get("WOQ_DATABASE_URL")
    if chosen and chosen != database.url:
        return None
    url = make_url(database.read_url)
    return _with_password(url.set(drivername="postgresql+psycopg"))


def _with_password(url) -> str:
    """The URL as text with WOQ_DATABASE_PASSWORD filled in where it has none."""
    password = os.environ.get("WOQ_DATABASE_PASSWORD")
    if password and url.password is None and not url.drivername.startswith("sqlite"):
        url = url.set(password=password)
    return url.render_as_string(hide_password=False)


def _without_password(url) -> str:
    return url.render_as_string(hide_password=True)
