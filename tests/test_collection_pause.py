"""store/collection_pause.py: the collector is held off while any holder is inside, in
any thread, and comes back as it was when the last one leaves."""

from __future__ import annotations

import gc
import threading

import pytest

from woq_tui.store.collection_pause import collections_paused


@pytest.fixture(autouse=True)
def _collector_enabled():
    gc.enable()
    yield
    gc.enable()


def test_nested_and_concurrent_holders_resume_the_collector_after_the_last():
    inside, leave = threading.Event(), threading.Event()

    def other_holder() -> None:
        with collections_paused():
            inside.set()
            leave.wait(timeout=30)

    thread = threading.Thread(target=other_holder)
    with collections_paused():
        assert not gc.isenabled()
        thread.start()
        assert inside.wait(timeout=30)
        with collections_paused():
            assert not gc.isenabled()
    assert not gc.isenabled(), "the other thread still holds the pause"
    leave.set()
    thread.join(timeout=30)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    with collections_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_an_exception_inside_still_resumes_it():
    with pytest.raises(RuntimeError), collections_paused():
        raise RuntimeError("the read failed")
    assert gc.isenabled()


def test_generate_makes_its_rows_with_the_collector_held_off(tmp_path):
    # docs/demo.md, "A province": the generator's state grows to gigabytes and the
    # collector's passes over it freed nothing
    from tests.conftest import NOW
    from woq_tui.demo.generator import generate
    from woq_tui.domain.sla import SlaPolicy
    from woq_tui.store.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    seen: list[bool] = []
    result = generate(engine, SlaPolicy(), seed=7, stations=4, days=10, end=NOW,
                      progress=lambda _done: seen.append(gc.isenabled()), batch_size=50)  # fmt: skip
    engine.dispose()
    assert result.tickets > 100 and seen and not any(seen)
    assert gc.isenabled()
