"""The colour themes the console offers, checked for contrast (docs/decisions.md,
"Colours"): every text/background pair the screens draw reaches WCAG AA (4.5:1), lines
and bars 3:1 (tests/test_contrast.py measures them on every main screen).

Textual's own textual-dark and textual-light miss it in places (light text on the
dark cursor blue at 3.8:1; orange and green text on light grey at 3.3 and 3.8:1; the
ANSI red that Rich text uses, #f4005f, at 4.0:1 on a dark panel). They are registered
again under their own names with those colours adjusted (the same hues, darker or
lighter until they pass on every background they appear on), and the ANSI palettes
that Rich's named colours map to get the same treatment. Other Textual themes are not
offered in the palette; a config may still name one, unchecked.
"""

from __future__ import annotations

from dataclasses import replace

from rich.terminal_theme import TerminalTheme
from textual.theme import BUILTIN_THEMES, Theme

OFFERED_THEMES = ("textual-dark", "textual-light")

_DARK_VARIABLES = {
    "block-cursor-background": "#0066C2",
    "text-error": "#D58296",
    "text-secondary": "#709EBF",
    "scrollbar": "#7A8A99",
    "scrollbar-hover": "#93A3B2",
    "scrollbar-active": "#B0BEC8",
    "scrollbar-background": "#1E1E1E",
    "scrollbar-corner-color": "#1E1E1E",
    "foreground-muted": "#E0E0E0B3",
}
_LIGHT_VARIABLES = {
    "footer-key-foreground": "#004EAA",
    "text-warning": "#7E4300",
    "text-accent": "#7E4300",
    "text-success": "#0C5D29",
    "scrollbar": "#6E6E6E",
    "scrollbar-hover": "#555555",
    "scrollbar-active": "#3C3C3C",
    "scrollbar-background": "#D0D0D0",
    "scrollbar-corner-color": "#D0D0D0",
    "foreground-muted": "#1F1F1FCC",
}


def checked_themes() -> list[Theme]:
    """textual-dark and textual-light with the colours that pass."""
    dark, light = BUILTIN_THEMES["textual-dark"], BUILTIN_THEMES["textual-light"]
    return [
        replace(dark, variables={**dark.variables, **_DARK_VARIABLES}),
        # A darker foreground keeps "dim" text (blended towards the panel) at 4.5:1.
        replace(light, foreground="#111111", variables={**light.variables, **_LIGHT_VARIABLES}),
    ]


def _palette(foreground: str, background: str, colors: list[str]) -> TerminalTheme:
    def rgb(value: str) -> tuple[int, int, int]:
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)

    return TerminalTheme(rgb(background), rgb(foreground), [rgb(c) for c in colors[:8]], [rgb(c) for c in colors[8:]])


# Rich's named colours (red, green, …) on a dark theme: Monokai's hues, each readable on
# the darkest and the lightest dark backgrounds.
ANSI_DARK = _palette(
    "#D9D9D9", "#0C0C0C",
    ["#1A1A1A", "#FF608F", "#98E024", "#FD971F", "#B57DFF", "#FF608F", "#58D1EB", "#C4C5B5",
     "#9A9680", "#FF608F", "#98E024", "#E0D561", "#B57DFF", "#FF608F", "#58D1EB", "#F6F6EF"],
)
# …and on a light theme: Alabaster's hues, dark enough for light grey panels.
ANSI_LIGHT = _palette(
    "#000000", "#F7F7F7",
    ["#000000", "#A90000", "#006100", "#585500", "#0225C7", "#960094", "#005C5E", "#F7F7F7",
     "#4A4A4A", "#A90000", "#006100", "#585500", "#0225C7", "#960094", "#005C5E", "#F7F7F7"],
)
