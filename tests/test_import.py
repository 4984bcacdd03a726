"""`woq-console import` end to end, on SQLite and PostgreSQL (the database_url fixture)."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, event, select, text, update
from sqlmodel import Session

from tests.conftest import NOW
from woq_tui.cli import main
from woq_tui.domain.models import Station, Ticket, TicketEvent
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import make_engine
from woq_tui.store.importer import import_file

UTC = timezone.utc
CST = timezone(timedelta(hours=8))
ZH_HEADER = ["工单编号", "业务类型", "供电单位编码", "供电单位", "区域类型", "受理时间", "派单时间", "办结时间", "受理内容", "联系电话"]
EN_HEADER = ["ticket_no", "type", "station_code", "station_name", "area_type", "created_at", "dispatched_at",
             "resolved_at", "summary", "customer_phone"]  # fmt: skip
ROWS = [
    ["T001", "故障报修", "S01", "东丽城东供电所", "城区", "2026-11-20 08:00", "2026-11-20 08:05", "2026-11-20 09:00", "停电", "13812341234"],
    ["T002", "投诉", "S02", "西青农村供电所", "农村", "2026/11/2 9:05", "", "", "抢修太慢", ""],
    ["T003", "consultation", "S01", "东丽城东供电所", "urban", "2026-11-21T10:00:00+08:00", "", "", "电价", "13900001111"],
]  # fmt: skip


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[console]\nlanguage = "en"\ntimezone = "Asia/Shanghai"\noperator = "D1023"\n', encoding="utf-8"
    )
    return path


def write_csv(path: Path, header, rows, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header, rows) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.create_sheet("second").append(["ignored"])
    book.save(path)
    return path


@pytest.fixture(params=["stdlib", "openpyxl"])
def xlsx_reader(request, monkeypatch) -> str:
    """Each XLSX test twice: with the fast reader, and with openpyxl, which reads the
    packages the fast one does not know (made to refuse every package here)."""
    if request.param == "openpyxl":
        from woq_tui.store import xlsx_reader

        def refuse(self) -> None:
            raise xlsx_reader.Unsupported("forced by the test")

        monkeypatch.setattr(xlsx_reader.SheetReader, "_open", refuse)
    return request.param


class Cli:
    """Runs `woq-console import` through woq_tui.cli.main, as a user would."""

    def __init__(self, capsys, config: Path, url: str) -> None:
        self.capsys, self.config, self.url = capsys, config, url

    def __call__(self, file: Path, *extra: str, json_output: bool = True) -> tuple[int, dict | str, str]:
        argv = ["import", str(file), "--db", self.url, "--config", str(self.config), *extra]
        if json_output:
            argv += ["--format", "json"]
        code = main(argv)
        out, err = self.capsys.readouterr()
        return code, (json.loads(out) if json_output and out else out), err


@pytest.fixture
def run(capsys, config, database_url) -> Cli:
    return Cli(capsys, config, database_url)


def dump(url: str) -> dict[str, list]:
    """Every row of the tables an import touches, for before/after comparisons."""
    engine = make_engine(url)
    with engine.connect() as connection:
        tables = {
            name: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {name}"))), key=repr)
            for name in ("station", "ticket", "ticket_event")
        }
    engine.dispose()
    return tables


def tickets(url: str) -> dict[str, Ticket]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = {t.ticket_no: t for t in session.exec(select(Ticket)).scalars()}
    engine.dispose()
    return found


def counts(summary: dict) -> tuple[int, int, int, int, int]:
    return tuple(summary[k] for k in ("read", "inserted", "updated", "unchanged", "rejected"))


# --- the happy path ------------------------------------------------------------------


def test_import_stores_tickets_in_utc_and_creates_stations(run, tmp_path, database_url):
    code, summary, err = run(write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS))
    assert code == 0 and err == ""
    assert summary == {
        "read": 3, "inserted": 3, "updated": 0, "unchanged": 0, "rejected": 0, "rejects": [], "ignored_columns": [],
        "stations_inserted": 2, "stations_updated": 0,  # the project's extra keys, after the spec's
    }  # fmt: skip
    assert list(summary)[:7] == ["read", "inserted", "updated", "unchanged", "rejected", "rejects", "ignored_columns"]
    stored = tickets(database_url)
    t1 = stored["T001"]
    assert t1.type == "repair" and t1.station_code == "S01" and t1.status == "resolved"
    assert t1.created_at == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert t1.dispatched_at == datetime(2026, 11, 20, 0, 5, tzinfo=UTC)
    assert t1.due_at == t1.created_at + timedelta(minutes=45 + 180)  # urban repair
    assert t1.dispatch_count == 1 and t1.reopen_count == 0 and t1.escalated is False and t1.version == 1
    assert stored["T002"].due_at == datetime(2026, 11, 6, 9, 5, tzinfo=CST)  # 4 working days
    assert stored["T002"].dispatch_count == 0 and stored["T002"].status == "new"
    assert stored["T003"].created_at == datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    engine = make_engine(database_url)
    with Session(engine) as session:
        stations = {s.code: s for s in session.exec(select(Station)).scalars()}
        events = session.exec(select(TicketEvent)).scalars().all()
    engine.dispose()
    assert (stations["S01"].name, stations["S01"].area_type, stations["S01"].initials) == (
        "东丽城东供电所", "urban", "dlcd",
    )  # fmt: skip
    assert (stations["S02"].area_type, stations["S02"].initials) == ("rural", "xqnc")
    assert sorted((e.kind, e.operator, e.note) for e in events) == [("imported", "D1023", "in.csv")] * 3


def test_english_headers_in_any_order_and_unknown_columns_listed(run, tmp_path, database_url):
    order = [5, 2, 0, 1, 9]
    header = [EN_HEADER[i] for i in order] + ["remark", "工单编号"]
    rows = [[row[i] for i in order] + ["x", "ignored"] for row in ROWS]
    code, summary, _ = run(write_csv(tmp_path / "in.csv", header, rows))
    assert code == 0 and counts(summary) == (3, 3, 0, 0, 0)
    assert summary["ignored_columns"] == ["remark", "工单编号"]
    assert tickets(database_url)["T001"].customer_phone == "13812341234"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_each_encoding_is_detected(run, tmp_path, database_url, encoding):
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS, encoding=encoding))
    assert code == 0 and counts(summary) == (3, 3, 0, 0, 0)
    assert tickets(database_url)["T002"].summary == "抢修太慢"


def test_gb18030_beyond_gbk(run, tmp_path, database_url):
    rows = [[*ROWS[0][:8], "𠀀 and 😀 in GB18030", ROWS[0][9]]]
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows, encoding="gb18030"))
    assert code == 0 and summary["inserted"] == 1
    assert tickets(database_url)["T001"].summary == "𠀀 and 😀 in GB18030"


def test_xlsx_first_sheet_with_native_datetimes_and_numbers(run, tmp_path, database_url, xlsx_reader):
    header = ["工单编号", "业务类型", "供电单位编码", "受理时间", "办结时间", "派单次数", "联系电话", "是否升级"]
    rows = [
        [2026112000001, "故障报修", "S01", datetime(2026, 11, 20, 8, 0), datetime(2026, 11, 20, 9, 30), 2, 13812341234, True],
        ["T2", "咨询", 101, "2026-11-20 08:00", None, 0.0, None, "否"],
        ["T3", "咨询", "S01", 45622.5, None, None, None, None],  # a serial number, not a date
        [None, None, None, None, None, None, None, None],  # blank rows are skipped, not counted
        ["T4", "咨询", "S01", datetime(2026, 11, 20, 7, 0), datetime(2026, 11, 20, 6, 59, 59), None, None, None],
    ]  # fmt: skip
    code, summary, _ = run(write_xlsx(tmp_path / "in.xlsx", header, rows))
    assert code == 0 and counts(summary) == (4, 2, 0, 0, 2)
    assert [(r["row"], r["ticket_no"], r["reason"]) for r in summary["rejects"]] == [
        (4, "T3", "bad_timestamp"), (6, "T4", "time_order"),
    ]  # fmt: skip
    stored = tickets(database_url)
    t1 = stored["2026112000001"]
    assert t1.created_at == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert t1.resolved_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert (t1.dispatch_count, t1.customer_phone, t1.escalated) == (2, "13812341234", True)
    assert stored["T2"].station_code == "101"


def test_xlsx_whose_declared_dimension_is_too_small_still_reads_every_row(run, tmp_path, xlsx_reader):
    import re
    import zipfile

    good = write_xlsx(tmp_path / "good.xlsx", ZH_HEADER, ROWS)
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(lying, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:J2"', data)
                assert replaced == 1
            target.writestr(item, data)
    code, summary, _ = run(lying)
    assert code == 0 and counts(summary) == (3, 3, 0, 0, 0)


def test_multiline_quoted_field_counts_records_not_lines(run, tmp_path, database_url):
    rows = [
        [*ROWS[0][:8], "第一行\n第二行\r\n第三行", ""],
        ["T002", "投诉", "S02", "", "", "2026-11-02 09:05", "", "2026-11-02 09:04", "", ""],
    ]
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows))
    assert summary["rejects"][0]["row"] == 3  # the record after the three-line one
    assert tickets(database_url)["T001"].summary == "第一行\n第二行\r\n第三行"


def test_long_text_emoji_and_sql_stored_verbatim(run, tmp_path, database_url):
    long = ("停电" * 2500)[:5000]
    nasty = "'); DROP TABLE ticket; -- \" OR 1=1"
    rows = [
        [*ROWS[0][:8], long, ""],
        ["T'2", "投诉", "S02", "", "", "2026-11-02 09:05", "", "", "😀🔌⚡ 家里没电了 👩‍👩‍👧", nasty],
    ]
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows))
    assert code == 0 and summary["inserted"] == 2
    stored = tickets(database_url)
    assert stored["T001"].summary == long and len(stored["T001"].summary) == 5000
    assert stored["T'2"].summary == "😀🔌⚡ 家里没电了 👩‍👩‍👧"
    assert stored["T'2"].customer_phone == nasty


# --- refusals ------------------------------------------------------------------------

REASON_ROWS = [
    # row 2: fine
    ["T01", "报修", "S01", "", "", "2026-11-20 08:00", "", "", "", ""],
    ["", "报修", "S01", "", "", "2026-11-20 08:00", "", "", "", ""],  # 3 missing_field
    ["T03", "维修", "S01", "", "", "2026-11-20 08:00", "", "", "", ""],  # 4 bad_type
    ["T04", "报修", "S01", "", "", "20.11.2026 08:00", "", "", "", ""],  # 5 bad_timestamp
    ["T05", "报修", "S01", "", "火星", "2026-11-20 08:00", "", "", "", ""],  # 6 bad_value
    ["T06", "报修", "S01", "", "", "2026-11-20 08:00", "2026-11-20 07:59:59", "", "", ""],  # 7 time_order
    ["T01", "报修", "S01", "", "", "2026-11-20 08:00", "", "", "", ""],  # 8 duplicate
    ["T08", "报修", "S01", "", "", "2026-11-20 08:00", "2026-11-20 08:00", "2026-11-20 08:00", "", ""],  # boundary
]


def test_every_reason_code_with_row_numbers_and_nothing_of_rejected_rows_stored(run, tmp_path, database_url):
    header = [*ZH_HEADER, "派单次数"]
    rows = [[*row, ""] for row in REASON_ROWS]
    rows.append(["T09", "报修", "S01", "", "", "2026-11-20 08:00", "", "", "", "", "-2"])  # 10 bad_number
    code, summary, _ = run(write_csv(tmp_path / "in.csv", header, rows))
    assert code == 0
    assert counts(summary) == (9, 2, 0, 0, 7)
    assert [(r["row"], r["ticket_no"], r["reason"]) for r in summary["rejects"]] == [
        (3, "", "missing_field"),
        (4, "T03", "bad_type"),
        (5, "T04", "bad_timestamp"),
        (6, "T05", "bad_value"),
        (7, "T06", "time_order"),
        (8, "T01", "duplicate"),
        (10, "T09", "bad_number"),
    ]
    assert all(r["message"] for r in summary["rejects"])
    assert sorted(tickets(database_url)) == ["T01", "T08"]


def test_rejects_file_has_bom_original_values_row_reason_message(run, tmp_path):
    rejects = tmp_path / "rejects.csv"
    rows = [*REASON_ROWS[:3], ["T10", "投诉", "S01", "", "", "2026-11-20 08:00", "", "", "多行\n内容", ""]]
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows, "gb18030"), "--rejects", str(rejects))
    assert code == 0 and summary["rejected"] == 2
    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with rejects.open(encoding="utf-8-sig", newline="") as stream:
        content = list(csv.reader(stream))
    assert content[0] == [*ZH_HEADER, "row", "reason", "message"]
    assert content[1][:10] == REASON_ROWS[1] and content[1][10:12] == ["3", "missing_field"]
    assert content[2][:10] == REASON_ROWS[2] and content[2][10:12] == ["4", "bad_type"]
    assert "维修" in content[2][12]
    assert len(content) == 3


def test_text_summary_in_chinese(capsys, config, database_url, tmp_path):
    code = main(["import", str(write_csv(tmp_path / "in.csv", ZH_HEADER, REASON_ROWS[:3])), "--db", database_url,
                 "--config", str(config), "--lang", "zh"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and err == ""  # no progress bar when stderr is not a terminal
    assert "读取 3 行：新增 1，更新 0，未变 0，拒收 2" in out
    assert "第 4 行 T03 [bad_type] 业务类型：未知的业务类型 '维修'" in out
    assert "用时" in out and "行/秒" in out


def test_text_summary_shows_twenty_rejects_and_points_to_the_rejects_file(capsys, config, database_url, tmp_path):
    rows = [[f"T{i:03d}", "维修", "S01", "", "", "2026-11-20 08:00", "", "", "", ""] for i in range(25)]
    code = main(["import", str(write_csv(tmp_path / "in.csv", ZH_HEADER, rows)), "--db", database_url,
                 "--config", str(config)])  # fmt: skip
    out, _ = capsys.readouterr()
    assert code == 0 and "read 25 rows: 0 inserted, 0 updated, 0 unchanged, 25 rejected" in out
    assert out.count("[bad_type]") == 20 and "… and 5 more rejected rows" in out
    assert "use --rejects FILE.csv" in out


# --- re-import, updates, dry run -----------------------------------------------------


def test_reimport_changes_nothing(run, tmp_path, database_url):
    file = write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS)
    run(file)
    before = dump(database_url)
    code, summary, _ = run(file)
    assert code == 0 and counts(summary) == (3, 0, 0, 3, 0)
    assert dump(database_url) == before


def test_changed_row_updates_bumps_version_and_records_an_event(tmp_path, database_url, clock):
    engine = make_engine(database_url)
    policy = SlaPolicy()
    first = write_csv(tmp_path / "monday.csv", ZH_HEADER, ROWS)
    import_file(first, engine, policy=policy, clock=clock, operator="D1023")
    changed = [row[:] for row in ROWS]
    changed[0][7] = "2026-11-20 10:00"  # resolved later
    changed[0][2] = "S09"  # moved to a station the file introduces
    changed[1][8] = "抢修太慢，已回访"
    clock.advance(timedelta(hours=1))
    summary = import_file(write_csv(tmp_path / "tuesday.csv", ZH_HEADER, changed), engine, policy=policy,
                          clock=clock, operator="D2046")  # fmt: skip
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 2, 1)
    with Session(engine) as session:
        t1 = session.exec(select(Ticket).where(Ticket.ticket_no == "T001")).scalar_one()
        t3 = session.exec(select(Ticket).where(Ticket.ticket_no == "T003")).scalar_one()
        updates = session.exec(select(TicketEvent).where(TicketEvent.kind == "updated")).scalars().all()
        s09 = session.get(Station, "S09")
    engine.dispose()
    assert t1.resolved_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC) and t1.station_code == "S09"
    assert t1.version == 2 and t1.updated_at == NOW + timedelta(hours=1)
    assert t3.version == 1 and t3.updated_at == NOW
    assert s09 is not None and s09.area_type == "urban"
    by_ticket = {e.ticket_id: e for e in updates}
    assert len(updates) == 2
    event = by_ticket[t1.id]
    assert (event.operator, event.from_station, event.to_station) == ("D2046", "S01", "S09")
    assert event.note == "tuesday.csv: station_code, resolved_at"
    assert event.at == NOW + timedelta(hours=1)


def test_columns_absent_from_the_file_are_left_as_stored(tmp_path, database_url, clock):
    engine = make_engine(database_url)
    import_file(write_csv(tmp_path / "full.csv", ZH_HEADER, ROWS), engine, policy=SlaPolicy(), clock=clock, operator="x")
    slim = [row[:3] + [row[5]] for row in ROWS]
    summary = import_file(write_csv(tmp_path / "slim.csv", ["工单编号", "业务类型", "供电单位编码", "受理时间"], slim),
                          engine, policy=SlaPolicy(), clock=clock, operator="x")  # fmt: skip
    assert summary.unchanged == 3
    with Session(engine) as session:
        t1 = session.exec(select(Ticket).where(Ticket.ticket_no == "T001")).scalar_one()
    engine.dispose()
    assert t1.summary == "停电" and t1.resolved_at is not None


def test_dry_run_counts_without_writing(run, tmp_path, database_url):
    run(write_csv(tmp_path / "first.csv", ZH_HEADER, ROWS[:1]))
    before = dump(database_url)
    changed = [row[:] for row in ROWS]
    changed[0][8] = "changed"
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, [*changed, REASON_ROWS[2]]), "--dry-run")
    assert code == 0 and counts(summary) == (4, 2, 1, 0, 1)
    assert dump(database_url) == before


def test_dry_run_does_not_create_a_database(capsys, config, tmp_path):
    target = tmp_path / "none" / "tickets.db"
    code = main(["import", str(write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS)), "--db", f"sqlite:///{target}",
                 "--config", str(config), "--dry-run"])  # fmt: skip
    out, _ = capsys.readouterr()
    assert code == 0 and "3 inserted" in out and "dry run" in out
    assert not target.exists()


# --- whole-file failures -------------------------------------------------------------


def _binary(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    return path


def _undecodable(path: Path) -> Path:
    path.write_bytes("工单编号,业务类型\n".encode() + b"\x81\x20\xff\xfe,x\n")
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: _binary(p / "photo.csv"), "not a CSV or XLSX file"),
        (lambda p: (p / "empty.csv").write_bytes(b"") and None or p / "empty.csv", "the file is empty"),
        (lambda p: write_csv(p / "cols.csv", ["工单编号", "受理内容"], [["T1", "x"]]), "required columns missing: type (业务类型), station_code (供电单位编码), created_at (受理时间)"),
        (lambda p: write_csv(p / "noheader.csv", ["", " "], [ROWS[0]]), "no header in row 1"),
        (lambda p: (p / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512) and p / "old.xls", ".xls"),
        (lambda p: (p / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip") and p / "bad.xlsx", "not a readable XLSX workbook"),
        (lambda p: (p / "fake.xlsx").write_text("工单编号\nT1\n", encoding="utf-8") and p / "fake.xlsx", "not a readable XLSX workbook"),
        (lambda p: _undecodable(p / "mixed.csv"), "neither UTF-8 nor GB18030"),
        (lambda p: p / "missing.csv", "no such file"),
        (lambda p: write_xlsx(p / "cols.xlsx", ["ticket_no", "type"], [["T1", "repair"]]), "required columns missing"),
    ],  # fmt: skip
    ids=["binary", "empty", "missing-column", "no-header", "xls", "broken-zip", "text-as-xlsx", "undecodable",
         "not-found", "xlsx-missing-column"],  # fmt: skip
)
def test_whole_file_failures_exit_1_with_one_line_and_write_nothing(run, tmp_path, database_url, make, says):
    file = make(tmp_path)
    before = dump(database_url)
    rejects = tmp_path / "rejects.csv"
    code, out, err = run(file, "--rejects", str(rejects))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and says in err and "Traceback" not in err
    assert err.startswith(f"woq-console import: {file}: ")
    assert dump(database_url) == before


def test_a_bad_file_does_not_create_the_database(capsys, config, tmp_path):
    target = tmp_path / "new" / "tickets.db"
    file = write_csv(tmp_path / "cols.csv", ["工单编号"], [["T1"]])
    code = main(["import", str(file), "--db", f"sqlite:///{target}", "--config", str(config)])
    assert code == 1 and "required columns missing" in capsys.readouterr().err
    assert not target.parent.exists()


def test_rejects_file_may_not_overwrite_the_input(run, tmp_path, database_url):
    file = write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS)
    code, _, err = run(file, "--rejects", str(tmp_path / "." / "in.csv"))
    assert code == 1 and "cannot be the file being imported" in err
    assert file.read_text(encoding="utf-8").startswith("工单编号")
    assert dump(database_url)["ticket"] == []


def test_unreachable_database_is_one_line(capsys, config, tmp_path):
    file = write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS)
    code = main(["import", str(file), "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("woq-console: database error:") and err.count("\n") == 1


def test_header_only_reads_nothing(run, tmp_path):
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, []))
    assert code == 0 and counts(summary) == (0, 0, 0, 0, 0)


def test_a_nul_byte_far_into_the_file_is_one_bad_row_not_a_binary_file(run, tmp_path, database_url):
    rows = [[f"T{i:05d}", "咨询", "S01", "", "", "2026-11-20 08:00", "", "", "x" * 40, ""] for i in range(2000)]
    rows[1500][8] = "bad\x00value"
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows))
    assert code == 0 and counts(summary) == (2000, 1999, 0, 0, 1)
    assert summary["rejects"][0]["row"] == 1502 and summary["rejects"][0]["reason"] == "bad_value"


def test_unwritable_rejects_file_is_one_line(run, tmp_path, database_url):
    code, _, err = run(write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS), "--rejects", str(tmp_path / "no" / "r.csv"))
    assert code == 1 and err.count("\n") == 1 and "cannot write the rejects file" in err
    assert dump(database_url)["ticket"] == []


# --- batches, interruption, concurrency ----------------------------------------------


def _many(count: int, start: int = 0) -> list[list[str]]:
    return [
        [f"B{i:06d}", "咨询", f"S{i % 7}", "", "", "2026-11-20 08:00", "", "", f"第 {i} 单", ""]
        for i in range(start, start + count)
    ]


def test_interrupted_import_keeps_whole_batches_and_a_rerun_completes_it(tmp_path, database_url, clock):
    file = write_csv(tmp_path / "in.csv", ZH_HEADER, _many(2500))
    engine = make_engine(database_url)
    seen: list[int] = []

    def interrupt(rows: int, fraction: float | None) -> None:
        seen.append(rows)
        raise KeyboardInterrupt  # Ctrl-C after the first thousand rows

    with pytest.raises(KeyboardInterrupt):
        import_file(file, engine, policy=SlaPolicy(), clock=clock, operator="x", batch_rows=300, progress=interrupt)
    assert seen == [1000]
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM ticket")).scalar()
        events = connection.execute(text("SELECT count(*) FROM ticket_event")).scalar()
    assert stored == events == 900  # three whole batches; the fourth rolled back
    summary = import_file(file, engine, policy=SlaPolicy(), clock=clock, operator="x", batch_rows=300)
    engine.dispose()
    assert (summary.inserted, summary.unchanged) == (1600, 900)


def test_a_killed_import_leaves_whole_batches_and_a_rerun_completes_it(run, config, tmp_path, database_url):
    """SIGKILL, not a polite interrupt: the database holds whole batches only."""
    import os
    import signal
    import subprocess
    import sys
    import time

    total = 40_000
    file = write_csv(tmp_path / "year.csv", ZH_HEADER, _many(total))
    child = subprocess.Popen(
        [sys.executable, "-m", "woq_tui", "import", str(file), "--db", database_url, "--config", str(config),
         "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    engine = make_engine(database_url)
    try:
        stored = 0
        deadline = time.monotonic() + 120
        while stored == 0 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # polling the database for the first committed batch
            with engine.connect() as connection:
                stored = connection.execute(text("SELECT count(*) FROM ticket")).scalar()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM ticket")).scalar()
            events = connection.execute(text("SELECT count(*) FROM ticket_event")).scalar()
    finally:
        engine.dispose()
    assert 0 < stored < total and stored % 2000 == 0
    assert events == stored
    code, summary, _ = run(file)
    assert code == 0 and (summary["inserted"], summary["unchanged"]) == (total - stored, stored)


def test_duplicates_are_found_across_batches(tmp_path, database_url, clock):
    rows = _many(50)
    rows.append(rows[3])
    engine = make_engine(database_url)
    summary = import_file(write_csv(tmp_path / "in.csv", ZH_HEADER, rows), engine, policy=SlaPolicy(), clock=clock,
                          operator="x", batch_rows=10)  # fmt: skip
    engine.dispose()
    assert (summary.inserted, summary.rejected) == (50, 1)
    assert summary.rejects[0].reason == "duplicate" and summary.rejects[0].row == 52


def test_progress_reports_rows_and_ends_complete(tmp_path, clock):
    calls: list[tuple[int, float | None]] = []
    import_file(write_csv(tmp_path / "in.csv", ZH_HEADER, _many(2300)), None, policy=SlaPolicy(), clock=clock,
                operator="x", dry_run=True, progress=lambda rows, part: calls.append((rows, part)))  # fmt: skip
    assert [rows for rows, _ in calls] == [1000, 2000, 2300]
    fractions = [part for _, part in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_ticket_changed_meanwhile_is_read_again_not_overwritten_blindly(tmp_path, sqlite_url, clock):
    """SQLite (read, then write): the console bumps a ticket between the importer's read
    and its write: the batch rolls back, is read again, and the update lands on the new
    version."""
    database_url = sqlite_url
    engine = make_engine(database_url)
    import_file(write_csv(tmp_path / "a.csv", ZH_HEADER, ROWS), engine, policy=SlaPolicy(), clock=clock, operator="x")
    changed = [row[:] for row in ROWS]
    changed[0][8] = "imported text"
    other = make_engine(database_url)
    meddled: list[bool] = []

    @event.listens_for(engine, "before_cursor_execute")
    def meddle(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE TICKET") and not meddled:
            meddled.append(True)
            with other.begin() as connection:  # another session, committed at once
                connection.execute(
                    update(Ticket.__table__)
                    .where(Ticket.__table__.c.ticket_no == "T001")
                    .values(status="accepted", version=Ticket.__table__.c.version + 1)
                )

    summary = import_file(write_csv(tmp_path / "b.csv", ZH_HEADER, changed), engine, policy=SlaPolicy(), clock=clock,
                          operator="x")  # fmt: skip
    other.dispose()
    assert meddled and (summary.updated, summary.unchanged) == (1, 2)
    with Session(engine) as session:
        t1 = session.exec(select(Ticket).where(Ticket.ticket_no == "T001")).scalar_one()
        notes = session.exec(select(TicketEvent.note).where(TicketEvent.kind == "updated")).scalars().all()
    engine.dispose()
    # the console's change stands (the file has no status column), the import's lands on top
    assert (t1.status, t1.summary, t1.version) == ("accepted", "imported text", 3)
    assert notes == ["b.csv: summary"]


def test_postgres_batch_blocked_by_a_change_is_read_again_not_overwritten_blindly(tmp_path, pg_url, clock):
    """PostgreSQL (one statement per batch): the console holds T001 changed but not yet
    committed while the batch's statement runs; the statement waits for the row lock,
    finds a newer version than it read, and the batch is rolled back and read again.
    The console wrote the very summary the file brings, so read again T001 is unchanged:
    an update computed from the stale read would have bumped it and logged an event."""
    import threading

    engine = make_engine(pg_url)
    import_file(write_csv(tmp_path / "a.csv", ZH_HEADER, ROWS), engine, policy=SlaPolicy(), clock=clock, operator="x")
    changed = [row[:] for row in ROWS]
    changed[0][8] = "imported text"
    other, watcher = create_engine(pg_url), create_engine(pg_url)
    threads: list[threading.Thread] = []
    merges: list[str] = []

    def commit_once_the_import_waits(connection, transaction) -> None:
        with watcher.connect() as watching:
            waiting = 0
            while not waiting:  # until the importer's statement waits for our row lock
                waiting = watching.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         "AND datname = current_database()")
                ).scalar()
        transaction.commit()
        connection.close()

    @event.listens_for(engine, "before_cursor_execute")
    def meddle(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith("WITH BATCH"):
            return
        merges.append(statement)
        if not threads:
            connection = other.connect()
            transaction = connection.begin()
            connection.execute(
                update(Ticket.__table__)
                .where(Ticket.__table__.c.ticket_no == "T001")
                .values(status="accepted", summary="imported text", version=Ticket.__table__.c.version + 1)
            )
            threads.append(threading.Thread(target=commit_once_the_import_waits, args=(connection, transaction)))
            threads[0].start()

    summary = import_file(write_csv(tmp_path / "b.csv", ZH_HEADER, changed), engine, policy=SlaPolicy(), clock=clock,
                          operator="x")  # fmt: skip
    threads[0].join()
    other.dispose()
    watcher.dispose()
    assert len(merges) == 2  # the batch was read again
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, 3)
    with Session(engine) as session:
        t1 = session.exec(select(Ticket).where(Ticket.ticket_no == "T001")).scalar_one()
        notes = session.exec(select(TicketEvent.note).where(TicketEvent.kind == "updated")).scalars().all()
    engine.dispose()
    assert (t1.status, t1.summary, t1.version) == ("accepted", "imported text", 2)
    assert notes == []


# --- the progress bar, on a real terminal ---------------------------------------------


def _on_a_terminal(argv: list[str]) -> tuple[int, str, str]:
    """Run the command in a child whose stderr is a pseudo-terminal; (code, stdout, what
    the terminal showed)."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "woq_tui", *argv],
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    out = child.stdout.read().decode()
    code = child.wait()
    os.close(leader)
    return code, out, shown.decode(errors="replace")


def test_progress_bar_on_a_terminal_only_for_text_output(sqlite_url, config, tmp_path):
    file = write_csv(tmp_path / "in.csv", ZH_HEADER, _many(30000))
    code, out, shown = _on_a_terminal(["import", str(file), "--db", sqlite_url, "--config", str(config)])
    assert code == 0 and "read 30,000 rows: 30,000 inserted" in out
    assert "Importing" in shown and "rows/s" in shown and "30,000" in shown
    # SQLite, a first import: the figure indexes are built again at the end, and it says so.
    assert "Building the figure indexes" in shown
    assert "the figure indexes were dropped for the import and built again in" in out
    code, out, shown = _on_a_terminal(
        ["import", str(file), "--db", sqlite_url, "--config", str(config), "--format", "json"]
    )
    assert code == 0 and json.loads(out)["unchanged"] == 30000
    assert shown == ""
