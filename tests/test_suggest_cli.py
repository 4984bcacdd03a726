"""`woq-console suggest` (docs/cli.md, docs/dispatch-assist.md): text and JSON, an unknown
ticket, read-only; SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.dispatch_support import write_config
from tests.factories import add_all
from tests.test_suggest import HOME, history, open_tickets, stations, the_ticket
from woq_tui.cli import main


def cli(database_url, tmp_path, *args) -> int:
    return main(["suggest", *args, "--db", database_url, "--config", write_config(tmp_path, None)])


def seeded(engine):
    add_all(engine, *stations())
    add_all(engine, *history(HOME, "S002", 5), *history(HOME, "S001", 1), *open_tickets("S002", 2, overdue=True),
            the_ticket())


def test_text_best_first_with_reasons(engine, database_url, tmp_path, capsys):
    seeded(engine)
    assert cli(database_url, tmp_path, "T-NEW") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Suggested stations for ticket T-NEW (now at S001):"
    assert lines[1].split()[:3] == ["1", "S002", "东丽城西供电所"]
    assert lines[1].endswith("5 of 6 tickets at this address in 90 days handled by S002 · open 2 · overdue 2 · same area type")
    assert lines[2].split()[:3] == ["2", "S001", "东丽城东供电所"] and "(current)" in lines[2]
    assert len(lines) == 3


def test_text_in_chinese(engine, database_url, tmp_path, capsys):
    seeded(engine)
    assert cli(database_url, tmp_path, "T-NEW", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert "此地址近 90 天 6 单中 5 单由 S002 办理 · 在办 2 · 超期 2 · 区域类型相符" in out


def test_json_keys(engine, database_url, tmp_path, capsys):
    seeded(engine)
    assert cli(database_url, tmp_path, "T-NEW", "--format", "json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ticket_no"] == "T-NEW" and document["station_code"] == "S001"
    assert document["evidence"] == {"scope": "address", "days": 90, "tickets": 6}
    assert document["suggestions"][0] == {
        "station_code": "S002", "name": "东丽城西供电所", "area_type": "urban", "handled": 5, "open": 2,
        "overdue": 2, "at_risk": 0, "area_match": True, "current": False,
    }
    assert [s["station_code"] for s in document["suggestions"]] == ["S002", "S001"]


def test_nothing_to_suggest_is_an_answer(engine, database_url, tmp_path, capsys):
    add_all(engine, *stations(), the_ticket("武清区某某街道1号"))
    assert cli(database_url, tmp_path, "T-NEW") == 0
    assert capsys.readouterr().out.startswith("ticket T-NEW: no suggestion")
    assert cli(database_url, tmp_path, "T-NEW", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "ticket_no": "T-NEW", "station_code": "S001", "evidence": None, "suggestions": [],
    }


def test_an_unknown_ticket_is_one_line_and_exit_1(engine, database_url, tmp_path, capsys):
    seeded(engine)
    assert cli(database_url, tmp_path, "T-NOPE", "--format", "json") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "woq-console suggest: unknown ticket T-NOPE\n"


def test_reads_in_read_only_mode(engine, database_url, tmp_path, capsys):
    seeded(engine)
    assert cli(database_url, tmp_path, "T-NEW", "--read-only") == 0
    assert "S002" in capsys.readouterr().out
