"""The collector's full passes run while the console is idle (idle_collection.py,
docs/speed.md, "Full passes when idle"), and drawn lines leave no cycles behind
(widgets/strip_cycles.py)."""

from __future__ import annotations

import gc

import pytest
from rich.segment import Segment
from textual.strip import Strip

from tests.support import settle
from woq_tui.app import WoqApp
from woq_tui.idle_collection import IDLE_AFTER, LONGEST_WAIT, IdleCollector
from woq_tui.widgets import strip_cycles


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector():
    clock = Clock()
    collector = IdleCollector(clock)
    threshold = gc.get_threshold()
    collector.start()
    yield collector, clock
    collector.stop()
    assert gc.get_threshold() == threshold


def make_due() -> None:
    """As many collections of generation 1 as CPython waits for before a full pass."""
    while gc.get_count()[2] < gc.get_threshold()[2] // 100:
        gc.collect(1)


def test_cpython_s_own_full_pass_is_put_far_off_while_it_runs(collector):
    young, middle, full = gc.get_threshold()
    collector[0].stop()
    assert gc.get_threshold()[2] * 100 == full
    collector[0].start()


def test_a_pass_waits_for_a_pause_in_the_keys(collector):
    collector, clock = collector
    make_due()
    collector.key_pressed()
    clock.now += IDLE_AFTER / 2
    collector.tick()
    assert collector.passes == 0 and gc.get_count()[2] > 0  # a key came lately: not now
    clock.now += IDLE_AFTER
    collector.tick()
    assert collector.passes == 1 and gc.get_count()[2] == 0  # the full pass ran


def test_keys_that_never_stop_wait_no_longer_than_the_longest_wait(collector):
    collector, clock = collector
    make_due()
    collector.tick()  # due from now
    for _ in range(3):
        clock.now += LONGEST_WAIT / 3 - 0.01
        collector.key_pressed()
        collector.tick()
    assert collector.passes == 0
    clock.now += 0.05
    collector.key_pressed()
    collector.tick()
    assert collector.passes == 1


def test_nothing_is_due_before_its_time_or_while_a_read_holds_the_collector_off(collector):
    collector, clock = collector
    gc.collect()
    clock.now += 10 * IDLE_AFTER
    collector.tick()
    assert collector.passes == 0  # idle, but not due
    make_due()
    gc.disable()
    try:
        collector.tick()
        assert collector.passes == 0
    finally:
        gc.enable()
    collector.tick()
    assert collector.passes == 1


async def test_the_console_takes_over_the_full_passes_while_it_runs(context):
    threshold = gc.get_threshold()
    app = WoqApp(context)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert gc.get_threshold()[2] == threshold[2] * 100
        before = app.idle_collection._last_key
        await pilot.press("j")
        assert app.idle_collection._last_key > before  # a key postpones the pass
    assert gc.get_threshold() == threshold


def test_a_line_the_compositor_divides_or_crops_to_its_width_leaves_no_cycle():
    strip_cycles.install()
    line = Strip([Segment("工单 "), Segment("95598", None)], 10)
    assert line.divide([10]) == [line] and line.crop_extend(0, 10, None) is line
    # cuts and crops that change the line still go through Textual's own code
    assert [part.text for part in line.divide([5, 10])] == ["工单 ", "95598"]
    assert line.crop_extend(2, 12, None).text == "单 95598  "
    gc.disable()
    try:
        gc.collect()
        for _ in range(100):
            drawn = Strip([Segment("a line")], 6)
            drawn.divide([6])
            drawn.crop_extend(0, 6, None)
            del drawn
        assert gc.collect() == 0  # freed by reference counting: no cycle was left
    finally:
        gc.enable()
