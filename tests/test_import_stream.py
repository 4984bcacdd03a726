"""What keeps a long import's memory flat, and the fast XLSX reader against openpyxl."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from tests.test_import import ZH_HEADER, Cli, counts, tickets, write_csv
from woq_tui.domain.import_rows import Rejection
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import make_engine
from woq_tui.store.import_source import open_source
from woq_tui.store.importer import ImportSummary, RejectLog, import_file
from woq_tui.store.xlsx_reader import SheetReader, Unsupported


@pytest.fixture
def run(capsys, tmp_path, database_url) -> Cli:
    config = tmp_path / "config.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    return Cli(capsys, config, database_url)


def _row(n: int, ticket_no: str | None = None, kind: str = "故障报修") -> list[str]:
    return [ticket_no or f"T{n:05d}", kind, "S01", "东丽城东供电所", "城区", "2026-11-20 08:00", "", "", "", ""]


# --- rejects beyond the hundred kept in memory -----------------------------------------


def _rejection(n: int) -> Rejection:
    return Rejection(n + 2, f"T{n}", "bad_type", f"业务类型：未知的业务类型 '维修{n}' \"quoted\"\nsecond line")


def test_reject_log_spills_past_what_it_keeps_and_reads_back_in_order():
    log = RejectLog(kept=3)
    for n in range(10):
        log.append(_rejection(n))
    try:
        assert len(log) == 10
        assert list(log) == [_rejection(n) for n in range(10)]
        assert list(log) == list(log)  # reading back does not consume
        assert log[0] == _rejection(0) and log[7] == _rejection(7) and log[-1] == _rejection(9)
        assert log[:2] == [_rejection(0), _rejection(1)] and log[8:] == [_rejection(8), _rejection(9)]
        log.append(_rejection(10))  # appending after reading goes on at the end
        assert log[-1] == _rejection(10) and len(list(log)) == 11
        with pytest.raises(IndexError):
            log[11]
    finally:
        log.close()


@pytest.mark.parametrize("rejected", [0, 2, 150])
def test_streamed_json_is_what_json_dump_writes(rejected):
    summary = ImportSummary(read=rejected + 1, inserted=1, rejected=rejected, ignored_columns=["备注", "x\"y"])
    summary.rejects = RejectLog(kept=100)
    for n in range(rejected):
        summary.rejects.append(_rejection(n))
    stream = io.StringIO()
    summary.write_json(stream)
    expected = json.dumps(summary.as_json(), ensure_ascii=False, indent=2)
    summary.close()
    assert stream.getvalue() == expected
    if rejected > 100:
        with pytest.raises(ValueError):  # the spilled rejects are gone with the file
            list(summary.rejects)


def test_json_lists_every_rejected_row_of_a_long_file(run, tmp_path):
    rows = [_row(n, kind="维修" if n % 2 else "故障报修") for n in range(400)]
    code, summary, _ = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows))
    assert code == 0 and counts(summary) == (400, 200, 0, 0, 200)
    assert [r["row"] for r in summary["rejects"]] == [n + 2 for n in range(1, 400, 2)]
    assert summary["rejects"][-1] == {
        "row": 401, "ticket_no": "T00399", "reason": "bad_type", "message": "业务类型: unknown ticket type '维修'",
    }  # fmt: skip


def test_temporary_files_that_cannot_be_written_are_one_line(run, tmp_path, monkeypatch):
    import tempfile

    rows = [_row(n, kind="维修") for n in range(150)]  # past the hundred kept in memory
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    code, out, err = run(write_csv(tmp_path / "in.csv", ZH_HEADER, rows))
    assert code == 1 and out == "" and err.count("\n") == 1 and "cannot use temporary files" in err


# --- the duplicate check across batches -------------------------------------------------


def test_duplicates_across_batches_against_accepted_rows_only(tmp_path, database_url, clock):
    rows = [_row(n) for n in range(12)]
    rows[1] = _row(1, kind="维修")  # T00001 refused in the first batch ...
    rows.append(_row(1))  # ... so its number is judged on its own in the third: accepted
    rows.append([*_row(2)[:5], "not a time", *_row(2)[6:]])  # T00002 again, with a bad time too
    rows.append(_row(13))
    rows.append(_row(13))  # a duplicate within the last batch
    engine = make_engine(database_url)
    summary = import_file(write_csv(tmp_path / "in.csv", ZH_HEADER, rows), engine, policy=SlaPolicy(), clock=clock,
                          operator="x", batch_rows=5)  # fmt: skip
    engine.dispose()
    assert [(r.row, r.ticket_no, r.reason) for r in summary.rejects] == [
        (3, "T00001", "bad_type"), (15, "T00002", "duplicate"), (17, "T00013", "duplicate"),
    ]  # fmt: skip
    assert (summary.read, summary.inserted, summary.rejected) == (16, 13, 3)
    assert "T00001" in tickets(database_url)


# --- the XLSX reader against openpyxl ---------------------------------------------------


def _openpyxl_rows(path: Path) -> list[tuple[int, list]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    rows = [(n, _trimmed(list(values))) for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    book.close()
    return [(n, values) for n, values in rows if values]


def _fast_rows(path: Path) -> list[tuple[int, list]]:
    reader = SheetReader(path)
    try:
        return [(n, _trimmed(values)) for n, values in reader.rows() if _trimmed(values)]
    finally:
        reader.close()


def _trimmed(values: list) -> list:
    while values and values[-1] is None:
        values.pop()
    return values


CELLS = [
    ["text", "  spaced  ", "", "多行\n内容 😀", "<&>\"'", "T'; DROP TABLE ticket; --"],
    [0, 1, -7, 2**40, 13812341234, 0.1, 1.5e-7, 3.0, True, False],
    [datetime(2026, 11, 20, 8, 0), datetime(2026, 11, 20, 8, 0, 59, 500000), date(2026, 2, 28),
     datetime(1900, 1, 1), datetime(1900, 3, 1), datetime(2199, 12, 31, 23, 59, 59)],
    [time(8, 30), timedelta(hours=30), "=1+1", None, None, "after a gap"],
]  # fmt: skip


def _with_shared_strings(path: Path) -> Path:
    """The workbook as Excel saves it: its strings in a shared table (openpyxl writes
    them inline)."""
    shared: list[bytes] = []

    def share(match: re.Match) -> bytes:
        shared.append(match.group(3))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), len(shared) - 1)

    target_path = path.with_name("shared-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target_path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="(\w+)"((?: s="\d+")?) t="inlineStr"><is>(.*?)</is></c>', share, data, flags=re.S)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type='
                                    b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                                    b'sharedStrings"/></Relationships>')  # fmt: skip
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')  # fmt: skip
            target.writestr(item, data)
        table = b"".join(b"<si>" + text + b"</si>" for text in shared)
        target.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
            % (len(shared), len(shared), table),
        )
    return target_path


def _workbook(path: Path, *, write_only: bool, epoch=None) -> Path:
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    if epoch is not None:
        book.epoch = epoch
    for row in CELLS:
        sheet.append(row)
    sheet.append([])  # an empty row: its number is skipped
    sheet.append([None, None, "column C only"])
    if not write_only:
        sheet["A9"] = CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold")])
        sheet["D9"] = "#N/A"
        sheet["D9"].data_type = "e"
        book.create_sheet("second").append(["not read"])
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("write_only", "epoch", "shared"),
    [(False, None, True), (False, None, False), (True, None, False), (False, CALENDAR_MAC_1904, True)],
    ids=["shared-strings", "inline-strings", "write-only", "1904-dates"],
)
def test_fast_reader_reads_what_openpyxl_reads(tmp_path, write_only, epoch, shared):
    path = _workbook(tmp_path / "book.xlsx", write_only=write_only, epoch=epoch)
    if shared:
        path = _with_shared_strings(path)
        with zipfile.ZipFile(path) as archive:
            assert b't="s"' in archive.read("xl/worksheets/sheet1.xml")
    fast = _fast_rows(path)
    assert fast == _openpyxl_rows(path)
    assert fast[2][1][0] == datetime(2026, 11, 20, 8, 0) and fast[1][1][4] == 13812341234
    assert [n for n, _ in fast][-1] == (9 if not write_only else 6)


def test_shared_strings_are_read_back_from_their_file_in_any_order():
    from woq_tui.store.xlsx_reader import SharedStrings

    texts = [f"{n}号 😀 {'长' * (n % 7)}" for n in range(10_000)] + ["", "last"]  # more than the cache holds
    strings = SharedStrings()
    for text in texts:
        strings.append(text)
    order = list(range(len(texts)))
    order = order[::-1] + order[::3]
    try:
        assert len(strings) == len(texts)
        assert [strings.get(i) for i in order] == [texts[i] for i in order]
        with pytest.raises(IndexError):
            strings.get(len(texts))
    finally:
        strings.close()


def test_a_shared_string_index_beyond_the_table_names_the_row(run, tmp_path):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(ZH_HEADER)
    for n in range(5):
        sheet.append(_row(n))
    book.save(tmp_path / "book.xlsx")
    path = _with_shared_strings(tmp_path / "book.xlsx")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'(<c r="A4"[^>]*?)(?: t="\w+")?>.*?</c>', rb'\1 t="s"><v>99999</v></c>', data, count=1)
            target.writestr(item, data)
    code, out, err = run(broken)
    assert code == 1 and out == "" and "row 4 cannot be read" in err and err.count("\n") == 1


def test_fast_reader_decodes_excel_escapes_and_skips_phonetic_runs(tmp_path):
    """Excel writes a carriage return as _x000D_ and may add phonetic guides (rPh)."""
    path = _with_shared_strings(_workbook(tmp_path / "book.xlsx", write_only=False))
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"<t>text</t>", b"<t>line_x000D_two</t><rPh sb=\"0\" eb=\"1\"><t>reading</t></rPh>")
            target.writestr(item, data)
    assert _fast_rows(patched)[0][1][0] == "line\rtwo"


def test_fast_reader_memory_does_not_keep_read_rows(tmp_path):
    path = tmp_path / "long.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for n in range(3000):
        sheet.append([f"T{n}", n])
    book.save(path)
    reader = SheetReader(path)
    rows = reader.rows()
    fractions = []
    for n, _ in rows:
        if n % 1000 == 0:
            fractions.append(reader.fraction())
    reader.close()
    assert fractions == sorted(fractions) and 0 < fractions[0] < fractions[-1] <= 1


def test_strict_open_xml_is_left_to_openpyxl(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", write_only=False)
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(strict, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                    b"http://purl.oclc.org/ooxml/spreadsheetml/main")  # fmt: skip
            target.writestr(item, data)
    with pytest.raises(Unsupported):
        SheetReader(strict)


def test_a_zip_that_is_no_workbook_is_one_line(run, tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    code, out, err = run(path)
    assert code == 1 and out == "" and err.count("\n") == 1 and "not a readable XLSX workbook" in err


def test_a_sheet_broken_part_way_keeps_whole_batches_and_names_the_row(tmp_path, database_url, clock):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(ZH_HEADER)
    for n in range(30):
        sheet.append(_row(n))
    book.save(path)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cut = data.index(b'<row r="25"')
                data = data[:cut] + b"<row r=\"25\"><c r=\"A25\" t=\"inlineStr\"><is><t>T&bogus;</t></is></c></row>"
            target.writestr(item, data)
    from woq_tui.store.import_source import ImportFileError

    engine = make_engine(database_url)
    with pytest.raises(ImportFileError, match="row 25 cannot be read"):
        import_file(broken, engine, policy=SlaPolicy(), clock=clock, operator="x", batch_rows=10)
    summary = import_file(path, engine, policy=SlaPolicy(), clock=clock, operator="x", batch_rows=10)
    engine.dispose()
    assert (summary.inserted, summary.unchanged) == (10, 20)  # two whole batches were kept


def test_source_of_a_workbook_reads_row_numbers_and_skips_blank_rows(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", write_only=False)
    with open_source(path) as source:
        numbers = [n for n, _ in source.rows]
    assert source.kind == "xlsx" and source.header[0] == "text"
    assert numbers == [2, 3, 4, 6, 9]  # row 5 is empty; 7 and 8 do not exist
