"""The type classifier of the audit (docs/audit.md, "The classifier and the routing model";
docs/audit-classifier.md): predicts a ticket's type from its summary.

The interface the audit and the console code against (AUDIT_CONTRACT.md):
- `load_model(engine) -> tuple[LoadedModel | None, str | None]`: the latest stored model
  and None, or None and the message key of a one-line notice saying why (no model table,
  no model, unreadable, trained with another feature schema). A bad model never raises;
  a database that cannot be reached does (as every read does).
- `LoadedModel.predict(summaries) -> list[(type code, probability)]`, `LoadedModel.info`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from woq_tui.classifier.model import Predictor
    from woq_tui.values.audit import ModelInfo

log = logging.getLogger(__name__)

# The one-line notices (woq_tui/messages/classifier.py) of load_model.
NO_TABLE, NO_MODEL, UNREADABLE, OTHER_SCHEMA = (
    "classifier.no_table",
    "classifier.no_model",
    "classifier.unreadable",
    "classifier.other_schema",
)


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A stored model ready to predict."""

    id: int
    trained_at: datetime
    accuracy: float
    metrics: Mapping[str, Any]
    library: str | None
    _predictor: Predictor = field(repr=False)

    def predict(self, summaries: Sequence[str | None]) -> list[tuple[str, float]]:
        """(type code, probability) of the most likely type of each summary."""
        return self._predictor.predict(summaries)

    @property
    def classes(self) -> tuple[str, ...]:
        return self._predictor.classes

    @property
    def info(self) -> ModelInfo:
        from woq_tui.values.audit import ModelInfo

        return ModelInfo(trained_at=self.trained_at, accuracy=self.accuracy)


_cache: dict[tuple[str, int, datetime], LoadedModel] = {}
_cache_lock = threading.Lock()


def load_model(engine: Engine) -> tuple[LoadedModel | None, str | None]:
    """(model, None), or (None, reason): reason one of NO_TABLE, NO_MODEL, UNREADABLE,
    OTHER_SCHEMA. The model last loaded from this database is kept while it is the latest."""
    from woq_tui.classifier import storage

    if not storage.has_table(engine):
        return None, NO_TABLE
    latest = storage.latest_id(engine)
    if latest is None:
        return None, NO_MODEL
    key = (engine.url.render_as_string(hide_password=True), *latest)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached, None
    row = storage.read(engine, latest[0])
    if row is None:  # replaced between the two reads: take the newer one next time
        return None, NO_MODEL
    model, reason = _rebuild(row)
    if model is not None:
        with _cache_lock:
            _cache.clear()
            _cache[key] = model
    return model, reason


def _rebuild(row) -> tuple[LoadedModel | None, str | None]:
    from woq_tui.classifier.features import same_schema
    from woq_tui.classifier.model import Predictor, UnreadableModel, Weights

    try:
        features = json.loads(row.features or "null")
        metrics = json.loads(row.metrics or "{}")
    except ValueError:
        log.warning("classifier %s: features or metrics are not JSON", row.id)
        return None, UNREADABLE
    if not isinstance(features, dict) or not same_schema(features):
        log.warning("classifier %s: feature schema %r", row.id, features)
        return None, OTHER_SCHEMA
    if not isinstance(metrics, dict) or not row.payload:
        return None, UNREADABLE
    try:
        weights = Weights.from_bytes(bytes(row.payload))
    except UnreadableModel as exc:
        log.warning("classifier %s: unreadable payload (%s)", row.id, exc)
        return None, UNREADABLE
    accuracy = metrics.get("accuracy")
    accuracy = float(accuracy) if isinstance(accuracy, (int, float)) else float("nan")
    return LoadedModel(row.id, row.trained_at, accuracy, metrics, row.library, Predictor(weights)), None


def train_and_store(engine: Engine, trained_at: datetime, trained_by: str):
    """Train on the database's history, store the model; its Evaluation.
    Raises training.NotEnoughHistory (nothing is stored then)."""
    import sklearn

    from woq_tui.classifier import storage, training

    weights, evaluation = training.train(storage.history(engine))
    storage.store(engine, weights.to_bytes(), evaluation.as_json(), trained_at, trained_by, f"scikit-learn {sklearn.__version__}")
    return evaluation
