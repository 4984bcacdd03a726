"""`woq-console report`'s periods (docs/assessment.md, "Periods"): --period week|month|
quarter|year, the last full one by default or the one holding --from's day; no period
past --as-of's day; bad combinations are one line and exit 2."""

from __future__ import annotations

import json

import pytest

from woq_tui.cli import main

AS_OF = ["--as-of", "2026-11-26T10:00"]


def period_of(capsysbinary, sqlite_url, *argv) -> dict:
    status = main(["--lang", "en", "report", "--db", sqlite_url, "--format", "json", *AS_OF, *argv])
    captured = capsysbinary.readouterr()
    assert status == 0, captured.err.decode()
    return json.loads(captured.out)["period"]


@pytest.mark.parametrize(
    "argv, start, end",
    [
        (["--period", "week"], "2026-11-16", "2026-11-23"),
        (["--period", "month"], "2026-10-01", "2026-11-01"),
        (["--period", "quarter"], "2026-07-01", "2026-10-01"),
        (["--period", "year"], "2025-01-01", "2026-01-01"),
        (["--period", "quarter", "--from", "2026-02-14"], "2026-01-01", "2026-04-01"),
        # the month still running: cut at the end of --as-of's day
        (["--period", "month", "--from", "2026-11-03"], "2026-11-01", "2026-11-27"),
        # custom dates past --as-of's day are cut there too
        (["--from", "2026-11-20", "--to", "2026-12-31"], "2026-11-20", "2026-11-27"),
    ],
)
def test_period_options(capsysbinary, sqlite_url, argv, start, end):
    period = period_of(capsysbinary, sqlite_url, *argv)
    assert (period["from"], period["to"]) == (f"{start}T00:00:00+08:00", f"{end}T00:00:00+08:00")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--period", "month", "--from", "2026-12-02"], "has not begun"),
        (["--from", "2026-12-01", "--to", "2026-12-08"], "has not begun"),
        (["--period", "month", "--to", "2026-11-01"], "--period and --to cannot be used together"),
    ],
)
def test_future_or_contradictory_periods_are_one_line(capsysbinary, sqlite_url, argv, message):
    status = main(["--lang", "en", "report", "--db", sqlite_url, *AS_OF, *argv])
    captured = capsysbinary.readouterr()
    err = captured.err.decode()
    assert status == 2 and captured.out == b""
    assert message in err and err.count("\n") == 1


def test_the_message_is_in_chinese_for_a_chinese_console(capsysbinary, sqlite_url):
    status = main(["--lang", "zh", "report", "--db", sqlite_url, *AS_OF, "--period", "year", "--from", "2027-01-01"])
    err = capsysbinary.readouterr().err.decode()
    assert status == 2 and "尚未到来" in err


def test_the_md_report_names_its_calendar_period(capsysbinary, sqlite_url):
    assert main(["--lang", "zh", "report", "--db", sqlite_url, *AS_OF, "--period", "quarter", "--format", "md"]) == 0
    assert "2026年第3季度 · 统计周期：2026-07-01 00:00 至 2026-10-01 00:00（不含）" in capsysbinary.readouterr().out.decode()
