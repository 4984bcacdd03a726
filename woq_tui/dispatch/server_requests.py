"""What the reference dispatch server accepts (docs/dispatch-api.md, "What the reference
server accepts"): the bodies of both commands, parsed or refused with the 422 that says
why, and the hash that ties an Idempotency-Key to the one request it was first used for.

A reassignment names a station (`to_station`), a reclassification a type code of docs/sla.md
(`to_type`); everything else is common, checked once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from woq_tui.domain.enums import TicketType

MAX_BODY = 64 * 1024
MAX_KEY = 64
MAX_TICKET_NO = 64
MAX_REASON = 2000
# The commands, by the last segment of their path, and the field that names the target.
TARGET_FIELD = {"reassign": "to_station", "reclassify": "to_type"}
TYPE_CODES = tuple(kind.value for kind in TicketType)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    replayed: bool = False

    @classmethod
    def of(cls, status: int, /, **body: Any) -> Answer:
        return cls(status, json.dumps(body, ensure_ascii=False, separators=(",", ":")))


def invalid(detail: str) -> Answer:
    return Answer.of(422, error="invalid", detail=detail)


KEY_REUSED = Answer.of(422, error="idempotency_key_reused")


def storable(text: str) -> bool:
    """Text both databases can hold: valid UTF-8 (no lone surrogate) and no NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def possible_ticket_no(text: str) -> bool:
    """A ticket number that could exist: short, storable, no control characters."""
    return 0 < len(text) <= MAX_TICKET_NO and storable(text) and text.isprintable()


@dataclass(frozen=True)
class Command:
    """One parsed request: `target` is the station code (reassign) or the type code
    (reclassify)."""

    action: str
    target: str
    reason: str
    operator: str
    expected_version: int
    requested_at: datetime

    @property
    def to_station(self) -> str:  # the name the reassignment has always had
        return self.target


def parse_request(raw: bytes, action: str = "reassign") -> Command | Answer:
    """The body as the spec defines it, or the 422 that says what is wrong with it."""
    if len(raw) > MAX_BODY:
        return invalid("body too large")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return invalid("body is not valid JSON")
    if not isinstance(data, dict):
        return invalid("body must be a JSON object")
    target_field = TARGET_FIELD[action]
    missing = [name for name in (target_field, "reason", "operator", "expected_version", "requested_at") if name not in data]
    if missing:
        return invalid(f"missing field(s): {', '.join(missing)}")
    for name in (target_field, "reason", "operator", "requested_at"):
        if not isinstance(data[name], str):
            return invalid(f"{name} must be a string")
        if not storable(data[name]):
            return invalid(f"{name} holds a NUL or a lone surrogate")
    target, operator, reason = data[target_field].strip(), data["operator"].strip(), data["reason"].strip()
    if action == "reassign" and (not target or len(target) > 64):
        return invalid("to_station must be a station code (1 to 64 characters)")
    if action == "reclassify" and target not in TYPE_CODES:
        return invalid(f"to_type must be one of {', '.join(TYPE_CODES)}")
    if not operator or len(operator) > 64:
        return invalid("operator must be 1 to 64 characters")
    if not reason:
        return invalid("reason is required and must not be blank")
    if len(reason) > MAX_REASON:
        return invalid(f"reason is longer than {MAX_REASON} characters")
    version = data["expected_version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        return invalid("expected_version must be a whole number >= 0")
    try:
        requested_at = datetime.fromisoformat(data["requested_at"])
    except ValueError:
        return invalid("requested_at must be an ISO 8601 date-time with an offset")
    if requested_at.tzinfo is None:
        return invalid("requested_at must carry a UTC offset")
    try:
        requested_at.timestamp()  # hashed below: year 1 at +14:00 has no instant
    except (OverflowError, ValueError):
        return invalid("requested_at is out of range")
    return Command(action, target, reason, operator, version, requested_at)


def request_hash(ticket_no: str, parsed: Command | Answer, raw: bytes, action: str = "reassign") -> str:
    """What identifies a request under its Idempotency-Key: its meaning when it parses
    (so the same request serialised otherwise is the same request), else its bytes.
    A reassignment hashes as it did before reclassification existed (keys stored then
    still replay); a reclassification is told apart by its action."""
    digest = hashlib.sha256()
    prefix: list[Any] = [] if action == "reassign" else [action]
    if isinstance(parsed, Command):
        meaning = prefix + [
            ticket_no,
            parsed.target,
            parsed.reason,
            parsed.operator,
            parsed.expected_version,
            parsed.requested_at.timestamp(),
        ]
        digest.update(json.dumps(meaning, ensure_ascii=False).encode("utf-8"))
    else:
        tag = b"" if action == "reassign" else action.encode() + b"\x00"
        digest.update(b"unparsed\x00" + tag + ticket_no.encode("utf-8") + b"\x00" + raw)
    return digest.hexdigest()
