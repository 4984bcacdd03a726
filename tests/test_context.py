"""ConsoleContext makes its engine on first use when given a URL (the command line's
head start leaves SQLAlchemy out of the console's process until its first frame)."""

from __future__ import annotations

import sys
import threading

import pytest

from woq_tui.context import ConsoleContext


def test_the_engine_is_made_on_first_use_and_once(settings, tmp_path):
    folder = tmp_path / "later"
    context = ConsoleContext(settings, url=f"sqlite:///{folder / 'woq.db'}")
    assert not folder.exists()  # make_engine creates the folder: not called yet
    engines = []
    threads = [threading.Thread(target=lambda: engines.append(context.engine)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert folder.is_dir() and len({id(engine) for engine in engines}) == 1
    assert context.engine is engines[0]
    with context.store.sessions() as session:
        assert session.get_bind() is context.engine
    context.engine.dispose()


def test_the_header_names_the_database_without_its_password(settings):
    context = ConsoleContext(settings, url="postgresql+psycopg://woq:secret@db.example:5432/woq")
    assert context.database_label == "postgresql+psycopg://woq:***@db.example:5432/woq"
    given = ConsoleContext(settings, url="postgresql+psycopg://woq:secret@db.example/woq", label="demo")
    assert given.database_label == "demo"


def test_a_context_needs_a_database():
    with pytest.raises(ValueError):
        ConsoleContext(settings=None)


def test_importing_the_context_loads_no_sqlalchemy():
    import subprocess

    code = "import sys, woq_tui.context, woq_tui.values.queue, woq_tui.store.queue_live; print('sqlalchemy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_while_the_database_is_being_opened_the_header_does_not_wait(settings, tmp_path):
    from concurrent.futures import Future

    from woq_tui.commands.head_start import Opened

    opening: Future = Future()
    context = ConsoleContext(settings, opening=opening)
    assert context.database_label == "…"
    url = f"sqlite:///{tmp_path / 'woq.db'}"
    opening.set_result(Opened(url, "sqlite:///woq.db"))
    assert context.database_label == "sqlite:///woq.db"
    assert str(context.engine.url) == url  # made from the verdict's URL
    context.engine.dispose()
