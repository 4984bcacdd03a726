"""woq-console generate: demo data into any database (docs/demo.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from woq_tui.commands._common import open_database
from woq_tui.commands.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from woq_tui.errors import DatabaseError, first_line
from woq_tui.i18n import t
from woq_tui.store.db import describe_url


def parse_end(text: str, tz: tzinfo) -> datetime:
    """A date (midnight) or a datetime; without an offset it is in the configured zone."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.replace(microsecond=0)


def check_counts(args) -> str | None:
    """The one-line complaint about --stations / --days, or None."""
    for flag in ("stations", "days"):
        value = getattr(args, flag)
        if value < 1:
            return t("demo.bad_count", flag=flag, value=value)
    return None


class Progress:
    """A line that counts generated tickets: rewritten in place on a terminal, else once."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        print(t("demo.generating"), file=self.stream, end="" if self.live else "\n", flush=True)

    def __call__(self, count: int) -> None:
        if self.live:
            print(f"\r\x1b[2K{t('demo.progress', count=count)}", file=self.stream, end="", flush=True)

    def done(self) -> None:
        if self.live:
            print(file=self.stream, flush=True)


def generate_into(engine, settings, args, end: datetime, progress: Callable[[int], None] | None):
    from woq_tui.demo.generator import generate

    return generate(
        engine,
        settings.sla_policy(),
        seed=args.seed,
        stations=args.stations,
        days=args.days,
        end=end,
        progress=progress,
    )


def run(args, settings) -> int:
    from woq_tui.demo.generator import NotEmptyError, is_empty
    from woq_tui.domain.clock import SystemClock
    from woq_tui.store.day_rollup_refresh import refresh

    problem = check_counts(args)
    end = SystemClock().now().replace(microsecond=0)
    if problem is None and args.end:
        try:
            end = parse_end(args.end, settings.tz)
        except ValueError:
            problem = t("demo.bad_end", value=args.end)
    if problem:
        print(f"woq-console generate: {problem}", file=sys.stderr)
        return EXIT_USAGE
    engine = open_database(args, settings)
    db = describe_url(str(engine.url))
    progress = None
    try:
        if not is_empty(engine):
            raise NotEmptyError
        progress = Progress()
        result = generate_into(engine, settings, args, end, progress)
        # long periods then read the station × day rollup (docs/speed.md)
        rolled = refresh(engine, settings.tz)
    except NotEmptyError:
        print(f"woq-console generate: {t('demo.not_empty', db=db)}", file=sys.stderr)
        return EXIT_FAILURE
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{db}: {first_line(exc)}") from None
    finally:
        if progress is not None:
            progress.done()
        engine.dispose()
    print(t("cli.generated", stations=result.stations, tickets=f"{result.tickets:,}", db=db))
    rate = result.tickets / result.seconds if result.seconds else 0
    print(t("demo.speed", seconds=result.seconds, rate=rate, open=result.open))
    print(t("cli.db_rollup", how=t("cli.db_rollup_built"), days=rolled.days, entries=rolled.entries, seconds=rolled.seconds, db=db))
    if result.pilot is not None:  # docs/demo.md, "The planted pilot"
        print(t("demo.pilot_planted", stations=",".join(result.pilot.codes), start=result.pilot.start_day.isoformat()))
    return EXIT_OK
