"""woq-console bulletin: the monthly bulletin (月通报) as html, md or xlsx
(docs/assessment.md "Monthly bulletin").

--month YYYY-MM (default: the last full month before --as-of); a month still running
at --as-of is cut at its day, a month not begun is refused. --out FILE, or stdout (an
xlsx only when stdout is not a terminal). Exit 0 done, 1 database or file failure, 2
bad input.
"""

from __future__ import annotations

import re
import sys
from datetime import date

from woq_tui.commands.exit_codes import EXIT_USAGE
from woq_tui.i18n import t

MONTH = re.compile(r"(\d{4})-(\d{1,2})")


class UsageError(Exception):
    pass


def resolve_month(args, tz, now):
    """(month, as_of) the options name."""
    from woq_tui.commands.report import UsageError as ReportUsage, parse_instant
    from woq_tui.domain.instants import local_minute
    from woq_tui.domain.periods import FuturePeriod, last_full_period, period_of_kind

    try:
        as_of = parse_instant("--as-of", args.as_of, tz) if args.as_of else now
    except ReportUsage as exc:
        raise UsageError(str(exc)) from None
    if not args.month:
        return last_full_period("month", as_of, tz), as_of
    match = MONTH.fullmatch(args.month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise UsageError(t("bulletin.bad_month", value=args.month))
    try:
        return period_of_kind("month", date(int(match.group(1)), int(match.group(2)), 1), as_of, tz), as_of
    except FuturePeriod:
        raise UsageError(t("bulletin.future_month", value=args.month, as_of=local_minute(as_of, tz))) from None


def render(data, fmt: str, tz, generated) -> bytes:
    if fmt == "xlsx":
        from woq_tui.reporting.bulletin_xlsx import render_bulletin_xlsx

        return render_bulletin_xlsx(data, tz, generated)
    if fmt == "md":
        from woq_tui.reporting.bulletin_md import render_bulletin_md

        return render_bulletin_md(data, tz, generated).encode("utf-8")
    from woq_tui.reporting.bulletin_html import render_bulletin_html

    return render_bulletin_html(data, tz, generated).encode("utf-8")


def run(args, settings, clock=None) -> int:
    from woq_tui.domain.clock import SystemClock

    now = (clock or SystemClock()).now()
    try:
        month, as_of = resolve_month(args, settings.tz, now)
    except UsageError as exc:
        print(f"woq-console bulletin: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "xlsx" and not args.out and sys.stdout.isatty():
        print(f"woq-console bulletin: {t('bulletin.needs_out')}", file=sys.stderr)
        return EXIT_USAGE
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.commands._common import open_for_reading
    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.assessment_hooks import audit_flags_source, quality_source
    from woq_tui.store.bulletin import bulletin
    from woq_tui.store.db import describe_url

    context = open_for_reading(args, settings)
    engine, primary = context.read_engine, context.engine
    try:
        data = bulletin(
            engine, month, as_of, settings.assessment, quality_source(settings, primary), audit_flags_source(settings, primary)
        )
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        context.dispose()
    from woq_tui.commands.output import emit

    content = render(data, args.format, settings.tz, now)
    return emit(content, args.out, "bulletin", "bulletin.written", "bulletin.cannot_write")
