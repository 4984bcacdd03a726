"""Every word the assessment shows exists in Chinese and English, and every subcommand
it adds has --help (docs/cli.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from woq_tui.cli import main
from woq_tui.i18n import catalogue

ROOT = Path(__file__).parent.parent / "woq_tui"
FILES = [
    ROOT / "domain/periods.py", ROOT / "commands/pilot.py", ROOT / "commands/bulletin.py", ROOT / "commands/report.py",
    ROOT / "commands/generate.py", *ROOT.glob("reporting/bulletin_*.py"), ROOT / "reporting/pilot_report.py",
    ROOT / "reporting/score_columns.py",
]  # fmt: skip


def test_every_key_exists_in_both_languages():
    used = {key for file in FILES for key in re.findall(r"""\bt\(\s*["']([\w.]+)["']""", file.read_text())}
    keys = {
        *(f"score.component.{name}" for name in ("on_time", "one_time", "satisfaction", "quality", "escalation")),
        *(f"bulletin.sheet.{name}" for name in ("headline", "scorecard", "backlog", "areas", "audit", "daily")),
        *(f"period.{kind}" for kind in ("week", "month", "quarter", "year", "days", "until")),
        "score.score", "score.rank", "pilot.start_not_before", "pilot.overlap", "pilot.unknown_stations", "pilot.bad_figure",
    }  # fmt: skip
    used |= keys
    missing = sorted(key for key in used if key not in catalogue() and not key.endswith("."))
    assert not missing
    assert all(catalogue()[key][0] and catalogue()[key][1] for key in used if key in catalogue())


@pytest.mark.parametrize("command", ["pilot", "bulletin"])
def test_new_subcommands_have_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: woq-console" in out and "--as-of" in out and "--db" in out
