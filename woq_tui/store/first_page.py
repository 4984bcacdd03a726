"""The queue's first page and KPI counts read with the standard library's sqlite3, for
the head start.

The console's first frame waits for its first page (and its KPI strip for the
counts), and reading them through SQLAlchemy means importing SQLAlchemy, its ORM,
SQLModel and the models first: ≈250 ms, longer than the console's own process takes
to import Textual and start the app (commands/head_start.py). On a plain SQLite file
whose schema is current, the head start runs instead the same statements
(queries.first_page_statements and kpi_statements), compiled ahead for SQLite into
store/first_page_sql.py, and builds the same values from their rows; the child then
never loads SQLAlchemy at all, and leaves the CPU to the console's own start.
Everything else (an older schema, figure indexes an import left dropped, a URL with
options, PostgreSQL) goes through SQLAlchemy as before.

Regenerate first_page_sql.py after changing those statements or the models:

    python -m woq_tui.store.first_page

tests/test_first_page.py fails while it is out of date, and checks that both ways
read the same LiveResult and Kpis.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from woq_tui.domain.instants import from_epoch

# As a module, read at call time: the generator below runs with an out-of-date file.
from woq_tui.store import first_page_sql as compiled_sql
from woq_tui.store.rows import first_rows, kpi_parameters, kpis_from, page_of, row_from
from woq_tui.store.schema_marks import DROPPED_MARK, script_head
from woq_tui.values.live import LiveResult
from woq_tui.values.queue import PAGE_SIZE, Kpis, OutboxMark, QueueRow

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import ColumnElement

    from woq_tui.domain.sla import SlaPolicy

GENERATED = Path(__file__).with_name("first_page_sql.py")
# Where the compiled marks statement takes its list of ticket numbers (SQLAlchemy's
# own marker for an expanding IN, replaced by one "?" per ticket).
TICKET_NOS = "__[POSTCOMPILE_ticket_nos]"
# Only URLs that SQLAlchemy reads as nothing but a file path and writes back unchanged
# (it %-escapes all but letters, digits, "_.-~", " +/", as below): no options either.
_PLAIN_SQLITE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?]+)")
# A column's conversion by its kind (None: the value as sqlite3 reads it).
_CONVERT: dict[str | None, Callable[[Any], object]] = {"epoch": from_epoch, "bool": bool}


def plain_sqlite_file(url: str) -> Path | None:
    """The file a plain `sqlite:///path` URL names, or None for any other URL."""
    found = _PLAIN_SQLITE.fullmatch(url)
    if found is None or found.group(1) == ":memory:" or quote(found.group(1), safe=" +/") != found.group(1):
        return None
    return Path(found.group(1)).expanduser()


def connect_if_current(path: Path) -> sqlite3.Connection | None:
    """A connection to an existing database whose schema is the newest and whole, or
    None: then SQLAlchemy's path opens it, upgrades or repairs it, or says what is wrong."""
    head = script_head()
    if head is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=10, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        recorded = [version for (version,) in connection.execute("SELECT version_num FROM alembic_version")]
        (mark,) = connection.execute("PRAGMA user_version").fetchone()
        if recorded == [head] and mark != DROPPED_MARK:
            return connection
    except sqlite3.Error:
        pass
    connection.close()
    return None


def _run(connection: sqlite3.Connection, name: str, params: tuple[str, ...] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
    sql, kinds, constants = compiled_sql.STATEMENTS[name]
    if TICKET_NOS in sql:
        sql = sql.replace(TICKET_NOS, ", ".join("?" * len(params)))
    if constants:
        assert isinstance(params, dict)  # statements with constants take named parameters (the KPIs)
        params = {**constants, **params}
    converters = [_CONVERT.get(kind) for kind in kinds]
    return [
        tuple(value if value is None or convert is None else convert(value) for value, convert in zip(row, converters))
        for row in connection.execute(sql, params)
    ]


def read_first_page(connection: sqlite3.Connection) -> LiveResult:
    """What queue_live.fetch answers to FIRST_REQUEST without the KPI counts, read in one
    transaction: the watermark first (whatever changes meanwhile is read again), then
    the most urgent open tickets, then their reassignment states."""
    connection.execute("BEGIN")
    try:
        ((watermark,),) = _run(connection, "newest")
        def read(name: str) -> list[QueueRow]:
            return [row_from(values) for values in _run(connection, name)]

        rows = first_rows((partial(read, "dated"), partial(read, "undated")), PAGE_SIZE + 1)
        page = page_of(rows, PAGE_SIZE, lambda: _run(connection, "count")[0][0])
        asked = tuple(row.ticket_no for row in page.rows)
        marks: dict[str, OutboxMark] = {}
        if asked:
            for ticket_no, state, at in _run(connection, "marks", asked):
                marks[ticket_no] = OutboxMark(state, at)
    finally:
        connection.execute("ROLLBACK")
    return LiveResult(page, None, watermark, None, page.total, asked, marks)


def read_kpis(connection: sqlite3.Connection, now: datetime, policy: SlaPolicy) -> Kpis:
    """What queries.kpis counts."""
    parameters = kpi_parameters(now, policy)
    return kpis_from({name: _run(connection, name, parameters)[0] for name in compiled_sql.KPI_NAMES})


def compile_statements() -> dict[str, tuple[str, tuple[str | None, ...], dict[str, Any]]]:
    """queries.first_page_statements() and kpi_statements() as SQLite's SQL, each with
    how to convert the columns of its result ("epoch" for EpochSeconds, "bool" for
    booleans) and the values of its constant parameters."""
    from sqlalchemy import Boolean
    from sqlalchemy.dialects import sqlite

    from woq_tui.domain.timestamps import EpochSeconds
    from woq_tui.store.queries import first_page_statements, kpi_statements

    def kind(column: ColumnElement[Any]) -> str | None:
        if isinstance(column.type, EpochSeconds):
            return "epoch"
        return "bool" if isinstance(column.type, Boolean) else None

    compiled: dict[str, tuple[str, tuple[str | None, ...], dict[str, Any]]] = {}
    for name, statement in first_page_statements().items():
        # Every value is a constant of the statement, except the marks' list of tickets.
        literal = "ticket_nos" not in statement.compile().binds
        sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": literal}))
        compiled[name] = (sql, tuple(kind(column) for column in statement.selected_columns), {})
    for name, statement in kpi_statements().items():
        # Named parameters: kpi_parameters() gives those without a value here.
        done = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
        constants = {key: value for key, value in done.params.items() if value is not None}
        compiled[name] = (str(done), tuple(kind(column) for column in statement.selected_columns), constants)
    return compiled


def generated_source() -> str:
    from woq_tui.store.queries import kpi_statements

    lines = [
        '"""Generated by `python -m woq_tui.store.first_page` from store/queries.py\'s',
        "first_page_statements() and kpi_statements(): do not edit (store/first_page.py says why).",
        '"""',
        "",
        "from typing import Any",
        "",
        "# queries.kpi_statements(), by name",
        f"KPI_NAMES = {tuple(kpi_statements())!r}",
        "# name -> (SQL, each column's conversion, the statement's constant parameters)",
        "STATEMENTS: dict[str, tuple[str, tuple[str | None, ...], dict[str, Any]]] = {",
    ]
    for name, (sql, kinds, constants) in compile_statements().items():
        lines.append(f"    {name!r}: (")
        lines.extend(f"        {line!r}" for line in sql.splitlines(keepends=True))
        lines[-1] += ","
        lines.append(f"        {kinds!r},")
        lines.append(f"        {constants!r},")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    GENERATED.write_text(generated_source(), encoding="utf-8")
    print(f"wrote {GENERATED}")
