"""Imported once by the fault campaign's forkserver (bench/fault_campaign.py): what every
command's process would otherwise build again on each start (the config's checker, the
message catalogue, the parser, SQLAlchemy's dialects and first statements), so that a
forked process starts in milliseconds rather than a quarter of a second."""

import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401
import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401
from sqlmodel import SQLModel

from woq_tui.cli import build_parser
from woq_tui.config import _checker
from woq_tui.dispatch.outbox import list_entries, outbox_counts, ticket_ref
from woq_tui.i18n import catalogue
from woq_tui.store.db import make_engine

_checker()
catalogue()
build_parser()
_engine = make_engine("sqlite://")
SQLModel.metadata.create_all(_engine)
list_entries(_engine)
outbox_counts(_engine)
ticket_ref(_engine, "warm-up")
_engine.dispose()
