"""woq-console reassign TICKET_NO --to STATION --reason TEXT: one reassignment without
the console. Written to the outbox first, then pushed (a few quick attempts).

Exit status (cli.md): 0 confirmed by the API, 3 queued in the outbox (not yet confirmed;
it will be retried), 4 refused (conflict, unknown ticket or station, not allowed).
"""

from __future__ import annotations

import sys

from woq_tui.commands._common import open_database
from woq_tui.i18n import t

EXIT_CONFIRMED, EXIT_QUEUED, EXIT_REFUSED, EXIT_USAGE = 0, 3, 4, 2
# Attempts the command makes itself before leaving the entry to the console or `outbox push`.
CLI_ATTEMPTS = 3


def _error(text: str) -> None:
    print(f"woq-console: {text}", file=sys.stderr)


def report(change, settings) -> int:
    """Print what became of one entry; the exit status that says it."""
    from woq_tui.domain.enums import OutboxState

    if change is None or change.state in (OutboxState.pending, OutboxState.failed):
        entry_id = "?" if change is None else change.entry_id[:8]
        error = (change.last_error if change else None) or "-"
        print(t("reassign.cli.queued", id=entry_id, error=error))
        return EXIT_QUEUED
    if change.state == OutboxState.confirmed:
        body = change.body or {}
        print(
            t(
                "reassign.cli.confirmed",
                ticket=change.ticket_no,
                station=body.get("station_code", change.to_station),
                version=body.get("version", "?"),
            )
        )
        return EXIT_CONFIRMED
    body = change.body or {}
    if change.state == OutboxState.conflict:
        _error(
            t(
                "reassign.cli.conflict",
                ticket=change.ticket_no,
                station=body.get("current_station", "?"),
                version=body.get("current_version", "?"),
            )
        )
    elif body.get("error") in ("unauthorized", "forbidden"):
        _error(t("reassign.cli.token", error=change.last_error, env=settings.dispatch.token_env))
    else:
        _error(t("reassign.cli.refused", error=change.last_error))
    return EXIT_REFUSED


def run(args, settings) -> int:
    from woq_tui.dispatch.outbox import Pusher, record, ticket_ref

    if not settings.dispatch.base_url:
        _error(t("reassign.cli.off"))
        return EXIT_USAGE
    if not args.reason.strip():
        _error(t("reassign.cli.blank_reason"))
        return EXIT_USAGE
    engine = open_database(args, settings)
    try:
        ref = ticket_ref(engine, args.ticket_no)
        if ref is None:
            _error(t("reassign.cli.unknown_ticket", ticket=args.ticket_no))
            return EXIT_REFUSED
        operator = args.operator or settings.console.operator
        from woq_tui.domain.clock import SystemClock

        clock = SystemClock()
        entries = record(engine, clock, [ref], args.to_station, args.reason, operator)
        if not entries:
            _error(t("reassign.cli.same_station", ticket=ref.ticket_no, station=ref.station_code))
            return EXIT_REFUSED
        pusher = Pusher(engine, settings, clock)
        try:
            change = pusher.deliver(entries[0], force=True, budget=min(CLI_ATTEMPTS, settings.dispatch.max_attempts))
        finally:
            pusher.close()
        return report(change, settings)
    finally:
        engine.dispose()
