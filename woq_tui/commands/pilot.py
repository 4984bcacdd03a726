"""woq-console pilot: evaluate a pilot at some stations (docs/assessment.md).

`--stations S1,S2 --since DATE [--control S3,S4] [--figure overdue_rate] [--weeks N]
[--as-of DATETIME] [--format text|json]`: the difference in differences of the figure
between the pilot stations and the control (default: every other station) over the
`weeks` weeks before and from the start, with its 95 % bootstrap interval. Bad input
is one line in the console language and exit 2; a database failure exit 1.
"""

from __future__ import annotations

import json
import sys
from datetime import date

from woq_tui.commands.exit_codes import EXIT_OK, EXIT_USAGE
from woq_tui.i18n import t


class UsageError(Exception):
    pass


def parse_codes(value: str | None) -> list[str]:
    return [code.strip() for code in (value or "").split(",") if code.strip()]


def parse_since(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(t("pilot.bad_since", value=value)) from None


def _options(args, settings):
    from woq_tui.commands.report import UsageError as ReportUsage, parse_instant
    from woq_tui.domain.pilot import PILOT_FIGURES

    stations = parse_codes(args.stations)
    if not stations:
        raise UsageError(t("pilot.no_stations"))
    if args.figure not in PILOT_FIGURES:
        raise UsageError(t("pilot.bad_figure", figure=args.figure, choices=", ".join(PILOT_FIGURES)))
    weeks = settings.assessment.weeks if args.weeks is None else args.weeks
    if not 1 <= weeks <= 52:
        raise UsageError(t("pilot.bad_weeks", value=weeks))
    try:
        as_of = parse_instant("--as-of", args.as_of, settings.tz) if args.as_of else None
    except ReportUsage as exc:
        raise UsageError(str(exc)) from None
    return stations, parse_codes(args.control) or None, parse_since(args.since), weeks, as_of


def run(args, settings, clock=None) -> int:
    from woq_tui.domain.clock import SystemClock

    try:
        stations, control, since, weeks, as_of = _options(args, settings)
    except UsageError as exc:
        print(f"woq-console pilot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    as_of = as_of or (clock or SystemClock()).now()
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.commands._common import open_for_reading
    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.db import describe_url
    from woq_tui.store.pilot import PilotError, evaluate_pilot

    context = open_for_reading(args, settings)
    engine = context.read_engine
    try:
        result = evaluate_pilot(
            engine, stations, since, as_of, settings.tz, control=control, figure=args.figure, weeks=weeks,
            resamples=settings.assessment.bootstrap,
        )  # fmt: skip
    except PilotError as exc:
        print(f"woq-console pilot: {t(exc.key, **exc.values)}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        context.dispose()
    if args.format == "json":
        from woq_tui.reporting.pilot_report import pilot_document

        text = json.dumps(pilot_document(result), ensure_ascii=False, indent=2) + "\n"
    else:
        from woq_tui.reporting.pilot_report import pilot_text

        text = pilot_text(result, settings.tz)
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return EXIT_OK
