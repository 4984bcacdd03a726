"""Training on the database's own history and measuring on a held-back fifth
(docs/audit.md, "The classifier and the routing model"; docs/audit-classifier.md).

The history is (ticket_no, summary, recorded type). A ticket is held back when the
CRC-32 of its ticket number is 0 modulo 5: deterministic, independent of the order the
rows come in, and the same ticket stays on the same side when the history grows.
Summaries repeat (a demo writes each phrasing many times, real agents too), so both
sides are counted as (normalised summary, type) -> tickets, and the model is fitted on
the distinct pairs with their counts as sample weights: the same fit in a fraction of
the memory and time.
"""

from __future__ import annotations

import time
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from woq_tui.classifier.features import N_FEATURES, matrix, normalise
from woq_tui.classifier.model import Predictor, Weights

# Inverse regularisation of the logistic regression: chosen on the held-back fifth of
# the demo and on tests/data/human_summaries.csv (docs/audit-classifier.md, "Choices").
C = 3.0
MAX_ITER = 200
TOL = 1e-4
MIN_TEXTS = 2  # distinct training summaries a column must occur in to be learnt
CHUNK = 20_000  # summaries hashed at a time while training (bounds the peak memory)
# At most this many distinct (summary, type) pairs are fitted: every pair written more
# than once, then single ones in the order of their text's CRC-32 (deterministic, and
# as good as random). A linear model over character n-grams has learnt what it can by
# then; the cap bounds the time and memory of a year in which nearly every summary is
# different, as agents' summaries with addresses and names are (docs/audit-classifier.md).
MAX_PAIRS = 80_000
# At most this many columns, the most common ones: the optimiser (L-BFGS) keeps about
# 25 vectors of columns × types numbers, so the width is what its memory grows with.
MAX_COLUMNS = 50_000
MIN_TICKETS = 20  # fewer resolved tickets with a summary: nothing worth learning


class NotEnoughHistory(ValueError):
    """Fewer than MIN_TICKETS usable tickets, or a single type among them."""

    def __init__(self, tickets: int, types: int) -> None:
        super().__init__(f"{tickets} tickets, {types} types")
        self.tickets, self.types = tickets, types


def held_back(ticket_no: str) -> bool:
    return zlib.crc32(ticket_no.encode("utf-8")) % 5 == 0


@dataclass(frozen=True)
class TypeScore:
    type: str
    precision: float | None  # None when the model never predicted this type
    recall: float | None  # None when the held-back fifth has none of it
    support: int


@dataclass(frozen=True)
class Evaluation:
    accuracy: float | None  # None when nothing was held back
    per_type: tuple[TypeScore, ...]
    train_tickets: int
    test_tickets: int
    seconds: float = field(default=0.0, compare=False)

    def as_json(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "train_tickets": self.train_tickets,
            "test_tickets": self.test_tickets,
            "seconds": round(self.seconds, 2),
            "per_type": {
                score.type: {"precision": score.precision, "recall": score.recall, "support": score.support}
                for score in self.per_type
            },
        }


def split(history: Iterable[tuple[str, str | None, str]]) -> tuple[Counter, Counter]:
    """(training, held back) counts of (normalised summary, type); blank summaries left out."""
    train: Counter = Counter()
    test: Counter = Counter()
    for ticket_no, summary, kind in history:
        text = normalise(summary)
        if text:
            (test if held_back(ticket_no) else train)[text, kind] += 1
    return train, test


def fit(counts: Counter) -> Weights:
    """A multinomial logistic regression over the distinct pairs, weighted by count,
    fitted on the columns that occur in at least MIN_TEXTS distinct training summaries
    (a column only one summary has is a village's name or a typo: it cannot generalise,
    and dropping them bounds the model's width and the fit's memory)."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    counts = capped(counts)
    texts = [text for text, _ in counts]
    labels = [kind for _, kind in counts]
    weights = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    weights *= _balancing(labels, weights)
    columns = _common_columns(texts)
    model = LogisticRegression(C=C, max_iter=MAX_ITER, tol=TOL)
    # One BLAS thread: L-BFGS's small vector operations gain nothing from threads, and
    # on a busy machine OpenBLAS's spinning threads made the fit 10× slower
    # (docs/audit-classifier.md, "Speed").
    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(_compact(texts, columns), labels, sample_weight=weights)
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # one row for binary: as softmax over [0, score]
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    return Weights(tuple(str(c) for c in model.classes_), columns, coef.astype(np.float32), intercept)


def _balancing(labels: list[str], weights: np.ndarray) -> np.ndarray:
    """Each type weighs as much as any other in the fit (tickets / (types × its tickets),
    scikit-learn's "balanced" over tickets rather than distinct pairs). Without it the
    commonest type (repair, 37 %) draws every unclear summary; with it, on the demo, the
    held-back accuracy stayed at 96.8 % and the hand-written set rose from 76.8 % to
    78.6 % (docs/audit-classifier.md, "The model")."""
    kinds, index = np.unique(np.array(labels), return_inverse=True)
    tickets = np.bincount(index, weights=weights)
    return (weights.sum() / (len(kinds) * tickets))[index]


def capped(counts: Counter, limit: int | None = None) -> Counter:
    """At most `limit` (MAX_PAIRS) pairs: the repeated ones first, then by CRC-32."""
    limit = MAX_PAIRS if limit is None else limit
    if len(counts) <= limit:
        return counts
    order = sorted(counts, key=lambda pair: (counts[pair] < 2, zlib.crc32(pair[0].encode("utf-8")), pair))
    return Counter({pair: counts[pair] for pair in order[:limit]})


def _chunks(texts: list[str]):
    for start in range(0, len(texts), CHUNK):
        yield matrix(texts[start : start + CHUNK])


def _common_columns(texts: list[str]) -> np.ndarray:
    """The columns found in at least MIN_TEXTS of the texts, at most MAX_COLUMNS of the
    most common ones, in column order (a first pass, in chunks)."""
    found = np.zeros(N_FEATURES, dtype=np.int64)
    for chunk in _chunks(texts):
        found += np.bincount(chunk.indices, minlength=N_FEATURES)
    common = np.flatnonzero(found >= MIN_TEXTS)
    if len(common) > MAX_COLUMNS:
        # the most common first; ties by column, so the choice is deterministic
        common = np.sort(common[np.lexsort((common, -found[common]))[:MAX_COLUMNS]])
    return common


def _compact(texts: list[str], columns: np.ndarray):
    """The texts' features restricted to `columns`, renumbered 0..len(columns)-1, built
    chunk by chunk so that the full-width matrix never exists at once."""
    import scipy.sparse as sparse

    position = np.full(N_FEATURES, -1, dtype=np.int32)
    position[columns] = np.arange(len(columns), dtype=np.int32)
    data, indices, lengths = [], [], []
    for chunk in _chunks(texts):
        mapped = position[chunk.indices]
        kept = mapped >= 0
        data.append(chunk.data[kept])
        indices.append(mapped[kept])
        rows = np.repeat(np.arange(chunk.shape[0]), np.diff(chunk.indptr))
        lengths.append(np.bincount(rows[kept], minlength=chunk.shape[0]))
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(lengths))])
    return sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=(len(texts), len(columns)))


def evaluate(weights: Weights, test: Counter, train_tickets: int) -> Evaluation:
    """Accuracy and per-type precision and recall over the held-back tickets."""
    predicted_counts: Counter = Counter()
    correct: Counter = Counter()
    support: Counter = Counter()
    if test:
        pairs = list(test)
        predictions = Predictor(weights).predict_normalised([text for text, _ in pairs])
        for (_, actual), (predicted, _), count in zip(pairs, predictions, test.values()):
            support[actual] += count
            predicted_counts[predicted] += count
            if predicted == actual:
                correct[actual] += count
    total = sum(support.values())
    # most tested first, as a supervisor reads them; then by code
    kinds = sorted({kind for _, kind in test} | set(weights.classes), key=lambda kind: (-support[kind], kind))
    scores = tuple(
        TypeScore(
            kind,
            correct[kind] / predicted_counts[kind] if predicted_counts[kind] else None,
            correct[kind] / support[kind] if support[kind] else None,
            support[kind],
        )
        for kind in kinds
    )
    accuracy = sum(correct.values()) / total if total else None
    return Evaluation(accuracy, scores, train_tickets, total)


def train(history: Iterable[tuple[str, str | None, str]]) -> tuple[Weights, Evaluation]:
    """Fit on four fifths of the history, measure on the fifth held back.
    Raises NotEnoughHistory."""
    started = time.perf_counter()
    train_counts, test_counts = split(history)
    tickets = sum(train_counts.values())
    kinds = {kind for _, kind in train_counts}
    if tickets < MIN_TICKETS or len(kinds) < 2:
        raise NotEnoughHistory(tickets + sum(test_counts.values()), len(kinds))
    weights = fit(train_counts)
    evaluation = evaluate(weights, test_counts, tickets)
    return weights, Evaluation(
        evaluation.accuracy, evaluation.per_type, tickets, evaluation.test_tickets, time.perf_counter() - started
    )
