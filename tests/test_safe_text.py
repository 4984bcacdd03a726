"""Cells that a spreadsheet would run, lines that a terminal would obey."""

from __future__ import annotations

import pytest

from woq_tui.domain.safe_text import spreadsheet_cell, terminal_text


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_neutralised(value):
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["东丽城东供电所", "T0001", "", "a=b", 12, -3.5, None])
def test_other_values_are_kept(value):
    assert spreadsheet_cell(value) == value


def test_terminal_text_escapes_control_characters():
    hostile = "T1\x1b]0;pwned\x07\x1b[2J\u202eabc\x9b"
    shown = terminal_text(hostile)
    assert shown == "T1\\x1b]0;pwned\\x07\\x1b[2J\\u202eabc\\x9b"
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)


def test_terminal_text_keeps_text_and_optionally_newlines():
    assert terminal_text("工单 T0001 ✔ 👍") == "工单 T0001 ✔ 👍"
    assert terminal_text("a\nb") == "a\\x0ab"
    assert terminal_text("a\nb", keep_newlines=True) == "a\nb"
