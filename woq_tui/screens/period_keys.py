"""The period keys of the figure screens (docs/keys.md: `[` `]` previous / next period, `t`
next kind; dates typed in from the palette): one implementation for the station
screen, the meeting view and the quality audit. A period never runs into the future
(docs/assessment.md, "Periods")."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding

from woq_tui.domain.periods import Period, next_kind, step_period, with_kind
from woq_tui.i18n import t


def period_bindings(prefix: str, previous: str, following: str) -> list[Binding]:
    """`t`, `[` and `]` with this screen's binding ids (remappable under [keys])."""
    return [
        Binding("t", "next_period", "key.stations.period", id=f"{prefix}.period"),
        Binding("left_square_bracket", "step(-1)", previous, key_display="[", id=f"{prefix}.previous"),
        Binding("right_square_bracket", "step(1)", following, key_display="]", id=f"{prefix}.next"),
    ]


class PeriodKeys:
    """Mix into a WoqScreen that has `period` and shows it with `load()`."""

    period: Period | None
    # each screen that mixes this in loads its period its own way
    load: Callable[[], None]

    def action_step(self, steps: int) -> None:
        """The period before or after; never past the current one (no future)."""
        if self.period is not None:
            moved = step_period(self.period, steps, self.context.clock.now())  # type: ignore[attr-defined]
            if moved == self.period:
                self.notify(t("period.no_future"))  # type: ignore[attr-defined]
                return
            self.period = moved
            self.load()

    def action_next_period(self) -> None:
        """week → month → quarter → year: the one holding the shown period's last day."""
        if self.period is not None:
            self.period = with_kind(self.period, next_kind(self.period.kind), self.context.clock.now())  # type: ignore[attr-defined]
            self.load()

    def ask_dates(self) -> None:
        """The palette's "choose dates…": a custom period (screens/period_dialog.py)."""
        from woq_tui.screens.period_dialog import PeriodDialog

        def chosen(period: Period | None) -> None:
            if period is not None:
                self.period = period
                self.load()

        self.app.push_screen(PeriodDialog(self.period), chosen)  # type: ignore[attr-defined]
