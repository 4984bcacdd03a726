"""What the subcommands share: opening the database the arguments and config name."""

from __future__ import annotations

import logging
from argparse import Namespace
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from woq_tui.config import APP_NAME, Settings, load_settings, resolve_database_url

if TYPE_CHECKING:
    from sqlalchemy import Engine


def configured_settings(args: Namespace) -> Settings:
    """The settings the arguments name (--config, or WOQ_CONFIG, or the user's file),
    with --lang over them. Raises ConfigError."""
    settings = load_settings(args.config)
    if getattr(args, "lang", None):
        settings.console.language = args.lang
    return settings


def open_database(args: Namespace, settings: Settings, upgrade: bool = True) -> Engine:
    """The engine for --db / WOQ_DATABASE_URL / config, schema upgraded by default."""
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.db import describe_url, ensure_schema, make_engine

    url = resolve_database_url(getattr(args, "db", None), settings)
    engine = make_engine(url)
    if upgrade:
        try:
            ensure_schema(engine)
        except SQLAlchemyError as exc:
            raise DatabaseError(f"{describe_url(url)}: {first_line(exc)}") from None
    return engine


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
