"""woq-console report: the JSON of docs/figures.md, csv for Excel, md and html, the period flags."""

from __future__ import annotations

import csv
import io
import json
from argparse import Namespace

import pytest

from tests.test_metrics import AS_OF, S001, TOTALS, fill_fixture
from woq_tui.cli import main
from woq_tui.commands import report as report_command
from woq_tui.domain.clock import FixedClock
from woq_tui.domain.figure_catalog import FIGURE_KEYS
from woq_tui.i18n import set_language
from woq_tui.store.db import make_engine

ARGS = ["--from", "2026-11-16", "--to", "2026-11-23", "--as-of", "2026-11-23T10:00"]


@pytest.fixture
def filled_url(database_url):
    engine = make_engine(database_url)
    fill_fixture(engine)
    engine.dispose()
    return database_url


def run_cli(capsysbinary, *argv) -> tuple[int, bytes, str]:
    status = main(["--lang", "en", "report", *argv])
    captured = capsysbinary.readouterr()
    return status, captured.out, captured.err.decode()


def test_json_is_exactly_the_spec_document(filled_url, capsysbinary):
    status, out, err = run_cli(capsysbinary, "--db", filled_url, "--format", "json", *ARGS)
    assert status == 0, err
    document = json.loads(out.decode("utf-8"))
    assert list(document) == ["period", "totals", "by_type", "by_area", "stations"]
    assert document["period"] == {
        "from": "2026-11-16T00:00:00+08:00",
        "to": "2026-11-23T00:00:00+08:00",
        "as_of": "2026-11-23T10:00:00+08:00",
        "timezone": "Asia/Shanghai",
    }
    assert document["totals"] == TOTALS
    assert list(document["by_type"]) == ["repair", "complaint", "consultation"]
    assert list(document["by_area"]) == ["urban", "rural"]
    for values in [document["totals"], *document["by_type"].values(), *document["by_area"].values()]:
        assert list(values) == list(FIGURE_KEYS)
    assert [row["station_code"] for row in document["stations"]] == ["S004", "S001", "S002"]
    first = document["stations"][1]
    assert list(first) == ["station_code", "station_name", "area_type", *FIGURE_KEYS]
    assert first == {"station_code": "S001", "station_name": "东丽城东供电所", "area_type": "urban", **S001}
    assert document["stations"][2]["satisfaction_rate"] is None
    assert "东丽城东供电所".encode() in out  # UTF-8, not \u escapes


def test_csv_has_a_bom_and_one_row_a_station(filled_url, tmp_path, capsysbinary):
    out_file = tmp_path / "stations.csv"
    status, _, err = run_cli(capsysbinary, "--db", filled_url, "--format", "csv", "--out", str(out_file), *ARGS)
    assert status == 0 and "stations.csv" in err
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["station_code", "station_name", "area_type", *FIGURE_KEYS]
    assert [row[0] for row in rows[1:]] == ["S004", "S001", "S002"]
    assert rows[2][1] == "东丽城东供电所" and float(rows[2][6]) == S001["overdue_rate"]
    assert rows[3][-1] == ""  # S002 has no survey: null -> empty


def test_markdown_in_chinese(filled_url, capsysbinary):
    status, out, _ = run_cli(capsysbinary, "--db", filled_url, "--format", "md", "--lang", "zh", *ARGS)
    text = out.decode()
    assert status == 0
    assert text.startswith("# 供电所工单质量报告")
    assert "| 超期率 | 40.0% |" in text
    assert "| S001 | 东丽城东供电所 | 城区 | 7 | 4 | 3 | 42.9% |" in text
    assert "| 咨询 |" in text and "—" in text


def test_html_is_one_self_contained_page(filled_url, capsysbinary):
    status, out, _ = run_cli(capsysbinary, "--db", filled_url, "--format", "html", *ARGS)
    page = out.decode()
    assert status == 0
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "<style>" in page and "<svg" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page and "<link" not in page
    assert "By station (highest overdue rate first)" in page and "东丽城东供电所" in page
    assert page.index("S004") < page.index("S001") < page.index("S002")


def test_default_period_is_the_last_full_week(filled_url, settings, capsysbinary):
    args = Namespace(db=filled_url, date_from=None, date_to=None, as_of=None, format="json", out=None)
    clock = FixedClock(AS_OF.replace(day=26))  # Thursday 2026-11-26 10:00 in Shanghai
    assert report_command.run(args, settings, clock=clock) == 0
    period = json.loads(capsysbinary.readouterr().out)["period"]
    assert period["from"] == "2026-11-16T00:00:00+08:00" and period["to"] == "2026-11-23T00:00:00+08:00"
    assert period["as_of"] == "2026-11-26T10:00:00+08:00"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--from", "yesterday"], "--from: not a date or datetime: 'yesterday'"),
        (["--from", "2026-11-23", "--to", "2026-11-16"], "--from must be before --to"),
        (["--as-of", "2026-13-01"], "--as-of: not a date or datetime"),
    ],
)
def test_bad_dates_say_so_in_one_line(sqlite_url, capsysbinary, argv, message):
    status, out, err = run_cli(capsysbinary, "--db", sqlite_url, *argv)
    assert status == 2 and out == b""
    assert message in err and err.count("\n") == 1


def test_from_only_runs_to_as_of(settings):
    from datetime import datetime, timezone

    args = Namespace(date_from="2026-11-20", date_to=None, as_of="2026-11-21T12:00+08:00")
    period, as_of = report_command.resolve_period(args, settings.tz, datetime.now(timezone.utc))
    assert period.end == as_of and period.start.isoformat() == "2026-11-19T16:00:00+00:00"


def test_unwritable_out_is_a_runtime_failure(sqlite_url, tmp_path, capsysbinary):
    status, _, err = run_cli(capsysbinary, "--db", sqlite_url, "--out", str(tmp_path / "missing" / "r.md"))
    assert status == 1 and "Cannot write" in err
    set_language("en")


def test_every_message_key_of_the_figures_exists_in_both_languages():
    import re
    from pathlib import Path

    from woq_tui.domain.figure_catalog import FIGURES
    from woq_tui.domain.periods import PERIOD_KINDS
    from woq_tui.i18n import catalogue

    root = Path(__file__).parent.parent / "woq_tui"
    files = [root / "commands/report.py", *root.glob("reporting/*.py"), root / "screens/stations.py",
             root / "screens/station_detail.py", root / "screens/meeting.py", *root.glob("widgets/figures_*.py")]
    used = {key for file in files for key in re.findall(r"""\bt\(\s*["']([\w.]+)["']""", file.read_text())}
    used |= {f"figure.{f.key}" for f in FIGURES} | {f"figure.short.{f.key}" for f in FIGURES}
    used |= {f"figure.unit.{f.unit}" for f in FIGURES} | {f"stations.period.{kind}" for kind in PERIOD_KINDS}
    used |= {f"station_detail.{key}" for key in ("ticket_no", "state", "created", "due", "summary")}
    missing = sorted(key for key in used if key not in catalogue() and not key.endswith("."))
    assert not missing
    assert all(zh and en for key, (zh, en) in catalogue().items() if key in used)
