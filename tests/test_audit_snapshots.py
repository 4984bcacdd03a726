"""Snapshots of screen 6 (质检): frozen clock, Chinese and English, 100×30 and 160×45
(the summary beside the list only on the wide one), the cursor on the third flag."""

from __future__ import annotations

import pytest

from tests.support import settle, snapshot_app


async def _show_audit(pilot) -> None:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    await pilot.press("down", "down")
    await settle(pilot)


@pytest.mark.parametrize("size", [pytest.param((100, 30), id="100x30"), pytest.param((160, 45), id="160x45")])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_snapshot_audit(snap_compare, sqlite_url, settings, clock, language, size):
    app = snapshot_app(sqlite_url, settings, clock, language)
    assert snap_compare(app, terminal_size=size, run_before=_show_audit)
