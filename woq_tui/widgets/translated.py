"""Bindings whose descriptions are message keys, translated when the node is built.

Textual merges BINDINGS when a class is defined, before --lang is known; so BINDINGS
name message keys ("key.quit") and each instance swaps in the words of the current
language. The class-level map is untouched (BindingsMap.copy copies the key dict).
"""

from __future__ import annotations

from dataclasses import replace

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
