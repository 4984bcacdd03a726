"""The notifications for the dispatch API's final answers: one per reassignment or
reclassification request (an entry's kind picks the words).

A dispatcher who reassigns thirty marked tickets wants to read "30 tickets reassigned
to S003", not thirty toasts. The answers of one request's entries are gathered until
every entry has one, then shown as one notification, a line per kind of answer (the
single-ticket wording when a kind has one ticket). Entries that leave the pusher's
cycle without an answer (dropped meanwhile, taken by another console, the console
stopping) would hold the rest back: at the end of each cycle whatever has been
answered is shown, and the rest are told one by one as their answers come. Entries
the console did not request itself in this run (another console's, the outbox
screen's retries, what a previous run left) are told one by one, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from woq_tui.domain.enums import OutboxState
from woq_tui.i18n import t
from woq_tui.outbox_words import RECLASSIFY, error_words, target_of, type_name

if TYPE_CHECKING:  # the dispatch side (httpx, stamina) loads only where reassignment is on
    from woq_tui.values.outbox import OutboxChange

# How many ticket numbers a line names before "…".
NAMED = 3
_SEVERITY_RANK = {"information": 0, "warning": 1, "error": 2}
_KIND_ORDER = tuple(
    f"{command}.{answer}_many"
    for command in ("reassign", "reclassify")
    for answer in ("done", "conflict", "refused", "refused_token", "failed")
)


@dataclass(frozen=True)
class Notice:
    message: str
    severity: str = "information"
    timeout: float = 4
    # the message key when several tickets of a request got this answer
    many_key: str = ""


def notice_for(change: OutboxChange, token_env: str) -> Notice | None:
    """What one entry's final answer says; None while it is still pending."""
    command = "reclassify" if change.kind == RECLASSIFY else "reassign"
    target = target_of(change.kind, change.to_station, change.to_type)
    words = dict(ticket=change.ticket_no, station=change.to_station, target=target, error=error_words(change.last_error))
    body = change.body or {}
    if change.state == OutboxState.confirmed:
        return Notice(t(f"{command}.done", **words), many_key=f"{command}.done_many")
    if change.state == OutboxState.conflict:
        if command == "reclassify":
            current = type_name(body.get("current_type"))
        else:
            current = body.get("current_station", "?")
        message = t(f"{command}.conflict", current=current, version=body.get("current_version", "?"), **words)
        return Notice(message, "warning", 12, f"{command}.conflict_many")
    if change.state == OutboxState.refused:
        token = body.get("error") in ("unauthorized", "forbidden")
        key = f"{command}.refused_token" if token else f"{command}.refused"
        return Notice(t(key, env=token_env, **words), "error", 12, key + "_many")
    if change.state == OutboxState.failed:
        return Notice(t(f"{command}.failed", attempts=change.attempts, **words), "error", 12, f"{command}.failed_many")
    return None


@dataclass
class _Request:
    waiting: set[str]
    answered: list[tuple[OutboxChange, Notice]] = field(default_factory=list)


def _named(changes: list[OutboxChange]) -> str:
    numbers = [change.ticket_no for change in changes]
    return t("reassign.list_sep").join(numbers[:NAMED]) + ("…" if len(numbers) > NAMED else "")


def summary(answered: list[tuple[OutboxChange, Notice]], token_env: str) -> Notice:
    """One notification for several answers: a line per kind, the reassigned first."""
    by_kind: dict[str, list[tuple[OutboxChange, Notice]]] = {}
    for change, notice in sorted(answered, key=lambda item: _KIND_ORDER.index(item[1].many_key)):
        by_kind.setdefault(notice.many_key, []).append((change, notice))
    lines, severity, timeout = [], "information", 0.0
    for many_key, items in by_kind.items():
        changes = [change for change, _ in items]
        if len(items) == 1:
            lines.append(items[0][1].message)
        else:
            first = changes[0]
            target = target_of(first.kind, first.to_station, first.to_type)
            words = dict(count=len(items), station=first.to_station, target=target, tickets=_named(changes), env=token_env)
            lines.append(t(many_key, error=error_words(changes[-1].last_error), **words))
        for _, notice in items:
            if _SEVERITY_RANK[notice.severity] > _SEVERITY_RANK[severity]:
                severity = notice.severity
            timeout = max(timeout, notice.timeout)
    return Notice("\n".join(lines), severity, timeout)


class ReassignNotices:
    """Gathers the answers of each request the console made, and notifies."""

    def __init__(self, notify: Callable[[Notice], None], token_env: str) -> None:
        self._notify = notify
        self._token_env = token_env
        self._request_of: dict[str, _Request] = {}

    def expect(self, entry_ids: list[str]) -> None:
        """The entries one request wrote to the outbox."""
        if len(entry_ids) > 1:
            request = _Request(set(entry_ids))
            self._request_of.update((entry_id, request) for entry_id in entry_ids)

    def answer(self, change: OutboxChange, notice: Notice) -> None:
        request = self._request_of.pop(change.entry_id, None)
        if request is None:
            self._notify(notice)
            return
        request.waiting.discard(change.entry_id)
        request.answered.append((change, notice))
        if not request.waiting:
            self._notify(summary(request.answered, self._token_env))

    def cycle_ended(self) -> None:
        """The pusher is done for now: show what has been answered, and let the rest
        be told one by one."""
        requests = {id(request): request for request in self._request_of.values()}.values()
        for request in requests:
            if request.answered:
                self._notify(summary(request.answered, self._token_env))
                for entry_id in request.waiting:
                    del self._request_of[entry_id]
