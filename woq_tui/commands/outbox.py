"""woq-console outbox [list|push [--wait]|retry ID|drop ID]: the reassignments and
reclassifications not yet confirmed (docs/dispatch.md), one outbox for both.

list: every entry not confirmed, with its next step in words. push: one attempt at
every pending entry now, whatever its backoff says; --wait: then again as each falls
due, until none is pending. Exit status of push: 0 every entry delivered, 3 some still
pending (retried by themselves), 1 some failed, conflict or refused (someone has to
look; 1 wins over 3). retry ID: a failed entry again, now, with a new retry window
(exit as `reassign`). drop ID: forget an entry. IDs may be shortened to a unique prefix
of 4 characters or more (the list shows 8).
"""

from __future__ import annotations

import sys

from rich.cells import cell_len

from woq_tui.commands._common import open_database
from woq_tui.commands.reassign import EXIT_FAILED, EXIT_QUEUED, EXIT_USAGE, push_one
from woq_tui.domain.instants import local_minute
from woq_tui.domain.safe_text import terminal_text
from woq_tui.i18n import t
from woq_tui.outbox_words import error_words, move_of, target_of


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - cell_len(text), 0)


def _table(rows: list[list[str]]) -> str:
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def next_step(entry, settings, now) -> str:
    """What happens to an entry next, in words: retried by itself (when), or who must act."""
    from woq_tui.dispatch.outbox import give_up_at
    from woq_tui.domain.enums import OutboxState

    tz = settings.tz
    if entry.state == OutboxState.pending:
        until = local_minute(give_up_at(entry, settings.dispatch.retry_for_minutes), tz)
        if entry.next_attempt_at is None or entry.next_attempt_at <= now:
            return t("outbox.step.pending_now", until=until)
        return t("outbox.step.pending", next=local_minute(entry.next_attempt_at, tz), until=until)
    if entry.state == OutboxState.failed:
        return t("outbox.step.failed", id=entry.id[:8])
    return t("outbox.step.final", id=entry.id[:8])


def _list(engine, settings, now) -> int:
    from woq_tui.dispatch.outbox import list_entries

    entries = list_entries(engine)
    if not entries:
        print(t("outbox.cli.empty"))
        return 0
    rows = [t("outbox.cli.header").split()]
    for entry in entries:
        rows.append(
            [
                entry.id[:8],
                t(f"outbox.state.{entry.state}"),
                str(entry.attempts),
                terminal_text(entry.ticket_no),
                terminal_text(move_of(entry.kind, entry.from_station, entry.to_station, entry.from_type, entry.to_type)),
                local_minute(entry.requested_at, settings.tz),
                next_step(entry, settings, now),
                error_words(entry.last_error),
            ]
        )
    print(_table(rows))
    return 0


def _push(engine, settings, wait: bool) -> int:
    from woq_tui.dispatch.outbox import Pusher, push_until_settled, summarize

    changes = []

    def show(change) -> None:
        if change.state == "pending":
            return
        changes.append(change)
        error = f" ({error_words(change.last_error)})" if change.last_error else ""
        state = t(f"outbox.state.{change.state}")
        station = target_of(change.kind, change.to_station, change.to_type)
        print(terminal_text(t("outbox.cli.line", ticket=change.ticket_no, station=station, state=state, error=error)))

    pusher = Pusher(engine, settings, on_change=show)
    try:
        if wait:
            push_until_settled(pusher)
        else:
            attempted = pusher.push(force=True)
            changes.extend(change for change in attempted if change.state == "pending")
    finally:
        pusher.close()
    if changes:
        counts = {state: 0 for state in ("confirmed", "conflict", "refused", "failed", "pending")}
        counts.update(summarize(changes))
        print(t("outbox.cli.pushed", total=len(changes), **counts))
    else:
        print(t("outbox.cli.nothing"))
    return _standing(engine, settings, pusher.clock.now())


def _standing(engine, settings, now) -> int:
    """Say what is left in the outbox; the exit status of `push`."""
    from woq_tui.dispatch.outbox import NEEDS_A_PERSON, list_entries, outbox_counts

    counts = outbox_counts(engine)
    if counts.pending:
        print(t("outbox.cli.still_pending", count=counts.pending))
    if counts.needs_a_person:
        print(t("outbox.cli.need_a_person", count=counts.needs_a_person))
        for entry in list_entries(engine):
            if entry.state in NEEDS_A_PERSON:
                error = f" ({error_words(entry.last_error)})" if entry.last_error else ""
                line = t(
                    "outbox.cli.person_line",
                    id=entry.id[:8],
                    ticket=entry.ticket_no,
                    station=target_of(entry.kind, entry.to_station, entry.to_type),
                    state=t(f"outbox.state.{entry.state}"),
                    error=error,
                    step=next_step(entry, settings, now),
                )
                print(terminal_text(line))
        return EXIT_FAILED
    return EXIT_QUEUED if counts.pending else 0


def run(args, settings) -> int:
    from woq_tui.dispatch.outbox import OutboxError, drop, retry
    from woq_tui.domain.clock import SystemClock

    if args.action in ("push", "retry") and not settings.dispatch.base_url:
        print(f"woq-console: {t('reassign.cli.off')}", file=sys.stderr)
        return EXIT_USAGE
    engine = open_database(args, settings, must_exist=True)
    clock = SystemClock()
    try:
        if args.action == "list":
            return _list(engine, settings, clock.now())
        if args.action == "push":
            return _push(engine, settings, args.wait)
        if args.action == "drop":
            entry = drop(engine, args.entry_id)
            station = target_of(entry.kind, entry.to_station, entry.to_type)
            print(terminal_text(t("outbox.cli.dropped", id=entry.id[:8], ticket=entry.ticket_no, station=station)))
            return 0
        entry = retry(engine, clock, args.entry_id)
        return push_one(engine, settings, entry, clock)
    except OutboxError as exc:
        print(f"woq-console outbox {args.action}: {terminal_text(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        engine.dispose()
