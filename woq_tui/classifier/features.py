"""What the classifier sees of a summary: the feature schema (docs/audit-classifier.md).

Hashed character n-grams (1 to 3 characters) need no vocabulary: the features are
fixed by a few parameters (SCHEMA), stored as JSON next to the model. A model is used
only with the schema it was trained with; anything else is "another schema" and the
model is not loaded.

Before hashing a summary is normalised: NFKC (full-width letters and digits as ASCII),
case-folded, every run of digits one "0" (an amount, a house number or a time says
nothing about the type, and "12号楼" and "3号楼" should look alike), and every run of
punctuation or space one space ("！！！" and "!" alike).

The hashing is ours, in NumPy, not scikit-learn's HashingVectorizer: an n-gram is the
integer of its code points (c1, c1·P + c2, (c1·P + c2)·P + c3, P = 0x110000, so the
three lengths never collide), mixed by splitmix64's finaliser and masked to n_features
columns. For a batch that is a few array operations over all the texts at once: 4–5×
faster than HashingVectorizer's per-text Python analyser (bench/classifier_bench.py),
which matters when the audit classifies a year. It depends on no library's internals,
so a model reads the same under any NumPy or scikit-learn version;
tests/test_classifier.py pins the columns of a known text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

# Changing any value here is a new schema: stored models trained with the old one are
# refused until `audit train` runs again (docs/audit-classifier.md, "Schema").
SCHEMA: dict[str, Any] = {
    "kind": "hashed-char-ngrams",
    "normalise": "nfkc-casefold-digits-punct/1",
    "ngram_range": [1, 3],
    "hash": "codepoints-splitmix64/1",
    "n_features": 1 << 18,
    "values": "counts-l2",
}
N_FEATURES = SCHEMA["n_features"]

_DIGITS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"[\W_]+")
_P = np.uint64(0x110000)
_MASK = np.uint64(N_FEATURES - 1)
_GOLDEN, _M1, _M2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def normalise(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _DIGITS.sub("0", text)
    return _SEPARATORS.sub(" ", text).strip()


def same_schema(stored: Mapping[str, Any]) -> bool:
    return dict(stored) == SCHEMA


def _mix(keys: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every bit of the key reaches the low bits kept. (Unsigned
    array arithmetic wraps modulo 2^64 without a warning, as the algorithm wants.)"""
    z = keys + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _grams(points: np.ndarray, gap: np.ndarray):
    """(keys, start positions) of the n-grams (n in SCHEMA's range) that do not cross a gap."""
    low, high = SCHEMA["ngram_range"]
    inside = ~gap
    keys, starts = [], []
    key, whole = points.copy(), inside.copy()
    for n in range(1, high + 1):
        if n > 1:  # extend every gram by the next point: key·P + next
            key = key[:-1] * _P + points[n - 1 :]
            whole = whole[:-1] & inside[n - 1 :]
        if n >= low:
            keys.append(key[whole])
            starts.append(np.flatnonzero(whole))
    return np.concatenate(keys), np.concatenate(starts)


def columns(text: str) -> tuple[np.ndarray, np.ndarray]:
    """One normalised text's (columns, l2-normalised counts): the single-ticket path."""
    if not text:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    points = _code_points(text)
    keys, _ = _grams(points, np.zeros(len(points), dtype=bool))
    found, counts = np.unique((_mix(keys) & _MASK).astype(np.int64), return_counts=True)
    values = counts.astype(np.float32)
    return found, values / np.sqrt(values @ values)


def matrix(texts: Sequence[str]):
    """Normalised texts -> a sparse (n, N_FEATURES) float32 CSR matrix, rows l2-normalised."""
    import scipy.sparse as sparse

    if not texts:
        return sparse.csr_matrix((0, N_FEATURES), dtype=np.float32)
    # One array for the whole batch, texts separated by NUL (normalise() leaves none).
    points = _code_points("\x00".join(texts) + "\x00")
    gap = points == 0
    row_of = np.cumsum(gap) - gap
    keys, starts = _grams(points, gap)
    result = sparse.csr_matrix(
        (np.ones(len(keys), dtype=np.float32), (row_of[starts], (_mix(keys) & _MASK).astype(np.int64))),
        shape=(len(texts), N_FEATURES),
    )
    result.sum_duplicates()
    lengths = np.diff(result.indptr)
    rows = np.repeat(np.arange(len(texts)), lengths)
    norms = np.sqrt(np.bincount(rows, weights=result.data.astype(np.float64) ** 2, minlength=len(texts)))
    result.data /= norms[rows].astype(np.float32)
    return result


def transform(summaries: Sequence[str | None]):
    return matrix([normalise(summary) for summary in summaries])
