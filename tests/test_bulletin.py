"""The monthly bulletin (月通报, docs/assessment.md): its figures by hand on SQLite and
PostgreSQL, every section in md, the XLSX read back with openpyxl (sheets, numbers and
formats, frozen heads, widths), and `woq-console bulletin`'s options."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from rich.cells import cell_len

from tests.factories import add_all, station, ticket
from woq_tui.cli import main
from woq_tui.config import parse_settings
from woq_tui.domain.periods import calendar_period
from woq_tui.i18n import set_language
from woq_tui.reporting.bulletin_md import render_bulletin_md
from woq_tui.reporting.bulletin_xlsx import render_bulletin_xlsx
from woq_tui.store.bulletin import bulletin
from woq_tui.store.db import make_engine

UTC = timezone.utc
H, DAY = timedelta(hours=1), timedelta(days=1)
AS_OF = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
SETTINGS = parse_settings({"assessment": {"min_tickets": 2}})
TZ = SETTINGS.tz
NOVEMBER = calendar_period("month", date(2026, 11, 1), TZ)


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=TZ).astimezone(UTC)


def resolved(created, late=False, **fields):
    return ticket(created, resolved_at=created + (5 * H if late else H), status="closed", **fields)


def fill(engine) -> None:
    add_all(engine, station("S001", "东丽城东供电所", "urban"), station("S002", "西青农村供电所", "rural"))
    add_all(
        engine,
        resolved(local(2026, 11, 3, 9), station_code="S001", satisfaction="satisfied"),
        resolved(local(2026, 11, 4, 9), station_code="S001"),
        resolved(local(2026, 11, 3, 9), station_code="S002"),
        resolved(local(2026, 11, 5, 9), late=True, station_code="S002"),
        # five tickets still open, created on 11-10: old at the month's end, overdue
        *(ticket(local(2026, 11, 10, 9) + n * H, station_code="S002") for n in range(5)),
        # October
        resolved(local(2026, 10, 20, 9), late=True, station_code="S001"),
        resolved(local(2026, 10, 21, 9), station_code="S002"),
    )


@pytest.fixture
def data(engine):
    fill(engine)
    return bulletin(engine, NOVEMBER, AS_OF, SETTINGS.assessment)


def test_the_bulletin_s_figures_by_hand(data):
    assert (data.totals["tickets"], data.totals["overdue"]) == (9, 6)
    assert data.totals["overdue_rate"] == 6 / 9 and data.previous_totals["overdue_rate"] == 1 / 2
    assert data.comparison.period.first_day == date(2026, 10, 1) and not data.comparison.partial
    assert list(data.areas) == ["urban", "rural"] and data.areas["rural"]["tickets"] == 7
    assert data.previous_areas["urban"]["overdue_rate"] == 1.0
    card = data.scorecard.by_code()
    assert card["S001"].score == pytest.approx(100.0) and card["S001"].rank == 1
    # S002: on time 1/2, one-time 2/2, no survey: 100 × (40·½ + 20·1) / 60
    assert card["S002"].score == pytest.approx(100 * 40 / 60) and card["S002"].rank == 2
    assert [x.code for x in data.scorecard.best()] == ["S001", "S002"] and data.scorecard.worst() == ()
    # the black list at the month's end: S002's five tickets open since 11-10
    assert data.backlog.as_of == local(2026, 12, 1)
    assert [(e.code, e.conditions, len(e.tickets)) for e in data.backlog.entries] == [("S002", ("old_open",), 5)]
    assert data.by_day[date(2026, 11, 10)] == {**data.by_day[date(2026, 11, 10)], "tickets": 5, "overdue": 5,
                                               "overdue_rate": 1.0}  # fmt: skip
    assert date(2026, 11, 11) not in data.by_day
    assert data.audit_flags is None


def test_every_section_in_markdown(data):
    set_language("zh")
    text = render_bulletin_md(data, TZ)
    assert text.startswith("# 2026年11月 工单质量月通报\n")
    for heading in ("## 主要指标", "## 考核排名（红黑榜）", "### 红榜", "### 黑榜", "## 积压黑名单", "## 按区域类型",
                    "## 工单质检问题（按规则）", "## 每日超期率"):  # fmt: skip
        assert heading in text
    assert "| 超期率 | 66.7% | 50.0% | +16.7百分点 | 变差 |" in text
    assert "| 1 | S001 | 东丽城东供电所 | 城区 | 2 | 100.0 |" in text
    assert "久拖未结：5 件超过 7 天未办结" in text
    assert "工单质检尚未接入，暂无此项数据。" in text
    assert "| 2026-11-10 | 5 | 5 | 100.0% |" in text


def test_the_audit_section_once_the_audit_is_plugged_in(engine):
    fill(engine)

    def flags(engine, period, as_of):
        return {"missing_summary": 2, "repeat_call": 5}

    data = bulletin(engine, NOVEMBER, AS_OF, SETTINGS.assessment, audit_flags=flags)
    text = render_bulletin_md(data, TZ)
    assert text.index("| Repeat call | repeat_call | 5 |") < text.index("| Summary missing | missing_summary | 2 |")


def test_the_workbook_read_back(data):
    set_language("zh")
    book = load_workbook(io.BytesIO(render_bulletin_xlsx(data, TZ)))
    assert book.sheetnames == ["主要指标", "考核排名", "积压黑名单", "按区域", "质检问题", "每日超期"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        # the table: from the head to the first empty row (notes below it may run on)
        rows = []
        for row in sheet.iter_rows():
            if all(cell.value is None for cell in row):
                break
            rows.append(row)
        for index in range(len(rows[0])):
            letter = rows[0][index].column_letter
            widest = max(cell_len(row[index].value) for row in rows if isinstance(row[index].value, str))
            assert sheet.column_dimensions[letter].width >= min(widest, 58), (sheet.title, letter)
    headline = {row[0].value: row for row in book["主要指标"].iter_rows(min_row=2) if row[0].value}
    rate = headline["超期率"]
    assert rate[1].value == pytest.approx(6 / 9) and rate[1].number_format == "0.0%"
    assert rate[3].value == pytest.approx(6 / 9 - 0.5) and "%" in rate[3].number_format
    assert headline["工单数"][1].value == 9 and headline["工单数"][1].number_format == "#,##0"
    ranking = list(book["考核排名"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert ranking[0][:6] == (1, "S001", "东丽城东供电所", "城区", 2, pytest.approx(100.0))
    assert ranking[0][-1] == "红榜"
    daily = list(book["每日超期"].iter_rows(min_row=2, values_only=True))
    assert len(daily) == 30 and daily[9][0] == datetime(2026, 11, 10) and daily[9][3] == 1.0
    assert book["质检问题"]["A2"].value == "工单质检尚未接入，暂无此项数据。"


def test_bulletin_command(database_url, tmp_path, capsysbinary):
    engine = make_engine(database_url)
    fill(engine)
    engine.dispose()
    base = ["--lang", "en", "bulletin", "--db", database_url, "--as-of", "2026-12-03T10:00"]
    # default: the last full month before --as-of, November
    assert main([*base, "--format", "md"]) == 0
    assert capsysbinary.readouterr().out.decode().startswith("# Monthly work-order bulletin: Nov 2026\n")
    out = tmp_path / "bulletin.xlsx"
    assert main([*base, "--month", "2026-11", "--format", "xlsx", "--out", str(out)]) == 0
    assert "Bulletin written to" in capsysbinary.readouterr().err.decode()
    assert load_workbook(out).sheetnames[0] == "Headline"
    # the month still running is cut at --as-of's day
    assert main([*base, "--month", "2026-12", "--format", "md"]) == 0
    assert "Dec 2026 (to 12-03)" in capsysbinary.readouterr().out.decode()


@pytest.mark.parametrize(
    "argv, status, message",
    [
        (["--month", "2026-13"], 2, "--month: not a month (YYYY-MM): '2026-13'"),
        (["--month", "Nov"], 2, "--month: not a month"),
        (["--month", "2027-01"], 2, "--month 2027-01 has not begun"),
        (["--as-of", "tomorrow"], 2, "--as-of: not a date or datetime"),
        (["--out", "/no/such/dir/b.html"], 1, "Cannot write /no/such/dir/b.html"),
    ],
)
def test_bulletin_bad_input_is_one_line(sqlite_url, capsysbinary, argv, status, message):
    assert main(["--lang", "en", "bulletin", "--db", sqlite_url, "--as-of", "2026-12-03T10:00", *argv]) == status
    captured = capsysbinary.readouterr()
    err = captured.err.decode()
    assert captured.out == b"" and message in err and err.count("\n") == 1


def test_the_html_is_one_self_contained_printable_page(data):
    from woq_tui.reporting.bulletin_html import render_bulletin_html

    set_language("zh")
    page = render_bulletin_html(data, TZ)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "<script" not in page and "http" not in page and "url(" not in page and "@import" not in page
    assert "@page { size: A4;" in page and '"Noto Sans CJK SC"' in page and '"Microsoft YaHei"' in page
    assert page.count("<svg") == 1 and "<rect" in page
    for heading in ("主要指标", "红榜", "黑榜", "积压黑名单", "按区域类型", "工单质检问题（按规则）", "每日超期率"):
        assert f"{heading}" in page
