"""woq-console audit: the flags of a period's tickets (docs/audit.md), and its
actions: `audit review TICKET_NO RULE --confirm|--dismiss [--note TEXT]` (here) and
`audit train` (commands/audit_train.py, the classifier's).

Exit status: 0 done; 2 usage (a bad time, an unknown rule or station, a blank
operator) and, for `review`, a viewer or --read-only (refused before this runs:
commands/_common.py); 1 a runtime failure, and for `review` a ticket that does not
exist or has no such flag: nothing is written then. The period options work as
`report`'s (commands/report.py): default the last full Monday-to-Sunday week.
"""

from __future__ import annotations

import sys

from woq_tui.domain.safe_text import terminal_text
from woq_tui.i18n import t

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _error(command: str, text: str) -> None:
    print(f"woq-console {command}: {terminal_text(text)}", file=sys.stderr)


def run(args, settings, clock=None) -> int:
    if args.audit_command == "train":
        from woq_tui.commands.audit_train import run as train

        return train(args, settings)
    from woq_tui.domain.clock import SystemClock

    clock = clock or SystemClock()
    if args.audit_command == "review":
        return _review(args, settings, clock)
    return _list(args, settings, clock)


def _list(args, settings, clock) -> int:
    from woq_tui.commands.report import UsageError, resolve_period
    from woq_tui.domain.audit_rules import RULE_IDS

    try:
        period, as_of = resolve_period(args, settings.tz, clock.now())
    except UsageError as exc:
        _error("audit", str(exc))
        return EXIT_USAGE
    for rule in args.rules or ():
        if rule not in RULE_IDS:
            _error("audit", t("audit.cli.unknown_rule", rule=rule, rules=", ".join(RULE_IDS)))
            return EXIT_USAGE
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.commands._common import open_database
    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.db import describe_url

    engine = open_database(args, settings, must_exist=True)
    try:
        return _list_from(engine, args, settings, period, as_of)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        engine.dispose()


def _list_from(engine, args, settings, period, as_of) -> int:
    from woq_tui.reporting import audit_report
    from woq_tui.store.audit import evaluate, phones_of, station_exists

    if args.station is not None and not station_exists(engine, args.station):
        _error("audit", t("audit.cli.unknown_station", station=args.station))
        return EXIT_USAGE
    evaluation = evaluate(engine, period, as_of, settings, rules=args.rules, station=args.station)
    view, tz = evaluation.view, settings.tz
    if args.format == "json":
        text = audit_report.render_json(view, tz)
    elif args.format == "csv":
        text = audit_report.render_csv(view, tz)
    else:
        repeats = [flag.ticket_no for flag in view.flags if flag.rule == "repeat_call"]
        text = audit_report.render_text(view, tz, phones_of(engine, repeats), evaluation.notice)
    if args.format != "text" and evaluation.notice is not None:
        _error("audit", t("audit.cli.skipped", rules="type_suspect", why=t(evaluation.notice)))
    from woq_tui.commands.output import emit

    return emit(text.encode("utf-8"), args.out, "audit", "audit.written", "audit.cannot_write")


def _review(args, settings, clock) -> int:
    from woq_tui.commands.reassign import unusable_text
    from woq_tui.domain.audit_rules import RULES_BY_ID

    operator = settings.console.operator if args.operator is None else args.operator.strip()
    if not operator:
        _error("audit review", t("audit.cli.blank_operator"))
        return EXIT_USAGE
    bad = unusable_text(ticket=args.ticket_no, rule=args.rule, note=args.note or "", operator=operator)
    if bad is not None:
        _error("audit review", t("reassign.cli.bad_text", option=bad))
        return EXIT_USAGE
    if args.rule not in RULES_BY_ID:
        _error("audit review", t("audit.review.unknown_rule", rule=args.rule))
        return EXIT_USAGE
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.commands._common import open_database
    from woq_tui.errors import DatabaseError, ReviewError, first_line
    from woq_tui.store.audit import review
    from woq_tui.store.db import describe_url

    engine = open_database(args, settings, must_exist=True)
    try:
        done = review(engine, settings, args.ticket_no, args.rule, args.verdict, args.note, clock.now(), operator)
    except ReviewError as exc:
        values = dict(exc.values)
        if "rule" in values and values["rule"] in RULES_BY_ID:
            values["rule"] = t(RULES_BY_ID[values["rule"]].name_key)
        _error("audit review", t(exc.key, **values))
        return EXIT_FAILURE
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        engine.dispose()
    print(terminal_text(t("audit.cli.reviewed", ticket=args.ticket_no, rule=t(RULES_BY_ID[args.rule].name_key),
                          verdict=t(f"audit.verdict.{done.verdict}"), operator=done.operator)))  # fmt: skip
    return EXIT_OK
