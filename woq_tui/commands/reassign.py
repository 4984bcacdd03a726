"""woq-console reassign TICKET_NO --to STATION --reason TEXT: one reassignment without
the console. Written to the outbox first, then pushed: up to `[dispatch] max_attempts`
attempts, within `timeout_seconds × max_attempts` plus a few seconds whatever the API
does (a Retry-After that asks for longer is honoured later, by the outbox).

Exit status (docs/dispatch.md): 0 confirmed by the API; 3 queued in the outbox (not
confirmed yet: it will be delivered by itself, by the console or `outbox push --wait`);
4 refused (conflict, unknown ticket or station, not allowed): nothing was changed;
1 failed (only when its retry window has already passed).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from woq_tui.commands._common import open_database
from woq_tui.domain.safe_text import terminal_text
from woq_tui.i18n import t
from woq_tui.outbox_words import error_words

EXIT_CONFIRMED, EXIT_FAILED, EXIT_USAGE, EXIT_QUEUED, EXIT_REFUSED = 0, 1, 2, 3, 4
# Seconds a command may take beyond timeout_seconds × max_attempts (the database's
# writes around the attempts, a slow close).
GRACE_SECONDS = 3.0


def _error(text: str) -> None:
    print(f"woq-console: {terminal_text(text)}", file=sys.stderr)


class OutOfTime(BaseException):
    """The command's time limit passed during an attempt (a server that trickles its
    answer). A BaseException, so that no `except Exception` on the way swallows it."""


@contextmanager
def time_limit(seconds: float):
    """Interrupt the main thread after `seconds` with OutOfTime (SIGALRM): httpx's
    timeout bounds each read, not a whole answer. Elsewhere (another thread, no
    SIGALRM) the attempts' own timeouts are the bound."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(_signum, _frame):
        raise OutOfTime()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def push_one(engine, settings, entry, clock) -> int:
    """Deliver one entry the way `reassign` does, then say what became of it."""
    from woq_tui.dispatch.outbox import Pusher

    dispatch = settings.dispatch
    seconds = dispatch.timeout_seconds * dispatch.max_attempts + GRACE_SECONDS
    pusher = Pusher(engine, settings, clock)
    try:
        with time_limit(seconds + 1):
            pusher.deliver(entry, seconds=seconds)
    except OutOfTime:
        pass  # the entry stays pending: its claim lapses and a pusher sends it again
    finally:
        pusher.close()
    return report(engine, settings, entry.id)


def report(engine, settings, entry_id: str) -> int:
    """Print what the outbox now says of one entry (a reassignment or a
    reclassification); the exit status that says it."""
    from woq_tui.dispatch.outbox import find, give_up_at
    from woq_tui.domain.enums import OutboxKind, OutboxState
    from woq_tui.domain.instants import local_minute

    entry = find(engine, entry_id)
    short = entry.id[:8]
    body = _answer(entry.response)
    error = error_words(entry.last_error) or t("reassign.cli.no_answer")
    if entry.state == OutboxState.pending:
        until = local_minute(give_up_at(entry, settings.dispatch.retry_for_minutes), settings.tz)
        print(terminal_text(t("reassign.cli.queued", id=short, error=error, until=until)))
        return EXIT_QUEUED
    if entry.state == OutboxState.failed:
        _error(t("reassign.cli.failed", id=short, error=error))
        return EXIT_FAILED
    if entry.kind == OutboxKind.reclassify and entry.state in (OutboxState.confirmed, OutboxState.conflict):
        return _reclassify_answer(entry, body)
    if entry.state == OutboxState.confirmed:
        station, version = body.get("station_code", entry.to_station), body.get("version", "?")
        print(terminal_text(t("reassign.cli.confirmed", ticket=entry.ticket_no, station=station, version=version)))
        return EXIT_CONFIRMED
    if entry.state == OutboxState.conflict:
        station, version = body.get("current_station", "?"), body.get("current_version", "?")
        _error(t("reassign.cli.conflict", ticket=entry.ticket_no, station=station, version=version))
    elif body.get("error") in ("unauthorized", "forbidden"):
        _error(t("reassign.cli.token", error=error, env=settings.dispatch.token_env))
    else:
        _error(t("reassign.cli.refused", error=error))
    return EXIT_REFUSED


def _reclassify_answer(entry, body: dict) -> int:
    """A reclassification's confirmation or conflict, by its types' names."""
    from woq_tui.outbox_words import type_name

    version = body.get("version" if entry.state == "confirmed" else "current_version", "?")
    if entry.state == "confirmed":
        kind = type_name(body.get("type", entry.to_type))
        due = body.get("due_at", "?")
        print(terminal_text(t("reclassify.cli.confirmed", ticket=entry.ticket_no, type=kind, version=version, due=due)))
        return EXIT_CONFIRMED
    kind = type_name(body.get("current_type"))
    _error(t("reclassify.cli.conflict", ticket=entry.ticket_no, type=kind, version=version))
    return EXIT_REFUSED


def _answer(text: str | None) -> dict:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def unusable_text(**values: str) -> str | None:
    """The name of the first argument no database can store (a NUL, or bytes that
    are not UTF-8, which Python hands over as lone surrogates), or None."""
    for name, value in values.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return name
        if "\x00" in value:
            return name
    return None


def usage_problem(args, settings, to: str, blank_reason: str) -> str | None:
    """What is wrong with a reassign or reclassify command line before any database
    is opened (dispatch off, a blank reason, text no database can store), or None."""
    if not settings.dispatch.base_url:
        return t("reassign.cli.off")
    if not args.reason.strip():
        return t(blank_reason)
    bad = unusable_text(ticket=args.ticket_no, to=to, reason=args.reason, operator=args.operator or "")
    return None if bad is None else t("reassign.cli.bad_text", option=bad)


def record_and_push(args, settings, write: Callable[..., list], unchanged: Callable[[Any], str]) -> int:
    """The outbox entry written by `write(engine, clock, refs, operator)`, then pushed as
    `reassign` pushes it; `unchanged(ref)` says why nothing was written (already there)."""
    from woq_tui.dispatch.outbox import OutboxError, ticket_ref
    from woq_tui.domain.clock import SystemClock

    engine = open_database(args, settings, must_exist=True)
    try:
        ref = ticket_ref(engine, args.ticket_no)
        if ref is None:
            _error(t("reassign.cli.unknown_ticket", ticket=args.ticket_no))
            return EXIT_REFUSED
        clock = SystemClock()
        try:
            entries = write(engine, clock, [ref], args.operator or settings.console.operator)
        except OutboxError as exc:  # a blank --to or --operator
            _error(str(exc))
            return EXIT_USAGE
        if not entries:
            _error(unchanged(ref))
            return EXIT_REFUSED
        return push_one(engine, settings, entries[0], clock)
    finally:
        engine.dispose()


def run(args, settings) -> int:
    from woq_tui.dispatch.outbox import record

    problem = usage_problem(args, settings, args.to_station, "reassign.cli.blank_reason")
    if problem is not None:
        _error(problem)
        return EXIT_USAGE
    return record_and_push(
        args,
        settings,
        lambda engine, clock, refs, operator: record(engine, clock, refs, args.to_station, args.reason, operator),
        lambda ref: t("reassign.cli.same_station", ticket=ref.ticket_no, station=ref.station_code),
    )
