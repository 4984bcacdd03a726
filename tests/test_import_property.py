"""Property: whatever the rows hold, every row is imported or refused with a reason, the
import never crashes, and read = inserted + updated + unchanged + rejected."""

from __future__ import annotations

import csv
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings, strategies as st
from sqlalchemy import func, select

from woq_tui.domain.import_rows import COLUMNS, REASONS
from woq_tui.domain.models import Ticket
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import make_engine
from woq_tui.store.importer import import_file

HEADER = list(COLUMNS)
# per column: values that read well, values that are refused (random text comes on top)
GOOD_TIMES = ["2026-11-26 10:00", "2026/11/26 10:00:05", "2026-11-26T10:00:00.5+08:00", "2026-11-26T02:00:00Z", ""]
BAD_TIMES = ["2026-11-26 09:59:59", "2026-02-30 10:00", "yesterday", "1899-12-31 10:00"]
VALUES = {
    "ticket_no": (["T1", "T2", "T3", "T4", "  T5 ", "T'6"], ["", "T" * 65]),
    "type": (["故障报修", "complaint", "咨询", "表扬"], ["维修", ""]),
    "station_code": (["S01", "S02", "供电所01"], [""]),
    "station_name": (["东丽城东供电所", "", "X"], ["x" * 201]),
    "area_type": (["城区", "rural", "边远", ""], ["火星"]),
    "channel": (["电话", "wechat", ""], ["fax"]),
    "status": (["已办结", "new", ""], ["lost"]),
    "escalated": (["是", "no", "1", ""], ["maybe"]),
    "dispatch_count": (["0", "3", ""], ["-1", "1.5"]),
    "reopen_count": (["0", "2", ""], ["x"]),
    "satisfaction": (["满意", "unsatisfied", ""], ["meh"]),
    "created_at": (GOOD_TIMES[:-1], ["", *BAD_TIMES[1:]]),
}
# any text but NUL (a NUL near the start makes the whole file binary: tested elsewhere)
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


def _pools(column: str) -> tuple[list[str], list[str]]:
    default = (GOOD_TIMES, BAD_TIMES) if column.endswith("_at") else (["停电", "13812341234", "", "😀"], [])
    return VALUES.get(column, default)


@st.composite
def _row(draw) -> list[str]:
    """A row that reads well, with up to three cells spoiled (a refused value or any text)."""
    row = [draw(st.sampled_from(_pools(column)[0])) for column in HEADER]
    for index in draw(st.lists(st.integers(0, len(HEADER) - 1), max_size=3)):
        bad = _pools(HEADER[index])[1]
        row[index] = draw(st.one_of(st.sampled_from(bad), ANY_TEXT) if bad else ANY_TEXT)
    return row


ROW = _row()
_files = itertools.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=12), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_random_rows_import_or_are_refused_and_the_counts_add_up(database_url, clock, rows, encoding):
    directory = Path(tempfile.mkdtemp(prefix="woq-prop-"))
    path = directory / f"export-{next(_files)}.csv"
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(Ticket)).scalar()
    summary = import_file(path, engine, policy=SlaPolicy(), clock=clock, operator="prop", batch_rows=5)
    with engine.connect() as connection:
        after = connection.execute(select(func.count()).select_from(Ticket)).scalar()
    engine.dispose()
    path.unlink()
    directory.rmdir()

    event("some rows imported" if summary.inserted + summary.updated + summary.unchanged else "none imported")
    for reason in sorted({r.reason for r in summary.rejects}):
        event(f"refused: {reason}")
    nonblank = [row for row in rows if any(cell.strip() for cell in row)]
    assert summary.read == len(nonblank)
    assert summary.read == summary.inserted + summary.updated + summary.unchanged + summary.rejected
    assert summary.rejected == len(summary.rejects)
    assert after - before == summary.inserted
    assert all(r.reason in REASONS and r.message for r in summary.rejects)
    row_numbers = [r.row for r in summary.rejects]
    assert row_numbers == sorted(set(row_numbers)) and all(2 <= n <= len(rows) + 1 for n in row_numbers)
