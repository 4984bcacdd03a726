"""`woq-console generate` and the demo session behind `woq-console demo`."""

from __future__ import annotations

import io
import os
from argparse import Namespace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW
from woq_tui.app import WoqApp
from woq_tui.cli import main
from woq_tui.commands.demo import DemoSession, demo_path
from woq_tui.domain.clock import FixedClock
from woq_tui.domain.models import Station, Ticket
from woq_tui.store.db import make_engine


def _counts(url: str) -> tuple[int, int, object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            stations = connection.execute(select(func.count()).select_from(Station)).scalar_one()
            tickets = connection.execute(select(func.count()).select_from(Ticket)).scalar_one()
            last = connection.execute(select(func.max(Ticket.created_at))).scalar_one()
        return stations, tickets, last
    finally:
        engine.dispose()


def test_generate_writes_into_a_new_sqlite_file(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'gen.db'}"
    code = main(["--lang", "en", "generate", "--db", url, "--stations", "4", "--days", "7", "--end", "2026-11-26 10:00"])
    assert code == 0
    stations, tickets, last = _counts(url)
    assert stations == 4 and 150 < tickets < 350
    # --end without an offset is in the configured zone (Asia/Shanghai): 02:00 UTC.
    assert NOW - timedelta(hours=6) < last < NOW
    out = capsys.readouterr()
    assert f"Generated 4 stations and {tickets:,} tickets into {url}" in out.out
    assert "tickets/s" in out.out and "Generating demo data" in out.err


def test_generate_is_deterministic_through_the_command_line(tmp_path):
    urls = [f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db")]
    for url in urls:
        assert main(["generate", "--db", url, "--seed", "42", "--stations", "3", "--days", "3", "--end", "2026-11-26T02:00Z"]) == 0
    assert _counts(urls[0]) == _counts(urls[1])


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--end", "next tuesday"], "--end: not a date or time: 'next tuesday'"),
        (["--end", "2026-13-01"], "--end: not a date or time"),
        (["--days", "0"], "--days must be at least 1 (got 0)"),
        (["--stations", "-3"], "--stations must be at least 1 (got -3)"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_and_touch_nothing(tmp_path, capsys, flags, message):
    target = tmp_path / "never.db"
    code = main(["--lang", "en", "generate", "--db", f"sqlite:///{target}", *flags])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not target.exists()


def test_generate_into_a_database_with_data_exits_1_and_changes_nothing(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'full.db'}"
    assert main(["generate", "--db", url, "--stations", "2", "--days", "2"]) == 0
    before = _counts(url)
    capsys.readouterr()
    assert main(["--lang", "en", "generate", "--db", url, "--stations", "2", "--days", "2"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already holds stations or tickets" in err
    assert _counts(url) == before


def test_generate_into_postgresql(database_url, capsys):
    assert main(["generate", "--db", database_url, "--stations", "3", "--days", "4", "--end", "2026-11-26"]) == 0
    stations, tickets, last = _counts(database_url)
    assert stations == 3 and tickets > 50
    assert last < NOW - timedelta(hours=10)  # the end is local midnight, 16:00 UTC the day before


def _demo_args(**overrides) -> Namespace:
    values = dict(seed=7, stations=3, days=4, no_live=False, fresh=False)
    values.update(overrides)
    return Namespace(**values)


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("WOQ_DISPATCH_TOKEN", raising=False)
    return tmp_path / "data"


async def test_the_demo_session_builds_once_runs_live_and_opens_the_console(data_home, settings):
    path = demo_path()
    assert str(path).startswith(str(data_home)) and path.name == "demo.db"
    clock = FixedClock(NOW)
    stream = io.StringIO()
    with DemoSession(_demo_args(), settings, clock=clock, stream=stream) as session:
        assert path.exists() and not path.with_name("demo.db.part").exists()
        assert "Generating demo data" in stream.getvalue()
        assert session.simulator is not None and session.simulator.running
        context = session.context
        assert context.label == "demo" and context.database_label == "demo" and not context.read_only
        if session.dispatch is not None:
            assert settings.dispatch.base_url == session.dispatch.url
            assert settings.dispatch.base_url.startswith("http://127.0.0.1:")
            assert os.environ[settings.dispatch.token_env]
        app = WoqApp(context)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert app.context is context
        simulator = session.simulator
    assert not simulator.running
    stations, tickets, _ = _counts(f"sqlite:///{path}")
    assert stations == 3 and tickets > 50


def test_the_demo_database_is_reused_and_rebuilt_with_fresh(data_home, settings):
    path = demo_path()
    clock = FixedClock(NOW)
    with DemoSession(_demo_args(no_live=True), settings, clock=clock, stream=io.StringIO()) as session:
        assert session.simulator is None
    first = _counts(f"sqlite:///{path}")
    stamp = path.stat().st_mtime_ns
    clock.advance(timedelta(days=2))
    stream = io.StringIO()
    with DemoSession(_demo_args(no_live=True, seed=8), settings, clock=clock, stream=stream):
        pass
    assert "Using the existing demo database" in stream.getvalue()
    assert _counts(f"sqlite:///{path}") == first and path.stat().st_mtime_ns == stamp
    with DemoSession(_demo_args(no_live=True, fresh=True), settings, clock=clock, stream=io.StringIO()):
        pass
    stations, tickets, last = _counts(f"sqlite:///{path}")
    assert stations == 3 and last > first[2] + timedelta(days=1)


def test_the_demo_honours_read_only(data_home, settings):
    args = _demo_args(no_live=True, read_only=True)
    with DemoSession(args, settings, clock=FixedClock(NOW), stream=io.StringIO()) as session:
        assert session.context.read_only and not session.context.can_write


def test_demo_with_a_bad_count_exits_2_before_building_anything(data_home, capsys):
    assert main(["--lang", "en", "demo", "--stations", "0"]) == 2
    err = capsys.readouterr().err
    assert err == "woq-console demo: --stations must be at least 1 (got 0)\n"
    assert not demo_path().exists()


def test_a_new_demo_trains_the_classifier_so_the_type_check_runs_from_the_start(tmp_path, settings, clock):
    from types import SimpleNamespace

    from woq_tui.classifier import load_model
    from woq_tui.commands.demo import prepare_database
    from woq_tui.store.db import make_engine

    path = tmp_path / "demo.db"
    stream = io.StringIO()
    assert prepare_database(path, SimpleNamespace(fresh=False, seed=3, stations=4, days=20), settings, clock, stream)
    assert "Training the ticket-type classifier" in stream.getvalue()
    assert "Classifier stored; accuracy on the held-back fifth" in stream.getvalue()
    engine = make_engine(f"sqlite:///{path}")
    try:
        model, notice = load_model(engine)
    finally:
        engine.dispose()
    assert notice is None and model is not None and model.info.trained_at == clock.now()


def test_a_demo_too_small_to_train_on_opens_without_a_model_and_says_why(tmp_path, settings, clock):
    from types import SimpleNamespace

    from woq_tui.classifier import load_model
    from woq_tui.commands.demo import prepare_database
    from woq_tui.store.db import make_engine

    path = tmp_path / "demo.db"
    stream = io.StringIO()
    assert prepare_database(path, SimpleNamespace(fresh=False, seed=3, stations=1, days=1), settings, clock, stream)
    assert "Too little history to train on" in stream.getvalue() and path.exists()
    engine = make_engine(f"sqlite:///{path}")
    try:
        model, _notice = load_model(engine)
    finally:
        engine.dispose()
    assert model is None
