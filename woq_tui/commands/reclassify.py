"""woq-console reclassify TICKET_NO --to TYPE --reason TEXT: change a ticket's type
through the dispatch API (docs/dispatch.md), the way `reassign` moves it: written to
the same outbox first, then pushed with the same attempts, time limit and exit status
(0 confirmed, 3 queued, 4 refused, 1 failed, 2 usage). TYPE is a type code of docs/sla.md
or one of its Chinese names, as the importer accepts them (故障报修, 报修, 投诉, ...).
"""

from __future__ import annotations

from woq_tui.commands._common import open_database
from woq_tui.commands.reassign import EXIT_REFUSED, EXIT_USAGE, _error, push_one, unusable_text
from woq_tui.domain.enums import TicketType
from woq_tui.i18n import t


def type_code(text: str) -> str | None:
    """A type code from its code or any Chinese name of it (the importer's vocabulary,
    domain/import_rows.py); None when it names no type."""
    from woq_tui.domain.import_rows import VALUE_ALIASES
    from woq_tui.domain.import_values import match_key

    return VALUE_ALIASES["type"].get(match_key(text))


def run(args, settings) -> int:
    from woq_tui.dispatch.outbox import OutboxError, record_reclassification, ticket_ref
    from woq_tui.domain.clock import SystemClock
    from woq_tui.outbox_words import type_name

    if not settings.dispatch.base_url:
        _error(t("reassign.cli.off"))
        return EXIT_USAGE
    if not args.reason.strip():
        _error(t("reclassify.cli.blank_reason"))
        return EXIT_USAGE
    bad = unusable_text(ticket=args.ticket_no, to=args.to_type, reason=args.reason, operator=args.operator or "")
    if bad is not None:
        _error(t("reassign.cli.bad_text", option=bad))
        return EXIT_USAGE
    to_type = type_code(args.to_type)
    if to_type is None:
        _error(t("reclassify.cli.unknown_type", type=args.to_type, codes=", ".join(kind.value for kind in TicketType)))
        return EXIT_USAGE
    engine = open_database(args, settings, must_exist=True)
    try:
        ref = ticket_ref(engine, args.ticket_no)
        if ref is None:
            _error(t("reassign.cli.unknown_ticket", ticket=args.ticket_no))
            return EXIT_REFUSED
        operator = args.operator or settings.console.operator
        clock = SystemClock()
        try:
            entries = record_reclassification(engine, clock, [ref], to_type, args.reason, operator)
        except OutboxError as exc:  # a blank --operator
            _error(str(exc))
            return EXIT_USAGE
        if not entries:
            _error(t("reclassify.cli.same_type", ticket=ref.ticket_no, type=type_name(to_type)))
            return EXIT_REFUSED
        return push_one(engine, settings, entries[0], clock)
    finally:
        engine.dispose()
