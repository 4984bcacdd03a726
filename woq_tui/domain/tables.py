"""The Core table behind a SQLModel table model, typed.

SQLModel's metaclass gives every `table=True` model a `__table__` (the sqlalchemy
`Table` its mapper reads and writes) but does not declare it, so a type checker sees
no such attribute. The figures, the importer and the dispatch server write their
statements against these Core tables (docs/architecture.md); they reach them here.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Select, Table
from sqlmodel import SQLModel

# A SELECT of any columns: SQLAlchemy 2.1 types a Select by its columns' types (a
# TypeVarTuple); statements kept in dicts or built column by column have no one shape.
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


def table_of(model: type[SQLModel]) -> Table:
    """`model.__table__`, as the `Table` it is."""
    table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass, not declared
    assert isinstance(table, Table)
    return table
