"""What the subcommands share: opening the database the arguments and config name."""

from __future__ import annotations

from argparse import Namespace

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from woq_tui.config import Settings, resolve_database_url
from woq_tui.store.db import DatabaseError, describe_url, ensure_schema, first_line, make_engine


def open_database(args: Namespace, settings: Settings, upgrade: bool = True) -> Engine:
    """The engine for --db / WOQ_DATABASE_URL / config, schema upgraded by default."""
    url = resolve_database_url(getattr(args, "db", None), settings)
    engine = make_engine(url)
    if upgrade:
        try:
            ensure_schema(engine)
        except SQLAlchemyError as exc:
            raise DatabaseError(f"{describe_url(url)}: {first_line(exc)}") from None
    return engine
