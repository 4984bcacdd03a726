"""woq-console reclassify TICKET_NO --to TYPE --reason TEXT: change a ticket's type
through the dispatch API (docs/dispatch.md), the way `reassign` moves it: written to
the same outbox first, then pushed with the same attempts, time limit and exit status
(0 confirmed, 3 queued, 4 refused, 1 failed, 2 usage). TYPE is a type code of docs/sla.md
or one of its Chinese names, as the importer accepts them (故障报修, 报修, 投诉, ...).
"""

from __future__ import annotations

from woq_tui.commands.reassign import EXIT_USAGE, _error, record_and_push, usage_problem
from woq_tui.domain.enums import TicketType
from woq_tui.i18n import t


def type_code(text: str) -> str | None:
    """A type code from its code or any Chinese name of it (the importer's vocabulary,
    domain/import_rows.py); None when it names no type."""
    from woq_tui.domain.import_rows import VALUE_ALIASES
    from woq_tui.domain.import_values import match_key

    return VALUE_ALIASES["type"].get(match_key(text))


def run(args, settings) -> int:
    from woq_tui.dispatch.outbox import record_reclassification
    from woq_tui.outbox_words import type_name

    problem = usage_problem(args, settings, args.to_type, "reclassify.cli.blank_reason")
    if problem is not None:
        _error(problem)
        return EXIT_USAGE
    to_type = type_code(args.to_type)
    if to_type is None:
        _error(t("reclassify.cli.unknown_type", type=args.to_type, codes=", ".join(kind.value for kind in TicketType)))
        return EXIT_USAGE
    return record_and_push(
        args,
        settings,
        lambda engine, clock, refs, operator: record_reclassification(engine, clock, refs, to_type, args.reason, operator),
        lambda ref: t("reclassify.cli.same_type", ticket=ref.ticket_no, type=type_name(to_type)),
    )
