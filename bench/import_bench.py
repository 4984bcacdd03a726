"""How fast `woq-console import` reads a year of tickets, and how much memory it takes.

    python -m bench.import_bench [--rows 325000] [--out bench/out] [--only sqlite,pg,xlsx,bad]

Generates a deterministic export (one year at 100 stations, Chinese headers, UTF-8 with
BOM; cached under --out, which git ignores), then imports it in a child process, so
that the peak RSS is the import's alone:
- a quarter of the rows, to show that memory stays flat as the file grows;
- into a fresh SQLite file, and again (the re-import: everything unchanged);
- into PostgreSQL when WOQ_TEST_DATABASE_URL is set (a fresh database, dropped after);
- the same year as XLSX (native datetimes, inline strings) into SQLite, and again with
  its strings in a shared table, as Excel saves a workbook; each by the reader without
  its scanner (ElementTree alone, before store/xlsx_scan.py) and with it, the ratio
  to the CSV year of the same run;
- 100,000 rows that are all refused, through `woq-console import --format json` with
  stdout to /dev/null: the JSON `rejects` list must not hold memory.
The baseline is the bare floor: sqlite3 executemany of the same, already converted rows
into the same schema, with every index, and with the figure indexes dropped first and
built again after (as a large import does, store/figure_indexes.py). Figures depend on
the machine (and on what else runs on it).
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import peak_rss_mb

SHANGHAI = timezone(timedelta(hours=8))
START = datetime(2025, 1, 1, tzinfo=SHANGHAI)
HEADER = [
    "工单编号", "业务类型", "供电单位编码", "供电单位", "区域类型", "受理渠道", "工单状态",
    "受理时间", "首次响应时间", "派单时间", "到达现场时间", "办结时间", "归档时间",
    "是否升级", "派单次数", "回访满意度", "受理内容", "联系电话", "用电地址",
]  # fmt: skip
TYPES = [("故障报修", 55), ("咨询", 20), ("投诉", 8), ("服务申请", 8), ("意见建议", 4), ("举报", 2), ("表扬", 2), ("其他", 1)]
AREAS = ["城区", "农村", "特殊边远"]
CHANNELS = ["电话", "网上国网", "微信", "网站"]
PLACES = "东丽 西青 津南 北辰 武清 宝坻 宁河 静海 蓟州 滨海 和平 河东 河西 南开 河北 红桥 塘沽 汉沽 大港 杨柳青".split()
SUMMARIES = ["客户反映家中停电，请尽快处理", "电表跳闸无法合闸", "咨询电费账单明细", "投诉抢修人员态度差", "申请增容"]


def _fmt(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def generate(path: Path, rows: int, seed: int = 95598) -> list[tuple]:
    """Write the export; return the converted rows for the baseline."""
    rng = random.Random(seed)
    stations = [
        (f"S{i:03d}", f"{PLACES[i % len(PLACES)]}{'城东 城西 城南 城北 开发区'.split()[i % 5]}供电所{i}", AREAS[i % 3])
        for i in range(1, 101)
    ]
    kinds, weights = zip(*TYPES)
    converted: list[tuple] = []
    seconds_per_row = 365 * 86400 / rows
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            code, name, area = stations[rng.randrange(100)]
            kind = rng.choices(kinds, weights)[0]
            created = START + timedelta(seconds=int(n * seconds_per_row))
            responded = created + timedelta(minutes=rng.randint(1, 60))
            dispatched = created + timedelta(minutes=rng.randint(0, 10))
            arrived = dispatched + timedelta(minutes=rng.randint(10, 120)) if kind == "故障报修" else None
            resolved = created + timedelta(minutes=rng.randint(30, 3000)) if rng.random() < 0.97 else None
            closed = resolved + timedelta(days=1) if resolved and rng.random() < 0.9 else None
            status = "已归档" if closed else "已办结" if resolved else "处理中"
            escalated = "是" if kind == "投诉" and rng.random() < 0.1 else "否"
            phone = f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
            summary = rng.choice(SUMMARIES)
            address = f"{name[:2]}区幸福路{rng.randint(1, 300)}号"
            satisfaction = rng.choice(["满意", "满意", "基本满意", "不满意", ""]) if resolved else ""
            ticket_no = f"95598{created:%Y%m%d}{n:07d}"
            writer.writerow(
                [ticket_no, kind, code, name, area, rng.choice(CHANNELS), status, _fmt(created), _fmt(responded),
                 _fmt(dispatched), _fmt(arrived), _fmt(resolved), _fmt(closed), escalated, 1, satisfaction,
                 summary, phone, address]
            )  # fmt: skip
            epoch = lambda m: None if m is None else int(m.timestamp())  # noqa: E731
            converted.append(
                (ticket_no, "repair", code, "phone", status, epoch(created), epoch(responded), epoch(dispatched),
                 epoch(arrived), epoch(resolved), epoch(closed), epoch(created + timedelta(days=5)),
                 escalated == "是", 1, 0, satisfaction or None, summary, phone, address, 1, epoch(created))
            )  # fmt: skip
    return converted


def generate_xlsx(csv_path: Path, path: Path) -> None:
    """The CSV export as a workbook: times as native Excel datetimes, counts as numbers
    (openpyxl's write-only mode: inline strings, no <dimension>)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    times = {i for i, name in enumerate(HEADER) if name.endswith("时间")}
    count = HEADER.index("派单次数")
    with csv_path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        sheet.append(next(reader))
        for cells in reader:
            sheet.append(
                [datetime.fromisoformat(c) if i in times and c else int(c) if i == count else c for i, c in enumerate(cells)]
            )
    book.save(path)


def generate_shared_xlsx(inline: Path, path: Path) -> None:
    """The inline-string workbook as Excel saves it: every string in the shared table
    (a year of unique ticket numbers, phones and addresses: ≈1 M strings)."""
    import re
    import zipfile

    cell = re.compile(rb'<c r="(\w+)" t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.S)
    shared: dict[bytes, int] = {}

    def share(match: re.Match) -> bytes:
        index = shared.setdefault(match.group(2), len(shared))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), index)

    rels = b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    override = b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    with zipfile.ZipFile(inline) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with source.open(item) as reader, target.open(item.filename, "w", force_zip64=True) as writer:
                    tail = b""
                    while chunk := reader.read(1 << 20):
                        data = tail + chunk
                        cut = data.rfind(b"</row>") + len(b"</row>") if b"</row>" in data else 0
                        writer.write(cell.sub(share, data[:cut]))
                        tail = data[cut:]
                    writer.write(cell.sub(share, tail))
                continue
            data = source.read(item.filename)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", rels + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", override + b"</Types>")
            target.writestr(item, data)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as writer:
            writer.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
                         b'uniqueCount="%d">' % (len(shared), len(shared)))  # fmt: skip
            for text in shared:
                writer.write(b"<si><t>%s</t></si>" % text)
            writer.write(b"</sst>")


def generate_bad(path: Path, rows: int) -> None:
    """Rows that are all refused (an unknown type), each with its own long-ish message."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            writer.writerow([f"BAD{n:09d}", f"维修{n}", "S001", "", "", "", "", "2025-01-01 08:00"] + [""] * 11)


def _child_import(url: str, path: str, queue) -> None:
    from woq_tui.config import parse_settings
    from woq_tui.domain.clock import SystemClock
    from woq_tui.store.db import make_engine
    from woq_tui.store.importer import import_file

    settings = parse_settings({"console": {"language": "en", "operator": "bench"}})
    engine = make_engine(url)
    base = peak_rss_mb()
    began, began_cpu = time.perf_counter(), time.process_time()
    summary = import_file(path, engine, policy=settings.sla_policy(), clock=SystemClock(), operator="bench")
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    engine.dispose()
    queue.put(
        {
            "seconds": elapsed,
            "cpu": cpu,
            "summary": summary.as_json(),
            "index_seconds": summary.index_seconds,
            "start": base,
            "peak": peak_rss_mb(),
        }
    )


def _child_import_elementtree(url: str, path: str, queue) -> None:
    """The import with store/xlsx_scan.py turned off: the reader before it."""
    from woq_tui.store import xlsx_reader

    xlsx_reader.SCAN = False
    _child_import(url, path, queue)


def _child_cli(url: str, path: str, queue) -> None:
    """The whole command, its JSON summary written to a file beside the export."""
    import contextlib

    from woq_tui.cli import main

    base = peak_rss_mb()
    began, began_cpu = time.perf_counter(), time.process_time()
    with open(f"{path}.json", "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        code = main(["import", path, "--db", url, "--format", "json", "--lang", "en"])
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    queue.put({"seconds": elapsed, "cpu": cpu, "code": code, "start": base, "peak": peak_rss_mb()})


def run_import(url: str, path: Path, target=_child_import) -> dict:
    """Seconds, CPU seconds, summary, RSS at start and peak RSS of one import, run in a
    fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(url, str(path), queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def _migrated_sqlite(path: Path) -> str:
    from woq_tui.store.db import make_engine, upgrade

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


COLUMNS = (
    "ticket_no, type, station_code, channel, status, created_at, first_response_at, dispatched_at, arrived_at, "
    "resolved_at, closed_at, due_at, escalated, dispatch_count, reopen_count, satisfaction, summary, "
    "customer_phone, address, version, updated_at"
)


def baseline_pg(url: str, converted: list[tuple]) -> float:
    """psycopg COPY of the converted rows straight into the ticket table, 2,000 rows a
    transaction, without events: PostgreSQL's floor on this machine."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, dbname=parsed.database
    ) as connection:
        stations = sorted({row[2] for row in converted})
        connection.cursor().executemany("INSERT INTO station VALUES (%s, %s, 'urban', '')", [(s, s) for s in stations])
        connection.commit()
        began = time.perf_counter()
        for start in range(0, len(converted), 2000):
            with connection.cursor().copy(f"COPY ticket ({COLUMNS}) FROM STDIN") as copy:
                for row in converted[start : start + 2000]:
                    copy.write_row(row)
            connection.commit()
        return time.perf_counter() - began


def baseline(db_path: Path, converted: list[tuple], rebuild: bool = False) -> float:
    """sqlite3 executemany of the converted rows into the same schema: the floor. With
    `rebuild`, the figure indexes are dropped first and created again after (counted)."""
    from woq_tui.store.figure_indexes import definitions

    _migrated_sqlite(db_path)
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    names = [index.name for index in definitions()] if rebuild else []
    marks = ", ".join("?" * len(names))
    definitions = connection.execute(f"SELECT sql FROM sqlite_master WHERE name IN ({marks})", names).fetchall()
    stations = sorted({row[2] for row in converted})
    connection.executemany("INSERT INTO station VALUES (?, ?, 'urban', '')", [(s, s) for s in stations])
    connection.commit()
    began = time.perf_counter()
    for name in names:
        connection.execute(f"DROP INDEX {name}")
    # area_type given, as the importer's SQLite writer gives it: the floor pays no
    # trigger UPDATE per row (migration 0009; docs/speed.md "Type and area percentiles")
    insert = f"INSERT INTO ticket ({COLUMNS}, area_type) VALUES ({', '.join('?' * 21)}, 'urban')"
    for start in range(0, len(converted), 2000):
        connection.executemany(insert, converted[start : start + 2000])
        connection.commit()
    for (sql,) in definitions:
        connection.execute(sql)
    if definitions:
        connection.execute("ANALYZE ticket")
        connection.commit()
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed


def _report(label: str, rows: int, result: dict, floor: float | None = None, floor_name: str = "") -> None:
    summary, elapsed = result["summary"], result["seconds"]
    counts = ", ".join(f"{k} {summary[k]:,}" for k in ("read", "inserted", "updated", "unchanged", "rejected"))
    ratio = f"; {elapsed / floor:.2f}× the {floor_name or 'bare sqlite3 executemany'}" if floor else ""
    print(
        f"{label:<28} {elapsed:6.2f} s ({result['cpu']:.2f} s CPU)  {rows / elapsed:9,.0f} rows/s  "
        f"peak RSS {result['peak']:4.0f} MB ({result['start']:.0f} MB at start){ratio}\n{'':<29}{counts}"
    )
    if result.get("index_seconds") is not None:
        print(f"{'':<29}of which {result['index_seconds']:.2f} s building the figure indexes again")


def _postgres(url: str, path: Path, rows: int, converted: list[tuple]) -> None:
    from bench.generate_bench import scratch_pg
    from woq_tui.store.db import make_engine, upgrade

    def fresh(target: str) -> None:
        engine = make_engine(target)
        upgrade(engine)
        engine.dispose()

    with scratch_pg(url) as target:
        fresh(target)
        floor = baseline_pg(target, converted)
        print(f"{'bare psycopg COPY':<28} {floor:6.2f} s  {rows / floor:9,.0f} rows/s")
    with scratch_pg(url) as target:
        fresh(target)
        _report("PostgreSQL, first import", rows, run_import(target, path), floor, "bare COPY")
        _report("PostgreSQL, re-import", rows, run_import(target, path))


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _bare_xml_loop(path: Path, limit: int, use_lxml: bool) -> float:
    """Seconds to walk the first `limit` rows of the sheet collecting each cell's raw
    text, nothing converted: the ceiling of a reader built on that parser (issue 17's
    question whether lxml's iterparse, C-filtered to <row> events, would be faster)."""
    import xml.etree.ElementTree as ET
    import zipfile

    row_tag, value_tag = _MAIN + "row", _MAIN + "v"
    began = time.perf_counter()
    rows = 0
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as raw:
        if use_lxml:
            from lxml import etree

            for _, row in etree.iterparse(raw, events=("end",), tag=row_tag, resolve_entities=False):
                [("".join(c.itertext()) if c.get("t") == "inlineStr" else c.findtext(value_tag)) for c in row]
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                rows += 1
                if rows >= limit:
                    break
        else:
            data = None
            for event, element in ET.iterparse(raw, ("start", "end")):
                if event == "start":
                    data = element if element.tag == _MAIN + "sheetData" else data
                    continue
                if element.tag == row_tag:
                    [("".join(c.itertext()) if c.get("t") == "inlineStr" else c.findtext(value_tag)) for c in element]
                    data.clear()
                    rows += 1
                    if rows >= limit:
                        break
    return time.perf_counter() - began


def _read_xlsx(path: Path, limit: int) -> tuple[int, float, float, float]:
    """Rows read (up to `limit`) and seconds, by store/xlsx_reader.py with its scanner
    and without (ElementTree alone), and by openpyxl's read-only mode, reading alone."""
    from itertools import islice

    import openpyxl

    from woq_tui.store import xlsx_reader

    seconds = []
    for scan in (True, False):
        xlsx_reader.SCAN = scan
        began = time.perf_counter()
        reader = xlsx_reader.SheetReader(path)
        rows = sum(1 for _ in islice(reader.rows(), limit))
        reader.close()
        seconds.append(time.perf_counter() - began)
    xlsx_reader.SCAN = True
    began = time.perf_counter()
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    sum(1 for _ in islice(sheet.iter_rows(values_only=True), limit))
    book.close()
    return rows, seconds[0], seconds[1], time.perf_counter() - began


PARTS = ("sqlite", "pg", "xlsx", "bad")


def _cached(path: Path, make) -> Path:
    if not path.exists():
        began = time.perf_counter()
        partial = path.with_name(path.name + ".partial")
        make(partial)
        partial.rename(path)
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - began:.1f} s")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=325_000)
    parser.add_argument("--bad-rows", type=int, default=100_000)
    parser.add_argument("--read-rows", type=int, default=50_000, help="rows of the XLSX reading-alone comparison")
    parser.add_argument("--out", default=str(Path(__file__).parent / "out"), help="where generated exports are cached")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()} (shared with whatever else runs: treat figures as indicative)")

    quarter = args.rows // 4
    csv_year = None
    small = _cached(out / f"export-{quarter}.csv", lambda p: generate(p, quarter))
    path = out / f"export-{args.rows}.csv"
    converted = generate(path.with_name(path.name + ".partial"), args.rows)
    path.with_name(path.name + ".partial").replace(path)
    scratch = Path(tempfile.mkdtemp(prefix="woq-import-bench-"))
    try:
        if "sqlite" in parts:
            floor = baseline(scratch / "baseline.db", converted)
            print(f"{'bare sqlite3 executemany':<28} {floor:6.2f} s  {args.rows / floor:9,.0f} rows/s")
            rebuilt = baseline(scratch / "rebuilt.db", converted, rebuild=True)
            print(f"{'the same, indexes rebuilt':<28} {rebuilt:6.2f} s  {args.rows / rebuilt:9,.0f} rows/s"
                  "  (figure indexes dropped, built again after)")  # fmt: skip
        if "sqlite" in parts:
            small_url = _migrated_sqlite(scratch / "small.db")
            _report(f"SQLite, {quarter:,} rows", quarter, run_import(small_url, small))
            url = _migrated_sqlite(scratch / "tickets.db")
            first = run_import(url, path)
            csv_year = first["seconds"]
            _report("SQLite, first import", args.rows, first, rebuilt, "bare executemany with the rebuild")
            _report("SQLite, re-import", args.rows, run_import(url, path))
        pg = os.environ.get("WOQ_TEST_DATABASE_URL")
        if "pg" in parts:
            if pg:
                _postgres(pg, path, args.rows, converted)
            else:
                print("PostgreSQL: skipped (set WOQ_TEST_DATABASE_URL)")
        del converted
        if "xlsx" in parts:
            book = _cached(out / f"export-{args.rows}.xlsx", lambda p: generate_xlsx(path, p))
            rows, ours, tree, theirs = _read_xlsx(book, args.read_rows)
            print(f"{'XLSX reading alone':<28} {rows / ours:9,.0f} rows/s; ElementTree alone {rows / tree:,.0f} rows/s; "
                  f"openpyxl read-only {rows / theirs:,.0f} rows/s ({rows:,} rows)")  # fmt: skip
            bare = f"{rows / _bare_xml_loop(book, rows, use_lxml=False):,.0f} rows/s"
            try:
                bare += f"; lxml iterparse(tag=row) {rows / _bare_xml_loop(book, rows, use_lxml=True):,.0f} rows/s"
            except ImportError:
                bare += "; lxml not installed"
            print(f"{'  bare loops, no conversion':<28} ElementTree {bare}")
            shared = _cached(out / f"export-{args.rows}-shared.xlsx", lambda p: generate_shared_xlsx(book, p))
            # before (ElementTree alone) and after (the scanner), interleaved
            for label, workbook, name in (("XLSX", book, "xlsx"), ("XLSX, shared", shared, "shared")):
                for how, target in (("ElementTree", _child_import_elementtree), ("scanner", _child_import)):
                    result = run_import(_migrated_sqlite(scratch / f"{name}-{how}.db"), workbook, target)
                    _report(f"SQLite from {label}, {how}", args.rows, result, csv_year, "CSV year")
        if "bad" in parts:
            bad = _cached(out / f"bad-{args.bad_rows}.csv", lambda p: generate_bad(p, args.bad_rows))
            result = run_import(_migrated_sqlite(scratch / "bad.db"), bad, _child_cli)
            with open(f"{bad}.json", encoding="utf-8") as stream:
                result["summary"] = json.load(stream)
            listed = len(result["summary"]["rejects"])
            _report(f"all {args.bad_rows:,} rows refused, JSON", args.bad_rows, result)
            print(f"{'':<29}exit {result['code']}, {listed:,} rejects listed in the JSON")
    finally:
        for file in scratch.iterdir():
            file.unlink()
        scratch.rmdir()


if __name__ == "__main__":
    main()
