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
