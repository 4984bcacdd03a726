"""The trained model as plain arrays, and the predictor built from them
(docs/audit-classifier.md, "Storage").

A multinomial linear model over the hashed n-grams of features.py is four arrays: the
classes, the feature columns that carry weight (a model trained with L2 gives exactly
zero weight to a column no training summary has), their coefficients per class and the
intercepts. They are stored as a NumPy .npz without pickles, so that loading a model
runs no code from the database and does not depend on scikit-learn's internal layout.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from woq_tui.classifier.features import N_FEATURES, columns, matrix, normalise

# Up to this many summaries are hashed one by one (features.columns); more as one
# sparse matrix (features.matrix), whose fixed cost (≈1 ms) is then shared.
FEW = 16
BATCH = 20_000  # texts hashed at a time: bounds the transient arrays (≈100 bytes a character)
_ARRAYS = ("classes", "columns", "coef", "intercept")


class UnreadableModel(ValueError):
    """The stored payload is not a model this code can use."""


@dataclass(frozen=True, eq=False)
class Weights:
    classes: tuple[str, ...]
    columns: np.ndarray  # int32 (m,): the hashed feature columns with a weight
    coef: np.ndarray  # float32 (k, m)
    intercept: np.ndarray  # float64 (k,)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            classes=np.array(self.classes, dtype=str),
            columns=self.columns.astype(np.int32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float64),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> Weights:
        """Raises UnreadableModel for anything but the four arrays in their shapes."""
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
                if sorted(arrays.files) != sorted(_ARRAYS):
                    raise UnreadableModel(f"arrays {sorted(arrays.files)}")
                classes, columns, coef, intercept = (arrays[name] for name in _ARRAYS)
        except UnreadableModel:
            raise
        except Exception as exc:  # zip, npy header, dtype: whatever a damaged payload raises
            raise UnreadableModel(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        k, m = len(classes), len(columns)
        if (
            classes.dtype.kind != "U"
            or k < 2
            or columns.dtype.kind not in "iu"
            or coef.shape != (k, m)
            or intercept.shape != (k,)
            or (m and (columns.min() < 0 or columns.max() >= N_FEATURES))
            or not (np.isfinite(coef).all() and np.isfinite(intercept).all())
        ):
            raise UnreadableModel("shapes")
        return cls(tuple(str(c) for c in classes), columns.astype(np.int64), coef.astype(np.float32), intercept.astype(np.float64))


class Predictor:
    """Most likely type and its probability for each summary (softmax of the linear
    scores). The weights are scattered into a dense (n_features, k) matrix once, so a
    prediction is one hashing pass and one sparse-dense product."""

    def __init__(self, weights: Weights) -> None:
        self.classes = weights.classes
        dense = np.zeros((N_FEATURES, len(weights.classes)), dtype=np.float32)
        dense[weights.columns] = weights.coef.T
        self._weights = dense
        self._intercept = weights.intercept.astype(np.float32)
        self._zeros = np.zeros(len(weights.classes), dtype=np.float32)

    def _probabilities(self, matrix) -> np.ndarray:
        return self._softmax(np.asarray(matrix @ self._weights) + self._intercept)

    @staticmethod
    def _softmax(scores: np.ndarray) -> np.ndarray:
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict(self, summaries: Sequence[str | None]) -> list[tuple[str, float]]:
        return self.predict_normalised([normalise(summary) for summary in summaries])

    def predict_normalised(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """Each distinct text is scored once (summaries repeat: a batch of a year holds
        far fewer distinct ones), then the answers are handed back in order."""
        if not texts:
            return []
        distinct = list(dict.fromkeys(texts))
        if len(distinct) > FEW:
            answers = []
            for start in range(0, len(distinct), BATCH):
                answers += self._best(self._probabilities(matrix(distinct[start : start + BATCH])))
        else:
            rows = []
            for text in distinct:
                found, values = columns(text)
                rows.append(values @ self._weights[found] if len(found) else self._zeros)
            answers = self._best(self._softmax(np.vstack(rows) + self._intercept))
        if len(distinct) == len(texts):
            return answers
        by_text = dict(zip(distinct, answers))
        return [by_text[text] for text in texts]

    def _best(self, probabilities: np.ndarray) -> list[tuple[str, float]]:
        best = probabilities.argmax(axis=1)
        return [(self.classes[i], float(probabilities[row, i])) for row, i in enumerate(best)]
