"""How the database side reports trouble to people. No SQLAlchemy here: the command
line and the UI import these before the database side is loaded."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be reached or used; str() is one line for the user."""


def first_line(exc: BaseException) -> str:
    """The driver's message without SQLAlchemy's trailing background links."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return text[0] if text else type(inner).__name__


class ReadOnlyError(PermissionError):
    """A write asked of a viewer or under --read-only (docs/configuration.md,
    "Read-only"); str() is one line for the user. Nothing was written."""


class ReviewError(ValueError):
    """A review that cannot be recorded: no such ticket, rule or flag. `key` is the
    message key (woq_tui/messages/audit.py), `values` its fields."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values
