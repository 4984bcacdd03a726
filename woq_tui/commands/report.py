"""woq-console report: station performance for a period (docs/configuration.md, docs/figures.md).

--from / --to take a date (local midnight) or a datetime; --to is exclusive. Without
either: the last full Monday-to-Sunday week before --as-of (default now). With only
--from: up to --as-of; with only --to: the 7 days before it. --period week|month|
quarter|year: the last full one, or the one holding --from's day. A period never ends
after --as-of's day (docs/assessment.md). Times without an offset are in [console]
timezone. --with-score adds each station's score and rank (docs/assessment.md).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone

from woq_tui.commands.exit_codes import EXIT_USAGE
from woq_tui.domain.instants import local_minute
from woq_tui.i18n import t

# The days a report may name: times are stored as seconds since 1970, and a year past
# 2999 is a typo (`--to 9999-12-31` overflowed the week arithmetic with a traceback).
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


class UsageError(Exception):
    pass


def parse_instant(option: str, value: str, tz) -> datetime:
    """A date (its local midnight) or a datetime; naive values are in `tz`. UTC out."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=tz)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(t("report.bad_time", option=option, value=value)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise UsageError(t("report.out_of_range", option=option, value=value, first=FIRST_DAY, last=LAST_DAY))
    return moment.astimezone(timezone.utc)


def resolve_period(args, tz, now: datetime):
    """(period, as_of) the options name; never a period ending after as_of's day
    (docs/assessment.md, "Periods"): a later --to is cut there, a later start refused."""
    from woq_tui.domain.periods import FuturePeriod, Period, clip_to_day, default_report_period

    as_of = parse_instant("--as-of", args.as_of, tz) if args.as_of else now
    if getattr(args, "period", None):
        return _calendar_period(args, tz, as_of), as_of
    start = parse_instant("--from", args.date_from, tz) if args.date_from else None
    end = parse_instant("--to", args.date_to, tz) if args.date_to else None
    if start is None and end is None:
        return default_report_period(as_of, tz), as_of
    if end is None:
        end = as_of
    if start is None:
        start = end - timedelta(days=7)
    if start >= end:
        raise UsageError(t("report.bad_range", start=local_minute(start, tz), end=local_minute(end, tz)))
    try:
        return clip_to_day(Period(start, end, tz), as_of), as_of
    except FuturePeriod:
        raise UsageError(t("report.future_period", start=local_minute(start, tz), as_of=local_minute(as_of, tz))) from None


def _calendar_period(args, tz, as_of: datetime):
    """--period KIND: the last full one, or with --from the one holding that day."""
    from woq_tui.domain.periods import FuturePeriod, last_full_period, period_of_kind

    if args.date_to:
        raise UsageError(t("report.period_and_to"))
    if not args.date_from:
        return last_full_period(args.period, as_of, tz)
    start = parse_instant("--from", args.date_from, tz)
    try:
        return period_of_kind(args.period, start.astimezone(tz).date(), as_of, tz)
    except FuturePeriod:
        raise UsageError(t("report.future_period", start=local_minute(start, tz), as_of=local_minute(as_of, tz))) from None


def run(args, settings, clock=None) -> int:
    from woq_tui.commands._common import open_for_reading
    from woq_tui.domain.clock import SystemClock
    from woq_tui.reporting import render
    from woq_tui.store.figures import report

    tz = settings.tz
    try:
        period, as_of = resolve_period(args, tz, (clock or SystemClock()).now())
    except UsageError as exc:
        print(f"woq-console report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.db import describe_url

    context = open_for_reading(args, settings, must_exist=True)
    engine = context.read_engine
    try:
        figures = report(engine, period, as_of)
        if getattr(args, "with_audit", False):
            from woq_tui.reporting.audit_figures import add_quality

            notice = add_quality(figures, context.engine, settings)  # the audit reads the primary (docs/replica.md)
            if notice is not None:
                print(f"woq-console report: {t('audit.cli.skipped', rules='type_suspect', why=t(notice))}", file=sys.stderr)
        if getattr(args, "with_score", False):
            from woq_tui.reporting.score_columns import add_scores

            add_scores(figures, engine, settings, audit_engine=context.engine)
        text = render(figures, args.format, tz)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        context.dispose()
    from woq_tui.commands.output import emit

    return emit(text.encode("utf-8"), args.out, "report", "report.written", "report.cannot_write")
