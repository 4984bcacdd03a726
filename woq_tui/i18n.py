"""The zh / en message catalogue.

Messages live in woq_tui/messages/<area>.py as MESSAGES = {key: (zh, en)}, one file per
part of the product so that each part owns its words. `t(key, **values)` formats the
message in the current language; a missing key shows as the key itself, never a crash.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import woq_tui.messages

LANGUAGES = ("zh", "en")
_language = "en"


@cache
def catalogue() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module in pkgutil.iter_modules(woq_tui.messages.__path__):
        messages = importlib.import_module(f"woq_tui.messages.{module.name}").MESSAGES
        duplicate = merged.keys() & messages.keys()
        if duplicate:
            raise RuntimeError(f"message keys defined twice: {sorted(duplicate)}")
        merged.update(messages)
    return merged


def set_language(language: str) -> None:
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def language() -> str:
    return _language


def t(key: str, **values: object) -> str:
    pair = catalogue().get(key)
    if pair is None:
        return key
    text = pair[0] if _language == "zh" else pair[1]
    return text.format(**values) if values else text
