"""An outbox entry's last error as the dispatcher reads it, in the console language.

The outbox keeps what the dispatch API or the network said, as it said it ("HTTP 409
version_conflict …", "ConnectError: [Errno 111] …"): that is the technical detail, for
`outbox list --format json` and the log. Screens, notifications and the command line's
human output say it in words instead (docs/dispatch.md, "What the dispatcher reads").

How an entry's command is said, whichever it is: a reassignment by its stations
(S001 → S003), a reclassification by its types' names (故障报修 → 投诉), for the command
line, the outbox screen and the notices alike (`type_name`, `target_of`, `move_of`).
"""

from __future__ import annotations

import re

from woq_tui.i18n import t

RECLASSIFY = "reclassify"

_HTTP = re.compile(r"HTTP (\d{3})(?: (\w+))?")
# The API's error codes of docs/dispatch-api.md that have words of their own.
_CODES = {
    "version_conflict": "outbox.why.conflict",
    "unknown_ticket": "outbox.why.unknown_ticket",
    "unknown_station": "outbox.why.unknown_station",
    "invalid": "outbox.why.invalid",
    "idempotency_key_reused": "outbox.why.key_reused",
    "unauthorized": "outbox.why.token",
    "forbidden": "outbox.why.token",
}


def error_words(error: str | None) -> str:
    """"" when there is no error; otherwise one short phrase."""
    if not error:
        return ""
    if error.startswith("timeout"):
        return t("outbox.why.timeout")
    found = _HTTP.match(error)
    if found is None:  # a transport error: the name of httpx's exception, then its text
        return t("outbox.why.unreachable")
    status, code = int(found.group(1)), found.group(2) or ""
    if code in _CODES:
        return t(_CODES[code])
    if status in (401, 403):
        return t("outbox.why.token")
    if status == 429:
        return t("outbox.why.busy")
    if status >= 500:
        return t("outbox.why.server", status=status)
    return t("outbox.why.other", status=status)


def type_name(code: str | None) -> str:
    """A type code of docs/sla.md by its name in the console's language ("?" when unknown)."""
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
