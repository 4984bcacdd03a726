"""What the classifier sees of a summary: the feature schema (docs/audit-classifier.md).

Hashed character n-grams need no vocabulary: the features are fixed by a few parameters
(the schema), stored as JSON next to the model. A model is used only with the schema it
was trained with; anything else is "another schema" and the model is not loaded.

Before hashing a summary is normalised: NFKC (full-width letters and digits as ASCII),
case-folded, every run of digits one "0" (an amount, a house number or a time says
nothing about the type, and "12号楼" and "3号楼" should look alike), and every run of
punctuation or space one space ("！！！" and "!" alike).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Mapping, Sequence

# Changing any value here is a new schema: stored models trained with the old one are
# refused until `audit train` runs again (docs/audit-classifier.md, "Schema").
SCHEMA: dict[str, Any] = {
    "kind": "hashed-char-ngrams",
    "normalise": "nfkc-casefold-digits-punct/1",
    "analyzer": "char",
    "ngram_range": [1, 3],
    "n_features": 1 << 18,
    "alternate_sign": False,
    "norm": "l2",
    "hash": "murmurhash3_32",
}

_DIGITS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"[\W_]+")


def normalise(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _DIGITS.sub("0", text)
    return _SEPARATORS.sub(" ", text).strip()


def same_schema(stored: Mapping[str, Any]) -> bool:
    return dict(stored) == SCHEMA


def hashed(text: str) -> tuple[list[int], list[float]]:
    """One normalised text's (columns, l2-normalised counts), exactly as Vectoriser
    computes them but without scikit-learn's per-call checks (≈0.5 ms): the path of a
    single ticket (docs/audit-classifier.md, "Speed"). tests/test_classifier.py checks
    the two agree."""
    from sklearn.utils import murmurhash3_32

    low, high = SCHEMA["ngram_range"]
    size = SCHEMA["n_features"]
    counts: dict[int, int] = {}
    length = len(text)
    for n in range(low, min(high, length) + 1):
        for start in range(length - n + 1):
            h = murmurhash3_32(text[start : start + n], 0)
            column = (2147483647 - (size - 1)) % size if h == -2147483648 else abs(h) % size
            counts[column] = counts.get(column, 0) + 1
    norm = sum(count * count for count in counts.values()) ** 0.5
    return list(counts), [count / norm for count in counts.values()]


class Vectoriser:
    """Summaries -> a sparse (n, n_features) float32 matrix, by SCHEMA. Built from
    these constants only, never from what the database says."""

    def __init__(self) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import HashingVectorizer

        self._hashing = HashingVectorizer(
            analyzer=SCHEMA["analyzer"],
            ngram_range=tuple(SCHEMA["ngram_range"]),
            n_features=SCHEMA["n_features"],
            alternate_sign=SCHEMA["alternate_sign"],
            norm=SCHEMA["norm"],
            lowercase=False,  # normalise() has case-folded already
            dtype=np.float32,
        )

    def transform(self, summaries: Sequence[str | None]):
        return self.transform_normalised([normalise(summary) for summary in summaries])

    def transform_normalised(self, texts: Sequence[str]):
        """Texts normalise() has already seen."""
        return self._hashing.transform(texts)
