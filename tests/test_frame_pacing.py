"""Interval timers tick at the first period still ahead after a pause, not the one
after it (widgets/frame_pacing.py): the screen's second frame after an idle moment
waited up to two periods. On a clock of the test's own: no real time passes."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from textual import _time, timer as textual_timer
from textual._context import active_app
from textual.timer import Timer

from woq_tui.widgets import frame_pacing

PERIOD = 1.0


class Target:
    """What the timer is for (it holds a weak reference): nothing is sent to it."""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def _ticks_after_a_pause(clock: Clock) -> list[float]:
    """A timer paused after each tick, as the screen's update timer is: one tick, an
    idle moment of 9.3 periods, a resume (it ticks at once), then a resume right after:
    when does that one tick?"""
    ticks: list[float] = []
    holder: dict[str, Timer] = {}

    def tick() -> None:
        ticks.append(clock.now)
        holder["timer"].pause()

    target = Target()
    timer = Timer(target, PERIOD, callback=tick, pause=True)  # type: ignore[arg-type]
    holder["timer"] = timer
    errors: list[BaseException] = []
    # what Timer._tick and textual's invoke read of the app
    app = SimpleNamespace(_exit=False, features=frozenset(), _handle_exception=errors.append)
    token = active_app.set(app)  # type: ignore[arg-type]
    try:
        timer._start()
        timer.resume()
        await _settle()
        clock.now += 9.3 * PERIOD
        timer.resume()
        await _settle()
        timer.resume()
        await _settle()
        timer.stop()
    finally:
        active_app.reset(token)
    assert not errors
    return ticks


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(_time, "get_time", clock.time)
    monkeypatch.setattr(textual_timer, "sleep", clock.sleep)
    return clock


async def test_after_a_pause_the_next_tick_is_the_first_period_ahead(clock, monkeypatch):
    assert frame_pacing.install()
    first, resumed, following = await _ticks_after_a_pause(clock)
    assert first == 1001.0
    # (the loop had slept to its next period, 1002, before it waited to be resumed)
    assert resumed == pytest.approx(1011.3)
    # the first period still ahead (1012), not the one after it (1013)
    assert following == pytest.approx(1012.0)


async def test_textuals_own_loop_waits_a_period_more(clock, monkeypatch):
    """What the correction is for: Textual's loop, as it is, ticks at 1013."""
    monkeypatch.setattr(Timer, "_run", frame_pacing._textual_run)
    _first, _resumed, following = await _ticks_after_a_pause(clock)
    assert following == pytest.approx(1013.0)


def test_installed_only_over_the_loop_it_corrects(monkeypatch):
    monkeypatch.setattr(Timer, "_run", frame_pacing._textual_run)
    monkeypatch.setattr(frame_pacing, "KNOWN_LINE", "a line Textual no longer has")
    assert not frame_pacing.install()
    assert Timer._run is frame_pacing._textual_run
