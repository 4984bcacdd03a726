"""An outbox entry's last error as the dispatcher reads it, in the console language.

The outbox keeps what the dispatch API or the network said, as it said it ("HTTP 409
version_conflict …", "ConnectError: [Errno 111] …"): that is the technical detail, for
`outbox list --format json` and the log. Screens, notifications and the command line's
human output say it in words instead (docs/dispatch.md, "What the dispatcher reads").
"""

from __future__ import annotations

import re

from woq_tui.i18n import t

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
