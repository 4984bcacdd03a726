"""What the fault campaign's processes run (bench/fault_campaign.py), and the warm-up of
the forkserver they are forked from (bench/fault_warmup.py calls `warm_up`)."""

from __future__ import annotations

import os
import sys
import threading

import sqlalchemy.dialects.postgresql.psycopg
import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401
from sqlmodel import SQLModel

from woq_tui.cli import build_parser, main
from woq_tui.config import _checker, load_settings
from woq_tui.dispatch.outbox import BackgroundPusher, Pusher, list_entries, outbox_counts, ticket_ref
from woq_tui.i18n import catalogue
from woq_tui.store.db import make_engine


def warm_up() -> None:
    """Build what every command's process would otherwise build again on each start
    (the config's checker, the message catalogue, the parser, SQLAlchemy's dialects and
    first statements): a forked `reassign` then starts in milliseconds, not 250 ms."""
    _checker()
    catalogue()
    build_parser()
    engine = make_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    list_entries(engine)
    outbox_counts(engine)
    ticket_ref(engine, "warm-up")
    engine.dispose()


def _redirect(out_path: str) -> None:
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)


def run_cli(argv: list[str], out_path: str) -> None:
    """`woq-console ARGV`, its output to `out_path`; the exit status is the process's."""
    _redirect(out_path)
    code = main(argv)
    sys.stdout.flush()
    os._exit(code)


def run_pusher(database_url: str, config: str, out_path: str) -> None:
    """The console's background pusher, as the console runs it, until killed."""
    _redirect(out_path)
    pusher = Pusher(make_engine(database_url), load_settings(config))
    BackgroundPusher(pusher, interval=0.3).start()
    threading.Event().wait()

