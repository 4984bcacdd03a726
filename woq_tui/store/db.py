"""Engines for SQLite and PostgreSQL, and the schema upgrade.

SQLite runs in WAL mode so the console can read while the importer, the simulator or
the dispatch server write; a busy timeout makes writers wait rather than fail.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from woq_tui.errors import DatabaseError, first_line
from woq_tui.i18n import t
from woq_tui.store.schema_marks import MIGRATIONS, script_head

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.pool import ConnectionPoolEntry


def describe_url(url: str) -> str:
    """The URL without its password, for headers and messages."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Read the file through a memory map, not a read() call into the page cache per
    # page: a year's audit, whose one pass reads every ticket row, took 26 % less CPU
    # (docs/speed.md, "SQLite reads through a memory map"). The pages mapped are the
    # file's own, shared with the OS cache, not the process's memory.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    # SQLite's default page cache (2 MB a connection): the console holds several
    # connections, one per worker thread; the importer asks for more (IMPORT_CACHE).
    cursor.close()


# SQLite's own upper bound for a memory map unless built otherwise (SQLITE_MAX_MMAP_SIZE)
SQLITE_MMAP_BYTES = 0x7FFF0000


# The page cache an import's connection asks for (PRAGMA cache_size, KiB when negative):
# the figure indexes of migration 0003 take inserts at scattered places, and a bulk
# import otherwise rereads their pages. Every connection at 32 MB took the console's
# process from 106 MB to 184 MB in bench/queue_bench.py.
IMPORT_CACHE = "PRAGMA cache_size=-32000"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 10}
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                # An existing file that goes away mid-shift must read as "unreachable",
                # not be silently recreated empty by the next connection.
                kwargs["creator"] = lambda: sqlite3.connect(f"file:{path}?mode=rw", uri=True, **connect_args)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    connect_args = kwargs.pop("connect_args", {})
    if parsed.drivername.startswith("postgresql"):
        connect_args.setdefault("connect_timeout", 5)
    if parsed.drivername == "postgresql+psycopg" and "prepare_threshold" in parsed.query:
        connect_args["prepare_threshold"] = _prepare_threshold(url, parsed.query["prepare_threshold"])
        parsed = parsed.difference_update_query(["prepare_threshold"])
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    if parsed.drivername.startswith("postgresql"):
        event.listen(engine, "connect", _postgresql_session)
    return engine


def _postgresql_session(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Settings the product sets for its own sessions, never the server's
    (docs/speed.md, "Session settings"): no JIT compilation. The audit's and the
    figures' statements are large plans over indexes; at 10M tickets PostgreSQL 15
    spent 10 s of a week's 27 s audit compiling them (jit_above_cost is a plan cost,
    not a time) and the week's report went from 2.2–3.0 to 1.9–2.0 s without it."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET jit = off")
    finally:
        cursor.close()
    dbapi_connection.commit()


def _prepare_threshold(url: str, value: str | tuple[str, ...]) -> int | None:
    """`?prepare_threshold=none` on a psycopg URL: no server-side prepared statements
    (psycopg prepares a statement run five times on a connection). A pooler in
    transaction mode, pgbouncer before 1.21, hands the next transaction another server
    connection, where the statement is missing or exists already (docs/consoles.md)."""
    text = value if isinstance(value, str) else value[-1]
    if text.strip().lower() == "none":
        return None
    if text.strip().isdigit():
        return int(text)
    raise DatabaseError(t("db.prepare_threshold", url=describe_url(url), value=repr(text)))


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose statements all see the same committed data.

    What is read together must agree (a figure's percentile step uses the counts of
    its aggregate step; the queue's page and the KPI counts above it): REPEATABLE READ
    on PostgreSQL, an explicit read transaction on SQLite (pysqlite would otherwise
    run each SELECT in its own).
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN")
            try:
                yield connection
            finally:
                connection.rollback()
    else:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                yield connection


@contextlib.contextmanager
def shared_snapshot(engine: Engine, width: int = 2) -> Iterator[list[Connection]]:
    """Connections whose statements all see the same committed data, as snapshot()'s
    one does, so that one read's independent statements can run side by side
    (side_by_side; docs/speed.md, "Reading side by side"). PostgreSQL: `width`
    REPEATABLE READ transactions, the first's snapshot exported and taken up by the
    others (pg_export_snapshot, SET TRANSACTION SNAPSHOT: pg_dump --jobs's way; a hot
    standby can export since PostgreSQL 10). SQLite cannot hand its snapshot to another
    connection, and its reads share the process's core anyway: one connection."""
    if engine.dialect.name != "postgresql" or width < 2:
        with snapshot(engine) as connection:
            yield [connection]
        return
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(snapshot(engine))
        name = first.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        connections = [first]
        for _ in range(width - 1):
            other = stack.enter_context(engine.connect().execution_options(isolation_level="REPEATABLE READ"))
            stack.enter_context(other.begin())
            # must be the transaction's first statement; the name is the server's own
            other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{name}'")
            connections.append(other)
        yield connections


def side_by_side(connections: list[Connection], *reads: Callable[[Connection], Any]) -> list[Any]:
    """Each read on a connection of one shared_snapshot, at once where there are as many
    connections (each in a thread: psycopg releases the GIL while the server works), in
    turn on the one connection otherwise. Their results, in order."""
    if len(connections) < len(reads):
        return [read(connections[0]) for read in reads]
    with ThreadPoolExecutor(max_workers=len(reads), thread_name_prefix="woq-side") as pool:
        futures = [pool.submit(read, connection) for read, connection in zip(reads, connections)]
        return [future.result() for future in futures]


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads and then writes what it read: on SQLite it takes the
    write lock first (BEGIN IMMEDIATE), so two of them wait their turn (busy timeout)
    instead of the second failing when its earlier read went stale (WAL cannot upgrade
    an old snapshot to a writer); on PostgreSQL a plain transaction."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, class_=Session, expire_on_commit=False)


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema to the newest revision."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), revision)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: cannot upgrade the schema: {first_line(exc)}") from None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def ensure_schema(engine: Engine) -> None:
    """Upgrade an empty or older database by itself, so the console just opens."""
    head = script_head()
    if head is not None:
        try:
            with engine.connect() as connection:
                recorded = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
            if recorded == [head]:
                restore_figure_indexes(engine)
                return  # up to date: no need to load Alembic
        except SQLAlchemyError:
            pass  # no schema yet, or unreachable: Alembic below creates it or says why
    try:
        if current_revision(engine) != head_revision():
            upgrade(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None


def restore_figure_indexes(engine: Engine) -> None:
    """SQLite: build again the figure indexes an import killed after dropping them left
    missing (store/figure_indexes.py); one read of the header (~0.1 ms) otherwise."""
    if engine.dialect.name != "sqlite":
        return
    from woq_tui.store.figure_indexes import restore_if_dropped

    try:
        restore_if_dropped(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: cannot rebuild the figure indexes: {first_line(exc)}") from None


def has_tables(engine: Engine) -> bool:
    return inspect(engine).has_table("ticket")
