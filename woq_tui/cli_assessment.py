"""The assessment's options on the command line (docs/cli.md, docs/assessment.md): the
period options and --with-score of `report`, and the `pilot` and `bulletin`
subcommands. Only argparse here, so that building the parser stays cheap."""

from __future__ import annotations

import argparse

PERIOD_CHOICES = ("week", "month", "quarter", "year")


def add_report_options(report: argparse.ArgumentParser) -> None:
    report.add_argument(
        "--period",
        choices=PERIOD_CHOICES,
        help="a calendar period: the last full one before --as-of, or with --from DATE the one holding that date",
    )
    report.add_argument(
        "--with-score", action="store_true", help='add each station\'s scorecard "score" and "rank" (docs/assessment.md)'
    )


def add_subcommands(sub, common) -> None:
    """`pilot` and `bulletin`; `common(parser)` adds --db, --config and --lang."""
    pilot = sub.add_parser("pilot", help="evaluate a pilot at some stations against the others")
    common(pilot)
    pilot.add_argument("--stations", required=True, metavar="S1,S2", help="the pilot stations' codes, comma-separated")
    pilot.add_argument("--since", required=True, metavar="DATE", help="the pilot's start day (YYYY-MM-DD, from local midnight)")
    pilot.add_argument("--control", metavar="S3,S4", help="the control stations (default: every other station)")
    pilot.add_argument("--figure", default="overdue_rate", metavar="FIGURE", help="a ratio or mean figure of docs/figures.md (default overdue_rate)")
    pilot.add_argument("--weeks", type=_whole, metavar="N", help="weeks before and after the start (default: [assessment] weeks, 8)")
    pilot.add_argument("--as-of", dest="as_of", metavar="DATETIME", help="the instant tickets are judged at (default: now)")
    pilot.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for machines")

    bulletin = sub.add_parser("bulletin", help="the monthly bulletin (月通报) as html, md or xlsx")
    common(bulletin)
    bulletin.add_argument("--month", metavar="YYYY-MM", help="the month (default: the last full month before --as-of)")
    bulletin.add_argument("--as-of", dest="as_of", metavar="DATETIME", help="the instant tickets are judged at (default: now)")
    bulletin.add_argument("--format", choices=("html", "md", "xlsx"), default="html", help="html (default), md or xlsx")
    bulletin.add_argument("--out", metavar="FILE", help="write here instead of stdout (needed for xlsx on a terminal)")


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
