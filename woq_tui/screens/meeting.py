"""The meeting screen (placeholder until its issue lands)."""

from __future__ import annotations

from woq_tui.screens.base import WoqScreen


class MeetingScreen(WoqScreen):
    TITLE_KEY = "screen.meeting"
