"""The console's context (context.py) as screens and widgets reach it: WoqApp holds it
(app.py), but Textual types a node's `app` as a plain App, which has no `context`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from woq_tui.context import ConsoleContext


def console_context(node: DOMNode) -> ConsoleContext:
    """The context of the app `node` belongs to."""
    context: ConsoleContext = node.app.context  # type: ignore[attr-defined]  # WoqApp's, see the docstring
    return context
