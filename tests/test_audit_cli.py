"""`woq-console audit` and `audit review` (docs/audit.md, docs/cli.md): the JSON shape, the
order, text in zh and en, CSV, the exit codes, and reviews refused for viewers and
--read-only with nothing written."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from tests.audit_support import IN_PERIOD, stations
from tests.factories import add_all, ticket
from woq_tui.cli import main

T = IN_PERIOD
PERIOD_ARGS = ["--from", "2026-11-01", "--to", "2026-11-27", "--as-of", "2026-11-26 10:00"]


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[console]\nlanguage = "en"\ntimezone = "Asia/Shanghai"\noperator = "D1023"\n', encoding="utf-8")
    return path


@pytest.fixture
def cli(capsys, config, engine, database_url):
    stations(engine)
    add_all(
        engine,
        ticket(T - timedelta(hours=2), ticket_no="T2", reopen_count=1, address="金钟街3号", customer_phone="13812345678"),
        ticket(T, ticket_no="T10", dispatch_count=3, address="金钟街3号", customer_phone="+86 13812345678"),
        ticket(T, ticket_no="T3", address=None, station_code="S002", customer_phone=None, due_at=T + timedelta(minutes=330)),
    )  # fmt: skip

    def run(*argv: str, config_path=config):
        code = main([*argv, "--db", database_url, "--config", str(config_path)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_json_shape_and_order(cli):
    code, out, err = cli("audit", *PERIOD_ARGS, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"period", "model", "flags"}
    assert document["period"] == {"from": "2026-11-01T00:00:00+08:00", "to": "2026-11-27T00:00:00+08:00",
                                  "as_of": "2026-11-26T10:00:00+08:00", "timezone": "Asia/Shanghai"}  # fmt: skip
    assert document["model"] is None and "type_suspect" in err
    keys = [(f["ticket_no"], f["rule"]) for f in document["flags"]]
    assert keys == sorted(keys)
    assert keys == [("T10", "repeat_call"), ("T10", "repeat_dispatch"), ("T10", "repeat_fault"), ("T2", "reopened"),
                    ("T3", "missing_address")]  # fmt: skip
    first = document["flags"][0]
    assert first == {"ticket_no": "T10", "rule": "repeat_call", "severity": "warn", "evidence": {"earlier": ["T2"]},
                     "review": None}  # fmt: skip


def test_rule_and_station_filters_and_csv(cli):
    code, out, _ = cli("audit", *PERIOD_ARGS, "--rule", "reopened", "--rule", "missing_address", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert code == 0 and [(r["ticket_no"], r["rule"]) for r in rows] == [("T2", "reopened"), ("T3", "missing_address")]
    assert json.loads(rows[0]["evidence"]) == {"count": 1}
    code, out, _ = cli("audit", *PERIOD_ARGS, "--station", "S002", "--format", "json")
    assert [f["ticket_no"] for f in json.loads(out)["flags"]] == ["T3"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rule", "nope"], "no audit rule nope"),
        (["--station", "S999"], "no station S999"),
        (["--from", "yesterday"], "--from"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(cli, argv, message):
    code, out, err = cli("audit", *PERIOD_ARGS[2:], *argv)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_text_in_chinese_masks_the_phone(cli, tmp_path):
    zh = tmp_path / "zh.toml"
    zh.write_text('[console]\nlanguage = "zh"\noperator = "D1023"\n', encoding="utf-8")
    code, out, _ = cli("audit", *PERIOD_ARGS, config_path=zh)
    assert code == 0
    assert "重复来电" in out and "+86****5678" in out and "13812345678" not in out
    assert "未检查：疑似分类错误" in out
    lines = [line for line in out.splitlines() if line.startswith(("工单编号", "T10 "))]
    from rich.cells import cell_len

    # the columns line up by display width: "问题" starts at the same cell on every line
    header, row = lines[0], lines[1]
    assert cell_len(header[: header.index("问题")]) == cell_len(row[: row.index("重复")])


def test_review_confirm_then_dismiss_and_the_listing_follows(cli):
    code, out, err = cli("audit", "review", "T2", "reopened", "--confirm", "--note", "属实")
    assert code == 0 and "Confirmed" in out
    code, out, _ = cli("audit", *PERIOD_ARGS, "--rule", "reopened", "--format", "json")
    review = json.loads(out)["flags"][0]["review"]
    assert review["verdict"] == "confirmed" and review["operator"] == "D1023" and review["note"] == "属实"
    code, out, _ = cli("audit", "review", "T2", "reopened", "--dismiss", "--operator", "D2046")
    assert code == 0
    code, out, _ = cli("audit", *PERIOD_ARGS, "--rule", "reopened", "--format", "json")
    assert json.loads(out)["flags"] == []


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["NOPE", "reopened", "--confirm"], 1, "No ticket NOPE"),
        (["T3", "reopened", "--confirm"], 1, "has no Reopened flag"),
        (["T2", "bogus", "--confirm"], 2, "No audit rule bogus"),
        (["T2", "reopened", "--confirm", "--operator", " "], 2, "--operator"),
    ],
)
def test_review_refusals(cli, engine, argv, code, message):
    got, out, err = cli("audit", "review", *argv)
    assert (got, out) == (code, "") and message in err and len(err.strip().splitlines()) == 1
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM audit_review").scalar() == 0


def test_review_needs_a_verdict(cli, capsys):
    with pytest.raises(SystemExit) as caught:
        cli("audit", "review", "T2", "reopened")
    assert caught.value.code == 2 and "--confirm --dismiss is required" in capsys.readouterr().err


@pytest.mark.parametrize("how", ["flag", "viewer"])
def test_viewers_and_read_only_cannot_review(cli, engine, tmp_path, how):
    config = tmp_path / "viewer.toml"
    config.write_text('[console]\nlanguage = "en"\nrole = "viewer"\n' if how == "viewer" else "", encoding="utf-8")
    extra = ["--read-only"] if how == "flag" else []
    code, out, err = cli("audit", "review", "T2", "reopened", "--dismiss", *extra, config_path=config)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM audit_review").scalar() == 0
    code, _, _ = cli("audit", *PERIOD_ARGS, *extra, config_path=config)
    assert code == 0  # reading works as usual
