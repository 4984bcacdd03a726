"""A large import into SQLite drops the figure indexes and builds them again after it
(store/figure_indexes.py); a killed one is repaired by the next schema check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.conftest import NOW
from tests.test_import import Cli, config, write_csv  # noqa: F401  (config is a fixture)
from woq_tui.cli import main
from woq_tui.domain.models import Ticket
from woq_tui.domain.periods import Period
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import ensure_schema, make_engine, upgrade
from woq_tui.store.figure_indexes import (
    DROPPED_MARK,
    LOCK_SUFFIX,
    REBUILD_MIN_ROWS,
    definitions,
    drop as drop_figure_indexes,
    worth_rebuilding,
)
from woq_tui.store.figures import load_station_table
from woq_tui.store.importer import STAGE_BUILDING_INDEXES, STAGE_INDEXES_DROPPED, import_file

CST = timezone(timedelta(hours=8))
HEADER = ["工单编号", "业务类型", "供电单位编码", "区域类型", "受理时间", "首次响应时间", "派单时间", "办结时间", "回访满意度"]
FIGURE_NAMES = {index.name for index in definitions()}
# Kept throughout: the upsert's lookup, the live queue and the refresh watermark need them.
KEPT = {"ix_ticket_ticket_no", "ix_ticket_open_due", "ix_ticket_updated_at", "ix_ticket_created_at"}
ROWS = REBUILD_MIN_ROWS + 4000  # the rest after the first batch: above the minimum
REPORT = ["--from", "2026-09-01", "--to", "2026-11-01", "--as-of", "2026-11-20T10:00"]


def _rows(count: int, prefix: str = "Y") -> list[list[str]]:
    """Tickets over two months at seven stations, with responses, resolutions (most)
    and satisfaction, so that every figure, p90s included, has something to rank."""
    base = datetime(2026, 9, 1, 8, 0, tzinfo=CST)
    kinds = ["故障报修", "咨询", "投诉"]
    rows = []
    for i in range(count):
        created = base + timedelta(minutes=(i * 7) % (60 * 24 * 60))
        responded = created + timedelta(minutes=1 + (i * 11) % 50)
        resolved = "" if i % 13 == 0 else f"{created + timedelta(minutes=30 + (i * 37) % 900):%Y-%m-%d %H:%M}"
        rows.append([
            f"{prefix}{i:07d}", kinds[i % 3], f"S{i % 7}", "城区" if i % 2 else "农村", f"{created:%Y-%m-%d %H:%M}",
            f"{responded:%Y-%m-%d %H:%M}", f"{created + timedelta(minutes=5):%Y-%m-%d %H:%M}", resolved,
            ["满意", "基本满意", "不满意", ""][i % 4] if resolved else "",
        ])  # fmt: skip
    return rows


def _path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def _indexes(engine) -> dict[str, str]:
    """Name -> CREATE statement of every index of the ticket table."""
    with engine.connect() as connection:
        found = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket'"))
        return dict(found.all())


def _mark(engine) -> int:
    """The header's user_version: DROPPED_MARK while an import has the indexes dropped."""
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA user_version").scalar()


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        tickets = connection.execute(text("SELECT count(*) FROM ticket")).scalar()
        events = connection.execute(text("SELECT count(*) FROM ticket_event")).scalar()
    return tickets, events


@pytest.fixture
def migrated_indexes(tmp_path) -> dict[str, str]:
    """The ticket table's indexes as the migrations create them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(engine)
    found = _indexes(engine)
    engine.dispose()
    return found


def _report(capsys, url: str) -> dict:
    assert main(["--lang", "en", "report", "--db", url, "--format", "json", *REPORT]) == 0
    return json.loads(capsys.readouterr().out)


class Watch:
    """A progress and stage callback that notes which figure indexes exist each time."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.present: list[set[str]] = []
        self.stages: list[str] = []

    def progress(self, rows: int, fraction: float | None) -> None:
        self.present.append(FIGURE_NAMES & set(_indexes(self.engine)))

    def stage(self, name: str) -> None:
        self.stages.append(name)


def test_a_large_import_into_an_empty_database_drops_and_rebuilds_with_the_same_figures(
    tmp_path, sqlite_url, clock, capsys, migrated_indexes
):
    file = write_csv(tmp_path / "year.csv", HEADER, _rows(ROWS))
    engine = make_engine(sqlite_url)
    watch = Watch(engine)
    summary = import_file(file, engine, policy=SlaPolicy(), clock=clock, operator="x", progress=watch.progress,
                          stage=watch.stage)  # fmt: skip
    assert summary.inserted == ROWS and summary.index_seconds is not None
    assert watch.stages == [STAGE_INDEXES_DROPPED, STAGE_BUILDING_INDEXES]
    assert watch.present[:2] == [FIGURE_NAMES] * 2  # the first batch is written before the drop
    assert set() in watch.present[2:-1]  # while the batches were written: gone
    assert watch.present[-1] == FIGURE_NAMES  # the last call comes after the rebuild
    # Every index of the metadata, each exactly as the migrations create it.
    assert _indexes(engine) == migrated_indexes
    assert {index.name for index in Ticket.__table__.indexes} <= set(migrated_indexes)
    with engine.connect() as connection:  # ANALYZE ran: the planner knows the new indexes
        analysed = set(connection.execute(text("SELECT idx FROM sqlite_stat1 WHERE tbl = 'ticket'")).scalars())
    assert FIGURE_NAMES <= analysed
    assert not Path(_path(sqlite_url) + LOCK_SUFFIX).exists()
    engine.dispose()

    # The same file imported with the indexes kept throughout gives the same figures.
    kept_url = f"sqlite:///{tmp_path / 'kept.db'}"
    kept = make_engine(kept_url)
    upgrade(kept)
    import_file(file, kept, policy=SlaPolicy(), clock=clock, operator="x", rebuild_indexes=False)
    kept.dispose()
    rebuilt_report, kept_report = _report(capsys, sqlite_url), _report(capsys, kept_url)
    assert rebuilt_report == kept_report
    assert rebuilt_report["totals"]["tickets"] == ROWS and rebuilt_report["totals"]["p90_handling_h"] is not None


def test_while_the_indexes_are_dropped_the_station_screen_sorts_to_the_same_figures(tmp_path, sqlite_url, clock):
    engine = make_engine(sqlite_url)
    import_file(write_csv(tmp_path / "year.csv", HEADER, _rows(ROWS)), engine, policy=SlaPolicy(), clock=clock,
                operator="x")  # fmt: skip
    period = Period(datetime(2026, 8, 31, 16, 0, tzinfo=timezone.utc), datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc),
                    ZoneInfo("Asia/Shanghai"), "custom")  # fmt: skip
    as_of = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    walked = load_station_table(engine, period, as_of)
    drop_figure_indexes(engine)  # as during a large import
    assert FIGURE_NAMES.isdisjoint(_indexes(engine))
    sorted_ = load_station_table(engine, period, as_of)
    engine.dispose()
    assert (sorted_.current, sorted_.areas, sorted_.totals, sorted_.trend) == (
        walked.current, walked.areas, walked.totals, walked.trend)  # fmt: skip
    assert walked.totals["p90_first_response_min"] is not None


def test_a_smaller_import_into_a_fuller_table_keeps_the_indexes_throughout(tmp_path, sqlite_url, clock):
    # The rule: imports writing at least half as many tickets as the table holds, and
    # not fewer than the minimum.
    assert worth_rebuilding(REBUILD_MIN_ROWS, 0)
    assert worth_rebuilding(325_000, 325_000) and worth_rebuilding(162_500, 325_000)
    assert not worth_rebuilding(162_499, 325_000)  # a quarter's or a day's import into a year
    assert not worth_rebuilding(900, 325_000)
    assert not worth_rebuilding(REBUILD_MIN_ROWS - 1, 0)  # small files: over in a second anyway
    assert not worth_rebuilding(None, 0)  # no estimate of the file's size
    assert FIGURE_NAMES == {
        "ix_ticket_station_created", "ix_ticket_type_created", "ix_ticket_created_cover",  # 0002
        "ix_ticket_station_handling", "ix_ticket_handling", "ix_ticket_station_response", "ix_ticket_response",  # 0003
        "ix_ticket_phone_key", "ix_ticket_address_key",  # 0006 (the audit's)
        "ix_ticket_type_handling", "ix_ticket_type_response", "ix_ticket_area_handling", "ix_ticket_area_response",  # 0009
    }  # fmt: skip
    assert not FIGURE_NAMES & KEPT
    engine = make_engine(sqlite_url)
    history = 2 * REBUILD_MIN_ROWS + 4000
    import_file(write_csv(tmp_path / "history.csv", HEADER, _rows(history)), engine, policy=SlaPolicy(), clock=clock,
                operator="x")  # fmt: skip
    watch = Watch(engine)
    smaller = REBUILD_MIN_ROWS + 3000  # above the minimum, below half of what the table holds
    summary = import_file(write_csv(tmp_path / "more.csv", HEADER, _rows(smaller, "Z")), engine, policy=SlaPolicy(),
                          clock=clock, operator="x", progress=watch.progress, stage=watch.stage)  # fmt: skip
    assert summary.inserted == smaller and summary.index_seconds is None
    assert watch.stages == [] and len(watch.present) > 5
    assert all(present == FIGURE_NAMES for present in watch.present)
    # Nor does a re-import that changes nothing, large as its file is: it writes nothing.
    again = Watch(engine)
    summary = import_file(tmp_path / "history.csv", engine, policy=SlaPolicy(), clock=clock, operator="x",
                          progress=again.progress, stage=again.stage)  # fmt: skip
    assert summary.unchanged == history and again.stages == []
    assert all(present == FIGURE_NAMES for present in again.present)
    engine.dispose()


def test_postgresql_keeps_its_indexes(tmp_path, pg_url, clock):
    engine = make_engine(pg_url)
    names = text("SELECT indexname FROM pg_indexes WHERE tablename = 'ticket'")
    with engine.connect() as connection:
        before = set(connection.execute(names).scalars())
    seen: list[set[str]] = []

    def progress(rows: int, fraction: float | None) -> None:
        with engine.connect() as connection:
            seen.append(set(connection.execute(names).scalars()))

    summary = import_file(write_csv(tmp_path / "year.csv", HEADER, _rows(ROWS)), engine, policy=SlaPolicy(),
                          clock=clock, operator="x", progress=progress)  # fmt: skip
    engine.dispose()
    assert summary.inserted == ROWS and summary.index_seconds is None
    assert FIGURE_NAMES <= before and all(found == before for found in seen)


def test_dry_run_drops_nothing(tmp_path, sqlite_url, clock, config, capsys, migrated_indexes):  # noqa: F811
    file = write_csv(tmp_path / "year.csv", HEADER, _rows(ROWS))
    engine = make_engine(sqlite_url)
    watch = Watch(engine)
    summary = import_file(file, engine, policy=SlaPolicy(), clock=clock, operator="x", dry_run=True,
                          progress=watch.progress, stage=watch.stage)  # fmt: skip
    assert summary.inserted == ROWS and watch.stages == []
    assert all(present == FIGURE_NAMES for present in watch.present)
    # The same file for real drops them (so the dry run above had reason to).
    real = Watch(engine)
    import_file(file, engine, policy=SlaPolicy(), clock=clock, operator="x", progress=real.progress, stage=real.stage)
    assert real.stages == [STAGE_INDEXES_DROPPED, STAGE_BUILDING_INDEXES]
    # Nor does a dry run write anything to mend indexes found missing: that is for
    # the next command that may write.
    drop_figure_indexes(engine)
    code, out, _ = Cli(capsys, config, sqlite_url)(file, "--dry-run")
    assert code == 0 and out["unchanged"] == ROWS
    assert FIGURE_NAMES.isdisjoint(_indexes(engine))
    ensure_schema(engine)
    assert _indexes(engine) == migrated_indexes
    engine.dispose()


CHILD = """
import sys
from datetime import datetime, timezone
from woq_tui.domain.clock import FixedClock
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import make_engine
from woq_tui.store.importer import import_file

def progress(rows, fraction):
    print(rows, flush=True)
    if rows >= 5000:
        sys.stdin.readline()  # the test kills us while we wait here

import_file(sys.argv[1], make_engine(sys.argv[2]), policy=SlaPolicy(), clock=FixedClock(datetime.fromisoformat(sys.argv[3])),
            operator="x", progress=progress, stage=lambda name: print(name, flush=True))
"""


def test_an_import_killed_after_the_drop_is_repaired_by_the_next_schema_check(
    tmp_path, sqlite_url, config, capsys, migrated_indexes  # noqa: F811
):
    file = write_csv(tmp_path / "year.csv", HEADER, _rows(ROWS))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(file), sqlite_url, NOW.isoformat()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    engine = make_engine(sqlite_url)
    try:
        said = []
        for line in child.stdout:  # the child's own reports: no polling, no sleeping
            said.append(line.strip())
            if line.strip() == "5000":
                break
        assert said == ["1000", "2000", STAGE_INDEXES_DROPPED, "3000", "4000", "5000"]
        # While the import still runs, the schema check leaves its indexes alone.
        ensure_schema(engine)
        assert FIGURE_NAMES.isdisjoint(_indexes(engine))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdin.close()
        child.stdout.close()
    assert _counts(engine) == (4000, 4000)  # two whole batches, each with its events
    assert FIGURE_NAMES.isdisjoint(_indexes(engine)) and _mark(engine) == DROPPED_MARK
    ensure_schema(engine)  # what every command (console, import, report) runs first
    assert _indexes(engine) == migrated_indexes and _mark(engine) == 0
    assert not Path(_path(sqlite_url) + LOCK_SUFFIX).exists()
    assert _counts(engine) == (4000, 4000)
    engine.dispose()
    code, summary, _ = Cli(capsys, config, sqlite_url)(file)
    assert code == 0 and (summary["inserted"], summary["unchanged"]) == (ROWS - 4000, 4000)


def test_a_rerun_of_the_killed_import_rebuilds_too(tmp_path, sqlite_url, clock, migrated_indexes):
    """Without a schema check in between (the import as a library call)."""
    file = write_csv(tmp_path / "year.csv", HEADER, _rows(ROWS))
    engine = make_engine(sqlite_url)
    drop_figure_indexes(engine)  # as a killed import leaves it
    summary = import_file(file, engine, policy=SlaPolicy(), clock=clock, operator="x", rebuild_indexes=False)
    assert summary.inserted == ROWS and summary.index_seconds is None
    assert _indexes(engine) == migrated_indexes and _mark(engine) == 0
    engine.dispose()


def test_the_schema_check_reads_the_header_without_loading_the_models(sqlite_url):
    """It runs at the console's start, where importing the models costs ~65 ms."""
    script = (
        "import sys; from woq_tui.store.db import ensure_schema, make_engine; "
        "ensure_schema(make_engine(sys.argv[1])); print('woq_tui.domain.models' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script, sqlite_url], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
