"""Hostile input to `woq-console import` (issue 16): bad characters, files that would eat
the CPU or the memory, a database that goes away, terminal escapes, formulas in the
rejects file. The costly files are built small on disk in tmp_path, and imported in a
child process whose peak RSS is measured (never a timing)."""

from __future__ import annotations

import csv
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.test_import import ROWS, ZH_HEADER, Cli, counts, tickets, write_csv, write_xlsx
from woq_tui.cli import main
from woq_tui.domain.sla import SlaPolicy
from woq_tui.errors import DatabaseError
from woq_tui.store.db import make_engine
from woq_tui.store.importer import import_file

ROOT = Path(__file__).resolve().parent.parent
# What the child may take at most (a guard for the machine: before the limits, these
# files took gigabytes); the bound a refusal must stay under.
ADDRESS_SPACE = 3 << 30
PEAK_MB = 250


@pytest.fixture
def run(capsys, tmp_path, database_url) -> Cli:
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    return Cli(capsys, config, database_url)


_IMPORTER = """
import json, os, resource, sys
from woq_tui.cli import main
import woq_tui.store.importer, woq_tui.store.xlsx_reader, woq_tui.commands.importing  # warm, before forking
for line in sys.stdin:
    argv, output = json.loads(line)
    pid = os.fork()
    if pid == 0:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
        code = main(argv)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]), flush=True)
"""


@pytest.fixture(scope="session")
def importer_process():
    """One warm Python that forks a child per import: each child's peak RSS is its own
    (os.wait4), without paying the interpreter's start for every hostile file."""
    script = _IMPORTER.replace("ADDRESS_SPACE, ADDRESS_SPACE", f"{ADDRESS_SPACE}, {ADDRESS_SPACE}")
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    yield process
    process.stdin.close()
    process.wait(timeout=30)


@pytest.fixture
def measured_import(importer_process, tmp_path):
    """`woq-console import FILE ...` in a child: (exit code, its output, peak RSS MB)."""
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")

    def run(file: Path, *extra: str) -> tuple[int, str, float]:
        db = f"sqlite:///{tmp_path / 'measured.db'}"
        argv = ["import", str(file), "--db", db, "--config", str(config), *extra]
        output = tmp_path / "output.txt"
        importer_process.stdin.write(json.dumps([argv, str(output)]) + "\n")
        importer_process.stdin.flush()
        code, peak = json.loads(importer_process.stdout.readline())
        return code, output.read_text(encoding="utf-8"), peak / 1024

    return run


def assert_refused(code: int, err: str, peak: float, says: str) -> None:
    assert code == 1, err
    assert err.count("\n") == 1 and says in err and "Traceback" not in err, err
    assert peak < PEAK_MB, f"peak {peak:.0f} MB"


# --- building workbooks by hand ---------------------------------------------------------

_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>ticket_no</t></is></c><c r="B1" t="inlineStr"><is><t>type</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>station_code</t></is></c><c r="D1" t="inlineStr"><is><t>created_at</t></is></c></row>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


class Deflated:
    """A part's raw deflate stream, built from pieces without holding the expansion:
    a piece repeated N times is compressed once, after a full flush (which makes its
    compressed form independent of what came before), and its bytes repeated."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.size = 0
        self.crc = 0

    def add(self, piece: bytes, times: int = 1) -> Deflated:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH)
        self.data += block * times
        self.size += len(piece) * times
        for _ in range(times):  # the CRC is what zipfile checks at the end of the part
            self.crc = zlib.crc32(piece, self.crc)
        return self

    def finish(self) -> Deflated:
        self.data += zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
        return self


def workbook_with_sheet(path: Path, sheet: Deflated) -> Path:
    """An openpyxl workbook whose first worksheet part is replaced by `sheet`."""
    template = path.with_suffix(".template.xlsx")
    write_xlsx(template, ["ticket_no"], [])
    parts = []
    with zipfile.ZipFile(template) as source:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                parts.append((info.filename, bytes(sheet.data), sheet.size, sheet.crc))
            else:
                raw = source.read(info.filename)
                part = Deflated().add(raw).finish()
                parts.append((info.filename, bytes(part.data), part.size, part.crc))
    with path.open("wb") as out:
        central = b""
        for name, data, size, crc in parts:
            offset = out.tell()
            encoded = name.encode()
            fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
            out.write(b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + encoded + data)
            central += b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, offset) + encoded
        start = out.tell()
        out.write(central)
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts), len(central), start, 0))
    return path


def sheet(*rows: bytes, times: int = 1) -> Deflated:
    """The header row, then `rows` (the last one repeated `times` times)."""
    part = Deflated().add(_SHEET_HEAD)
    for row in rows[:-1]:
        part.add(row)
    if rows:
        part.add(rows[-1], times)
    return part.add(_SHEET_TAIL).finish()


GOOD_ROW = (
    b'<row><c t="inlineStr"><is><t>T1</t></is></c><c t="inlineStr"><is><t>repair</t></is></c>'
    b'<c t="inlineStr"><is><t>S01</t></is></c><c t="inlineStr"><is><t>2026-11-20 08:00</t></is></c></row>'
)


def test_the_handmade_workbook_imports(run, tmp_path):
    """The builder makes workbooks the importer reads, so the refusals below are the limits'."""
    code, summary, _ = run(workbook_with_sheet(tmp_path / "good.xlsx", sheet(GOOD_ROW)))
    assert code == 0 and counts(summary) == (1, 1, 0, 0, 0)


# --- item 4: small files that would eat the CPU or the memory -----------------------------


def test_a_normal_import_in_a_child_stays_under_the_bound(measured_import, tmp_path):
    """The bound the refusals are held to leaves room above an ordinary import."""
    code, err, peak = measured_import(write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS))
    assert code == 0, err
    assert peak < PEAK_MB - 100, f"peak {peak:.0f} MB"


@pytest.mark.parametrize("columns", [40_000, 1_000_000])
def test_a_header_of_too_many_columns_is_refused(measured_import, tmp_path, columns):
    header = ",".join(["ticket_no", "type", "station_code", "created_at"] + [f"c{i}" for i in range(columns)])
    file = tmp_path / "wide.csv"
    file.write_text(header + "\nT1,repair,S01,2026-11-20 08:00\n", encoding="utf-8")
    assert_refused(*measured_import(file), "row 1 has more than 16,384 columns")


def test_a_data_row_of_a_million_empty_cells_is_refused_before_it_is_built(measured_import, tmp_path):
    file = tmp_path / "commas.csv"
    file.write_text("ticket_no,type,station_code,created_at\nT1,repair,S01,2026-11-20 08:00\n" + "," * 3_000_000 + "\n")
    assert_refused(*measured_import(file), "row 3 has more than 16,384 columns")


def test_a_header_at_the_column_limit_imports(run, tmp_path):
    header = ["ticket_no", "type", "station_code", "created_at"] + [f"extra {i}" for i in range(16_380)]
    code, summary, _ = run(write_csv(tmp_path / "wide.csv", header, [["T1", "repair", "S01", "2026-11-20 08:00"]]))
    assert code == 0 and counts(summary) == (1, 1, 0, 0, 0) and len(summary["ignored_columns"]) == 16_380


def test_a_row_longer_than_the_limit_is_refused(measured_import, tmp_path):
    file = tmp_path / "long.csv"
    file.write_text("ticket_no,type,station_code,created_at,summary\nT1,repair,S01,2026-11-20 08:00,\"" + "长" * (5 << 20) + '"\n')
    assert_refused(*measured_import(file), "row 2 is larger than 4 MB")


def test_a_quoted_field_over_a_million_lines_is_refused(measured_import, tmp_path):
    file = tmp_path / "lines.csv"
    file.write_text("ticket_no,type,station_code,created_at,summary\nT1,repair,S01,2026-11-20 08:00,\"" + "x\n" * 3_000_000 + '"\n')
    assert_refused(*measured_import(file), "row 2 is larger than 4 MB")


def test_a_cell_reference_beyond_the_last_column_is_refused(measured_import, tmp_path):
    file = workbook_with_sheet(tmp_path / "zz.xlsx", sheet(b'<row r="2"><c r="ZZZZZZ2"><v>1</v></c></row>'))
    assert_refused(*measured_import(file), "cell reference ZZZZZZ2 lies beyond the last column, XFD")


def test_the_last_column_xfd_is_still_read(run, tmp_path):
    row = GOOD_ROW.replace(b"</row>", b'<c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>')
    code, summary, _ = run(workbook_with_sheet(tmp_path / "xfd.xlsx", sheet(row)))
    assert code == 0 and counts(summary) == (1, 1, 0, 0, 0)


def test_a_zip_bomb_of_whitespace_is_refused_before_it_is_read(measured_import, tmp_path):
    """1.5 MB on disk that expands to 1.5 GB of whitespace inside a row."""
    file = workbook_with_sheet(tmp_path / "bomb.xlsx", sheet(b"<row><c><v>1</v></c>", b" " * (1 << 20), times=1500))
    assert file.stat().st_size < 3 << 20
    assert_refused(*measured_import(file), "xl/worksheets/sheet1.xml expands to 1,500 MB")


def test_whitespace_that_passes_the_ratio_is_refused_while_it_streams(measured_import, tmp_path):
    """20 MB of whitespace inside a row, with enough random text beside it that the
    compression ratio looks like a real sheet's: the streaming guard refuses it."""
    noise = os.urandom(400_000).hex().encode()
    part = sheet(b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + noise + b"</t></is></c>", b" " * (1 << 20), times=20)
    file = workbook_with_sheet(tmp_path / "spaces.xlsx", part)
    assert_refused(*measured_import(file), "row 2 is larger than 16 MB")


def test_two_hundred_million_empty_rows_are_refused(measured_import, tmp_path):
    file = workbook_with_sheet(tmp_path / "empty.xlsx", sheet(b"<row/>" * 100_000, times=2_000))
    assert file.stat().st_size < 3 << 20
    assert_refused(*measured_import(file), "expands to 1,144 MB")


def test_rows_beyond_excels_last_row_are_refused(measured_import, tmp_path):
    """Empty rows that compress no better than a real sheet's, or one row number far off."""
    file = workbook_with_sheet(tmp_path / "rows.xlsx", sheet(GOOD_ROW, b"<row/>", times=1_048_576))
    assert_refused(*measured_import(file), "more than the 1,048,576 rows an XLSX sheet may have")
    file = workbook_with_sheet(tmp_path / "far.xlsx", sheet(b'<row r="1048577"><c><v>1</v></c></row>'))
    assert_refused(*measured_import(file), "more than the 1,048,576 rows")


def test_a_row_of_too_many_elements_is_refused(measured_import, tmp_path):
    file = workbook_with_sheet(tmp_path / "cells.xlsx", sheet(b"<row>", b"<c/>" * 1000, times=200))
    assert_refused(*measured_import(file), "row 2 holds more than 100,000 XML elements")


# --- item 2: lone surrogates and NUL are a row's bad_value, never a lost batch ------------


def _sheet_rows(*values: tuple[str, str]) -> Deflated:
    """Rows of (ticket_no, summary) as inline strings, written as they are (so that
    `_xD800_` reaches the reader as Excel's escape)."""
    rows = []
    for ticket_no, summary in values:
        cells = [ticket_no, "repair", "S01", "2026-11-20 08:00", summary]
        rows.append(b"<row>" + b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % c.encode() for c in cells) + b"</row>")
    head = _SHEET_HEAD.replace(b"</row>", b'<c r="E1" t="inlineStr"><is><t>summary</t></is></c></row>', 1)
    part = Deflated().add(head)
    for row in rows:
        part.add(row)
    return part.add(_SHEET_TAIL).finish()


def test_an_xlsx_lone_surrogate_or_nul_is_a_bad_value_row_and_the_batch_stands(run, tmp_path, database_url):
    file = workbook_with_sheet(
        tmp_path / "bad.xlsx",
        _sheet_rows(("T1", "fine"), ("T2", "x_xD800_y"), ("T3_xDFFF_", "fine"), ("T4", "a_x0000_b"), ("T5", "fine")),
    )
    rejects = tmp_path / "rejects.csv"
    code, summary, err = run(file, "--rejects", str(rejects))
    assert code == 0 and "Traceback" not in err
    assert counts(summary) == (5, 2, 0, 0, 3)
    assert [(r["row"], r["ticket_no"], r["reason"]) for r in summary["rejects"]] == [
        (3, "T2", "bad_value"), (4, "T3\\udfff", "bad_value"), (5, "T4", "bad_value"),
    ]  # fmt: skip
    assert "lone surrogate" in summary["rejects"][0]["message"] and "NUL" in summary["rejects"][2]["message"]
    assert set(tickets(database_url)) == {"T1", "T5"}
    written = rejects.read_text(encoding="utf-8-sig")
    assert "x\\ud800y" in written and "T3\\udfff" in written  # recognisable, and encodable


def test_an_xlsx_lone_surrogate_in_the_header_is_listed_readably(run, tmp_path):
    head = _SHEET_HEAD.replace(b"</row>", b'<c r="E1" t="inlineStr"><is><t>odd_xD800_</t></is></c></row>', 1)
    code, summary, _ = run(workbook_with_sheet(tmp_path / "h.xlsx", Deflated().add(head).add(GOOD_ROW).add(_SHEET_TAIL).finish()))
    assert code == 0 and summary["ignored_columns"] == ["odd\\ud800"] and summary["inserted"] == 1


@pytest.mark.parametrize("where", [2, 3000])
def test_a_csv_nul_is_a_bad_value_row_wherever_it_is(run, tmp_path, database_url, where):
    """Row 2 (inside the first 64 KB, once the whole file) or row 3000: the same."""
    rows = [[f"T{i:05d}", "咨询", "S01", "", "", "2026-11-20 08:00", "", "", "x" * 40, ""] for i in range(3000)]
    rows[where - 2][8] = "bad\x00value"
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows))
    assert code == 0 and counts(summary) == (3000, 2999, 0, 0, 1)
    assert summary["rejects"][0]["row"] == where and summary["rejects"][0]["reason"] == "bad_value"


@pytest.mark.parametrize("column", [0, 1, 2, 3, 5])
def test_a_nul_in_any_column_the_file_maps_is_a_bad_value(run, tmp_path, database_url, column):
    """ticket_no, type, station_code, station_name, created_at: never bad_type or
    bad_timestamp, never a PostgreSQL error that loses the batch."""
    rows = [list(row) for row in ROWS]
    rows[1][column] += "\x00"
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows))
    assert code == 0 and counts(summary) == (3, 2, 0, 0, 1)
    assert summary["rejects"][0]["reason"] == "bad_value" and summary["rejects"][0]["row"] == 3


def test_a_binary_file_is_still_not_a_csv(run, tmp_path):
    file = tmp_path / "photo.csv"
    file.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    code, _, err = run(file)
    assert code == 1 and "not a CSV or XLSX file" in err


# --- item 9: the database must keep what the import writes --------------------------------


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused(capsys, tmp_path, url):
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    file = write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS)
    code = main(["import", str(file), "--db", url, "--config", str(config)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "in-memory database" in err


def test_the_import_api_refuses_an_in_memory_engine_too(tmp_path, clock):
    from woq_tui.store.db import upgrade

    engine = make_engine("sqlite://")
    upgrade(engine)
    with pytest.raises(DatabaseError, match="in-memory"):
        import_file(write_csv(tmp_path / "in.csv", ZH_HEADER, ROWS), engine, policy=SlaPolicy(), clock=clock, operator="t")


def _many(count: int) -> list[list[str]]:
    return [[f"B{i:06d}", "咨询", "S01", "", "", "2026-11-20 08:00", "", "", "", ""] for i in range(count)]


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_sqlite_file_deleted_or_replaced_mid_import_fails_the_import(tmp_path, sqlite_url, clock, how):
    """The open connection would go on writing into the unlinked file: the import
    must not report those rows as inserted."""
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    file = write_csv(tmp_path / "in.csv", ZH_HEADER, _many(5000))
    engine = make_engine(sqlite_url)
    other = tmp_path / "other.db"

    def progress(rows: int, _fraction) -> None:
        if rows == 2000:  # the first batch is written: the file goes away under the import
            if how == "deleted":
                database.unlink()
            else:
                other.write_bytes(database.read_bytes())
                os.replace(other, database)

    with pytest.raises(DatabaseError, match="was deleted or replaced during the import"):
        import_file(file, engine, policy=SlaPolicy(), clock=clock, operator="t", progress=progress, batch_rows=1000)
    engine.dispose()


def test_the_command_says_so_in_one_line(capsys, tmp_path, sqlite_url, monkeypatch):
    from woq_tui.store.importer import batches

    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    flush = batches.BatchWriter.flush

    def flush_then_delete(self, batch, summary):  # the fault, at a known point: after the first batch
        flush(self, batch, summary)
        database.unlink(missing_ok=True)

    monkeypatch.setattr(batches.BatchWriter, "flush", flush_then_delete)
    file = write_csv(tmp_path / "in.csv", ZH_HEADER, _many(3000))
    code = main(["import", str(file), "--db", sqlite_url, "--config", str(config)])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and err.count("\n") == 1 and "deleted or replaced" in err


# --- item 10: nothing the file holds can steer the terminal ---------------------------------

HOSTILE = "T\x1b]0;owned\x07\x1b[2J\x9b31m\u202eX"


def test_the_text_summary_escapes_control_characters(capsys, tmp_path, sqlite_url):
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    rows = [list(ROWS[0])]
    rows[0][0], rows[0][1] = HOSTILE, "bogus\x1b[2J"
    header = ZH_HEADER + ["\x1b[31mred"]
    main(["import", str(write_csv(tmp_path / "in.csv", header, rows)), "--db", sqlite_url, "--config", str(config)])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out and "\u202e" not in out
    assert "T\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202eX" in out and "\\x1b[31mred" in out


def test_the_error_line_escapes_control_characters(capsys, tmp_path, sqlite_url):
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    file = tmp_path / "\x1b[2Jgone.csv"
    main(["import", str(file), "--db", sqlite_url, "--config", str(config)])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2Jgone.csv" in err


def test_the_json_summary_escapes_them_and_still_reads_back(run, tmp_path):
    rows = [list(ROWS[0])]
    rows[0][0], rows[0][1] = HOSTILE, "bogus"
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER + ["\x9bcol"], rows))
    assert code == 0 and summary["rejects"][0]["ticket_no"] == HOSTILE and summary["ignored_columns"] == ["\x9bcol"]


def test_the_raw_json_has_no_control_character(capsys, tmp_path, sqlite_url):
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    rows = [list(ROWS[0])]
    rows[0][0], rows[0][1] = HOSTILE, "bogus"
    argv = ["import", str(write_csv(tmp_path / "in.csv", ZH_HEADER, rows)), "--db", sqlite_url, "--format", "json"]
    main([*argv, "--config", str(config)])
    out = capsys.readouterr().out
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in out)
    assert json.loads(out)["rejects"][0]["ticket_no"] == HOSTILE


# --- issue 16 item 6: the rejects file holds no formula ------------------------------------


def test_rejects_file_cells_cannot_run_as_formulas(run, tmp_path):
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][1] = "=cmd|' /C calc'!A0"  # an unknown type: rejected
    rows[1][1], rows[1][8] = "bogus", "@SUM(1+1)"
    header = ZH_HEADER + ["+danger"]
    rejects = tmp_path / "rejects.csv"
    code, summary, _ = run(write_csv(tmp_path / "in.csv", header, rows), "--rejects", str(rejects))
    assert code == 0 and summary["rejected"] == 2
    with rejects.open(encoding="utf-8-sig", newline="") as stream:
        written = list(csv.reader(stream))
    assert written[0][-4:] == ["'+danger", "row", "reason", "message"]
    assert written[1][1] == "'=cmd|' /C calc'!A0" and written[1][0] == "T001"  # the rest as read
    assert written[1][-2] == "bad_type"
    assert written[2][8] == "'@SUM(1+1)" and written[2][1] == "bogus"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in written for cell in row)


def test_numbers_in_a_workbook_stay_numbers_in_the_rejects_file(run, tmp_path):
    rejects = tmp_path / "rejects.csv"
    header = ["ticket_no", "type", "station_code", "created_at", "dispatch_count"]
    file = write_xlsx(tmp_path / "in.xlsx", header, [["T1", "repair", "S01", "2026-11-20 08:00", -3]])
    code, summary, _ = run(file, "--rejects", str(rejects))
    assert code == 0 and summary["rejects"][0]["reason"] == "bad_number"
    with rejects.open(encoding="utf-8-sig", newline="") as stream:
        assert list(csv.reader(stream))[1][4] == "-3"
