"""Mixed encodings refused with the row that breaks them, and stations that follow the
export (issue 16 item 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.test_import import ZH_HEADER, Cli, dump, tickets, write_csv
from woq_tui.cli import main
from woq_tui.domain.models import Station
from woq_tui.store.db import make_engine


@pytest.fixture
def run(capsys, tmp_path, database_url) -> Cli:
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    return Cli(capsys, config, database_url)


def _row(i: int, station: str = "S01", name: str = "东丽城东供电所", area: str = "城区") -> list[str]:
    return [f"T{i:04d}", "咨询", station, name, area, "2026-11-20 08:00", "", "", f"家中停电 {i}", ""]


def _lines(rows: list[list[str]], encoding: str) -> bytes:
    return "".join(",".join(row) + "\n" for row in rows).encode(encoding)


# --- mixed encodings ----------------------------------------------------------------------


def test_utf8_rows_then_one_gbk_row_are_refused_naming_that_row(run, tmp_path, database_url):
    file = tmp_path / "mixed.csv"
    file.write_bytes(_lines([ZH_HEADER], "utf-8") + _lines([_row(i) for i in range(200)], "utf-8") + _lines([_row(200)], "gbk"))
    before = dump(database_url)
    code, out, err = run(file)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "mixed encodings" in err and "row 202 is GB18030/GBK" in err and "rows before are UTF-8" in err
    assert dump(database_url) == before  # nothing imported, no mojibake station either


def test_gbk_rows_then_a_utf8_row_are_refused_too(run, tmp_path):
    file = tmp_path / "mixed.csv"
    file.write_bytes(_lines([ZH_HEADER] + [_row(i) for i in range(5)], "gbk") + _lines([_row(5)], "utf-8"))
    code, _, err = run(file)
    assert code == 1 and "row 7 is UTF-8" in err and "rows before are GB18030/GBK" in err


def test_the_row_is_counted_in_records_not_lines(run, tmp_path):
    """A quoted field with line breaks before the offending row: the row number is
    the spreadsheet's, as everywhere else."""
    rows = [_row(0), _row(1)]
    rows[0][8] = '"第一行\n第二行\n第三行"'
    file = tmp_path / "mixed.csv"
    file.write_bytes(_lines([ZH_HEADER] + rows, "utf-8") + _lines([_row(2)], "gbk"))
    code, _, err = run(file)
    assert code == 1 and "row 4 is GB18030/GBK" in err


def test_an_ascii_header_does_not_decide_the_encoding(run, tmp_path, database_url):
    english = ["ticket_no", "type", "station_code", "station_name", "area_type", "created_at", "dispatched_at",
               "resolved_at", "summary", "customer_phone"]  # fmt: skip
    file = tmp_path / "gbk.csv"
    file.write_bytes(_lines([english] + [_row(i) for i in range(3)], "gbk"))
    code, summary, _ = run(file)
    assert code == 0 and summary["inserted"] == 3
    assert tickets(database_url)["T0001"].summary == "家中停电 1"


def test_a_row_in_neither_encoding_is_named(run, tmp_path):
    file = tmp_path / "broken.csv"
    file.write_bytes(_lines([ZH_HEADER, _row(0)], "utf-8") + b"T9,\x81\x20\xff\xfe,S01\n")
    code, _, err = run(file)
    assert code == 1 and "row 3 is neither UTF-8 nor GB18030/GBK text" in err


# --- stations follow the export -----------------------------------------------------------


def _stations(url: str) -> dict[str, tuple[str, str, str]]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = {s.code: (s.name, s.area_type, s.initials) for s in session.exec(select(Station)).scalars()}
    engine.dispose()
    return found


def test_a_reimport_renames_and_moves_a_station_and_counts_it(run, tmp_path, database_url):
    first = write_csv(tmp_path / "first.csv", ZH_HEADER, [_row(1), _row(2, "S02", "西青农村供电所", "农村")])
    code, summary, _ = run(first)
    assert code == 0 and (summary["stations_inserted"], summary["stations_updated"]) == (2, 0)
    # the export now calls S01 otherwise and puts it in a rural area; S02 is unchanged
    corrected = [_row(1, name="东丽城东新区供电所", area="农村"), _row(3, name="东丽城东新区供电所"), _row(2, "S02", "西青农村供电所", "农村")]
    code, summary, _ = run(write_csv(tmp_path / "second.csv", ZH_HEADER, corrected))
    assert code == 0 and (summary["stations_inserted"], summary["stations_updated"]) == (0, 1)
    assert _stations(database_url)["S01"] == ("东丽城东新区供电所", "rural", "dlcdxq")
    assert _stations(database_url)["S02"] == ("西青农村供电所", "rural", "xqnc")
    # the same file again changes nothing
    code, summary, _ = run(write_csv(tmp_path / "third.csv", ZH_HEADER, corrected))
    assert code == 0 and summary["stations_updated"] == 0 and summary["updated"] == 0


def test_empty_name_or_area_cells_leave_the_station_as_stored(run, tmp_path, database_url):
    run(write_csv(tmp_path / "first.csv", ZH_HEADER, [_row(1)]))
    code, summary, _ = run(write_csv(tmp_path / "second.csv", ZH_HEADER, [_row(2, name="", area="")]))
    assert code == 0 and summary["stations_updated"] == 0
    assert _stations(database_url)["S01"] == ("东丽城东供电所", "urban", "dlcd")


def test_the_first_accepted_row_naming_a_station_decides(run, tmp_path, database_url):
    run(write_csv(tmp_path / "first.csv", ZH_HEADER, [_row(1)]))
    rows = [_row(2, name="错误的名称"), _row(3, name="甲供电所"), _row(4, name="乙供电所")]
    rows[0][5] = "not a time"  # refused: it decides nothing
    code, summary, _ = run(write_csv(tmp_path / "second.csv", ZH_HEADER, rows))
    assert code == 0 and summary["rejected"] == 1 and summary["stations_updated"] == 1
    assert _stations(database_url)["S01"][0] == "甲供电所"


def test_a_dry_run_counts_the_station_changes_without_making_them(run, tmp_path, database_url):
    run(write_csv(tmp_path / "first.csv", ZH_HEADER, [_row(1)]))
    code, summary, _ = run(write_csv(tmp_path / "second.csv", ZH_HEADER, [_row(2, name="新名称供电所")]), "--dry-run")
    assert code == 0 and summary["stations_updated"] == 1
    assert _stations(database_url)["S01"][0] == "东丽城东供电所"


def test_the_text_summary_names_the_station_changes(capsys, tmp_path, database_url):
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "zh"\n', encoding="utf-8")
    argv = ["--db", database_url, "--config", str(config)]
    main(["import", str(write_csv(tmp_path / "first.csv", ZH_HEADER, [_row(1)])), *argv])
    assert "供电单位：新增 1，更新名称或区域 0" in capsys.readouterr().out
    main(["import", str(write_csv(tmp_path / "second.csv", ZH_HEADER, [_row(2, area="特殊边远")])), *argv])
    assert "供电单位：新增 0，更新名称或区域 1" in capsys.readouterr().out
