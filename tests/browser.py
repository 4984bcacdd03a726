"""Headless Chromium for the tests that must see a page as a browser draws it: SVG
screenshots and HTML reports, measured by a script in the page.

Chromium comes from Debian (`apt-get install chromium fonts-noto-cjk`; .ci/run installs
it); where it is missing these tests skip and say so.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def need_chromium() -> str:
    if CHROMIUM is None:
        pytest.skip("needs Chromium (apt-get install chromium fonts-noto-cjk)")
    return CHROMIUM


def run_page(tmp_path: Path, page: str, *, screenshot: Path | None = None, size: tuple[int, int] = (1600, 1000)) -> dict:
    """Load `page` (an HTML document whose script writes JSON into <pre id="result">)
    and return that JSON; with `screenshot`, also save a PNG of it."""
    chromium = need_chromium()
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    profile = tmp_path / "chromium-profile"
    common = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"]
    dom = subprocess.run(
        [*common, "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    if screenshot is not None:
        subprocess.run([*common, f"--screenshot={screenshot}", path.as_uri()], capture_output=True, timeout=120, check=True)
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert found, "the page's script did not write its result"
    return json.loads(html.unescape(found.group(1)))
