"""What the subcommands share: opening the database the arguments and config name,
and the read-only check every writing subcommand goes through (docs/configuration.md)."""

from __future__ import annotations

import logging
from argparse import Namespace
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from woq_tui.config import APP_NAME, Settings, default_database_url, load_settings, resolve_database_url
from woq_tui.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from woq_tui.context import ConsoleContext


def configured_settings(args: Namespace) -> Settings:
    """The settings the arguments name (--config, or WOQ_CONFIG, or the user's file),
    with --lang over them. Raises ConfigError."""
    settings = load_settings(args.config)
    if getattr(args, "lang", None):
        settings.console.language = args.lang
    return settings


# The subcommands that change data, by the words that name them (docs/configuration.md,
# "Read-only").
# A new writing subcommand adds its words here; cli.main checks every one before it runs.
WRITING = frozenset(
    {
        ("import",),
        ("reassign",),
        ("reclassify",),
        ("outbox", "push"),
        ("outbox", "retry"),
        ("outbox", "drop"),
        ("db", "upgrade"),
        ("db", "rollup"),
        ("generate",),
        ("audit", "review"),
        ("audit", "train"),
    }
)


class ReadOnlyRefused(Exception):
    """A writing subcommand under --read-only or role = "viewer"; str() is one line."""


def command_words(args: Namespace) -> tuple[str, ...]:
    """The subcommand as typed: ("outbox", "push"), ("import",), ..."""
    if args.command is None:
        return ()
    action = getattr(args, "action", None) or getattr(args, "db_command", None) or getattr(args, "audit_command", None)
    return (args.command, action) if action else (args.command,)


def refuse_writes_if_read_only(args: Namespace, settings: Settings) -> None:
    """Raise ReadOnlyRefused when the subcommand would write and this user may not:
    before anything is opened, so nothing changes. `import --dry-run` only reads."""
    words = command_words(args)
    if words not in WRITING or (words == ("import",) and getattr(args, "dry_run", False)):
        return
    from woq_tui.i18n import t

    if getattr(args, "read_only", False):
        why = t("cli.read_only.flag")
    elif settings.console.role == "viewer":
        why = t("cli.read_only.viewer")
    else:
        return
    raise ReadOnlyRefused(t("cli.read_only.refused", why=why, command=" ".join(words)))


def check_sqlite_file(url: str, must_exist: bool) -> None:
    """A SQLite file in a folder that does not exist is refused, never created (a
    mistyped path would otherwise leave a new folder and an empty database behind);
    only the embedded default's folder is made. With `must_exist`, a file that does not
    exist is refused too: reading commands do not create databases. DatabaseError."""
    from sqlalchemy.engine import make_url

    from woq_tui.i18n import t

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database is None:
        return  # no file: another server, or SQLite in memory (sqlite://)
    path = Path(parsed.database).expanduser()
    embedded = path == Path(make_url(default_database_url()).database or "")  # the default names a file
    if not path.parent.is_dir() and not embedded:
        raise DatabaseError(t("cli.no_folder", folder=path.parent))
    if must_exist and not path.is_file():
        raise DatabaseError(t("cli.no_database", path=path))
    path.parent.mkdir(parents=True, exist_ok=True)


def open_database(args: Namespace, settings: Settings, upgrade: bool = True, must_exist: bool = False) -> Engine:
    """The engine for --db / WOQ_DATABASE_URL / config, schema upgraded by default.
    `must_exist`: a SQLite file that does not exist is refused (commands that read)."""
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.db import describe_url, ensure_schema, make_engine

    url = resolve_database_url(getattr(args, "db", None), settings)
    check_sqlite_file(url, must_exist)
    engine = make_engine(url)
    if upgrade:
        try:
            ensure_schema(engine)
        except SQLAlchemyError as exc:
            raise DatabaseError(f"{describe_url(url)}: {first_line(exc)}") from None
    return engine


def open_for_reading(args: Namespace, settings: Settings, must_exist: bool = False) -> ConsoleContext:
    """A command that reads (report, bulletin, pilot, suggest): the primary opened as
    open_database opens it (its schema checked there), and as the context's
    read_engine the replica `[database] read_url` names, else the primary again
    (docs/replica.md). The caller disposes it."""
    from woq_tui.config import resolve_read_url
    from woq_tui.context import ConsoleContext

    primary = open_database(args, settings, must_exist=must_exist)
    return ConsoleContext(settings, primary, read_url=resolve_read_url(getattr(args, "db", None), settings))


def log_to_file() -> Path:
    """While the full-screen console runs, stderr is the screen: log to a file instead
    (the user log directory, rotated), so a warning never draws over the console."""
    path = Path(platformdirs.user_log_dir(APP_NAME)) / "woq-console.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    return path
