"""PostgreSQL COPY FROM STDIN of Python rows, in the caller's transaction: the one way
the importer (store/importer/copy_merge.py) and the demo generator (demo/copy_writer.py)
hand rows to the server in bulk (docs/import.md, docs/demo.md "A province")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection


def copy_rows(connection: Connection, statement: str, rows: Iterable[Sequence[Any]]) -> int:
    """Run `statement` (COPY … FROM STDIN) with `rows`, each in its column order, on the
    connection's own psycopg connection; returns how many were written. Raises
    psycopg.Error when the server refuses a row; the transaction is then failed."""
    driver = connection.connection.driver_connection
    assert driver is not None, "a connection in use has its driver's"
    count = 0
    with driver.cursor() as cursor:
        with cursor.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
                count += 1
    return count
