"""Draws the README's screenshots (docs/images/*.svg) from the demo as it is now.

    .venv/bin/python scripts/readme_images.py

A demo year (the `demo` command's defaults: seed, stations, days) is generated into a
scratch SQLite file, the console runs headless at 160×45 in Chinese on a clock frozen
at the demo's end, and each screen is saved through the console's own cell-exact SVG
export (widgets/screenshot.py), so the images render Chinese correctly in a browser
(issue 15, item 1). Run it again whenever a screen changes the way it looks.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from woq_tui.cli import build_parser
from woq_tui.config import parse_settings
from woq_tui.context import ConsoleContext
from woq_tui.demo.generator import generate
from woq_tui.domain.clock import FixedClock, SystemClock
from woq_tui.i18n import set_language
from woq_tui.store.db import make_engine, upgrade

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
SHOTS = (("1", "queue-zh.svg"), ("4", "meeting-zh.svg"), ("6", "audit-zh.svg"))


async def shoot(context: ConsoleContext) -> None:
    from woq_tui.app import WoqApp

    app = WoqApp(context)
    async with app.run_test(size=(160, 45)) as pilot:
        for key, name in SHOTS:
            await pilot.press(key)
            for _ in range(20):  # until the screen's reads are in and drawn
                await pilot.pause()
                await app.workers.wait_for_complete()
                if not any(worker.is_running for worker in app.workers):
                    break
            await pilot.pause()
            app.save_screenshot(name, str(IMAGES))
            print(f"wrote {IMAGES / name}")


def main() -> int:
    settings = parse_settings({"console": {"language": "zh"}})
    set_language("zh")
    demo = build_parser().parse_args(["demo"])  # the demo's own defaults
    end = SystemClock().now().replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        upgrade(engine)
        generate(engine, settings.sla_policy(), seed=demo.seed, stations=demo.stations, days=demo.days, end=end)
        context = ConsoleContext(settings=settings, engine=engine, clock=FixedClock(end), label="demo")
        asyncio.run(shoot(context))
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
