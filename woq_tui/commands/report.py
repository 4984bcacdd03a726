"""woq-console report: station performance for a period (docs/configuration.md, docs/figures.md).

--from / --to take a date (local midnight) or a datetime; --to is exclusive. Without
either: the last full Monday-to-Sunday week before --as-of (default now). With only
--from: up to --as-of; with only --to: the 7 days before it. Times without an offset
are in [console] timezone.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone

from woq_tui.domain.instants import local_minute
from woq_tui.i18n import t

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
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
    from woq_tui.domain.metrics import Period, default_report_period

    as_of = parse_instant("--as-of", args.as_of, tz) if args.as_of else now
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
    return Period(start, end, tz), as_of


def run(args, settings, clock=None) -> int:
    from woq_tui.commands._common import open_database
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

    from woq_tui.store.db import DatabaseError, describe_url, first_line

    engine = open_database(args, settings, must_exist=True)
    try:
        text = render(report(engine, period, as_of), args.format, tz)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        engine.dispose()
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        except OSError as exc:
            print(f"woq-console report: {t('report.cannot_write', path=args.out, error=exc.strerror or exc)}", file=sys.stderr)
            return EXIT_FAILURE
        print(t("report.written", path=args.out), file=sys.stderr)
        return EXIT_OK
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return EXIT_OK
