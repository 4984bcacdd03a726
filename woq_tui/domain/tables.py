"""The Core table behind a SQLModel table model, typed.

SQLModel's metaclass gives every `table=True` model a `__table__` (the sqlalchemy
`Table` its mapper reads and writes) but does not declare it, so a type checker sees
no such attribute. The figures, the importer and the dispatch server write their
statements against these Core tables (docs/architecture.md); they reach them here.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """`model.__table__`, as the `Table` it is."""
    table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass, not declared
    assert isinstance(table, Table)
    return table
