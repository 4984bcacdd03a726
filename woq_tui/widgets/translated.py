"""Bindings whose descriptions are message keys, translated when the node is built.

Textual merges BINDINGS when a class is defined, before --lang is known; so BINDINGS
name message keys ("key.quit") and each instance swaps in the words of the current
language. The class-level map is untouched (BindingsMap.copy copies the key dict).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from textual.dom import DOMNode

from woq_tui.i18n import t


def translate_bindings(node: DOMNode) -> None:
    mapping = node._bindings.key_to_bindings
    for key, bindings in list(mapping.items()):
        mapping[key] = [
            replace(binding, description=t(binding.description)) if binding.description else binding
            for binding in bindings
        ]


class TranslatedBindings:
    """Mix in before a Textual class: its BINDINGS descriptions are message keys."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)  # type: ignore[arg-type]


def change_bindings(node: DOMNode, actions: Iterable[str], **changes: Any) -> None:
    """Change this node's bindings of `actions` (another description: the footer says
    "continue" while refresh is paused; show=False: a read-only console's footer does
    not offer writes), and redraw the footer."""
    wanted = set(actions)
    mapping = node._bindings.key_to_bindings
    for key, bindings in list(mapping.items()):
        mapping[key] = [replace(binding, **changes) if binding.action in wanted else binding for binding in bindings]
    if node.is_attached:
        node.refresh_bindings()
