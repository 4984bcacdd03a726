"""woq-console outbox [list|push|retry ID|drop ID]: the reassignments not yet confirmed.

list: every entry not confirmed. push: deliver every pending entry now (exit 0 when each
got an answer, 3 when some are still queued or failed). retry ID: a failed entry again,
now (exit as `reassign`). drop ID: forget an entry. IDs may be shortened to a unique
prefix of 4 characters or more (the list shows 8).
"""

from __future__ import annotations

import sys

from rich.cells import cell_len

from woq_tui.commands._common import open_database
from woq_tui.commands.reassign import EXIT_QUEUED, EXIT_USAGE, report
from woq_tui.domain.instants import local_minute
from woq_tui.i18n import t


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - cell_len(text), 0)


def _table(rows: list[list[str]]) -> str:
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def _list(engine, settings) -> int:
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
                entry.ticket_no,
                f"{entry.from_station or '?'} → {entry.to_station}",
                local_minute(entry.requested_at, settings.tz),
                entry.last_error or "",
            ]
        )
    print(_table(rows))
    return 0


def _push(engine, settings) -> int:
    from woq_tui.dispatch.outbox import Pusher, summarize

    def show(change) -> None:
        if change.state == "pending":
            return
        error = f" ({change.last_error})" if change.last_error else ""
        print(
            t(
                "outbox.cli.line",
                ticket=change.ticket_no,
                station=change.to_station,
                state=t(f"outbox.state.{change.state}"),
                error=error,
            )
        )

    pusher = Pusher(engine, settings, on_change=show)
    try:
        changes = pusher.push(force=True)
    finally:
        pusher.close()
    if not changes:
        print(t("outbox.cli.nothing"))
        return 0
    counts = {state: 0 for state in ("confirmed", "conflict", "refused", "failed", "pending")}
    counts.update(summarize(changes))
    print(t("outbox.cli.pushed", total=len(changes), **counts))
    return EXIT_QUEUED if counts["failed"] or counts["pending"] else 0


def run(args, settings) -> int:
    from woq_tui.dispatch.outbox import OutboxError, Pusher, drop, retry
    from woq_tui.domain.clock import SystemClock

    if args.action in ("push", "retry") and not settings.dispatch.base_url:
        print(f"woq-console: {t('reassign.cli.off')}", file=sys.stderr)
        return EXIT_USAGE
    engine = open_database(args, settings)
    try:
        if args.action == "list":
            return _list(engine, settings)
        if args.action == "push":
            return _push(engine, settings)
        if args.action == "drop":
            entry = drop(engine, args.entry_id)
            print(t("outbox.cli.dropped", id=entry.id[:8], ticket=entry.ticket_no, station=entry.to_station))
            return 0
        entry = retry(engine, SystemClock(), args.entry_id)
        pusher = Pusher(engine, settings)
        try:
            return report(pusher.deliver(entry, force=True), settings)
        finally:
            pusher.close()
    except OutboxError as exc:
        print(f"woq-console outbox {args.action}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        engine.dispose()
