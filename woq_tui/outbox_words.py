"""How an outbox entry's command is said, whichever it is (docs/dispatch.md): a
reassignment by its stations (S001 → S003), a reclassification by its types' names
(故障报修 → 投诉), for the command line, the outbox screen and the notices alike."""

from __future__ import annotations

from woq_tui.i18n import t

RECLASSIFY = "reclassify"


def type_name(code: str | None) -> str:
    """A type code of sla.md by its name in the console's language ("?" when unknown)."""
    if not code:
        return "?"
    name = t(f"type.{code}")
    return code if name == f"type.{code}" else name


def target_of(kind: str | None, to_station: str | None, to_type: str | None) -> str:
    """What the command asks for: the target station's code, or the new type's name."""
    if kind == RECLASSIFY:
        return type_name(to_type)
    return to_station or "?"


def move_of(kind: str | None, from_station: str | None, to_station: str | None, from_type: str | None,
            to_type: str | None) -> str:
    """The change in one line: `S001 → S003`, or `故障报修 → 投诉`."""
    if kind == RECLASSIFY:
        return f"{type_name(from_type)} → {type_name(to_type)}"
    return f"{from_station or '?'} → {to_station or '?'}"
