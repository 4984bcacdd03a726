"""The type classifier of the audit (audit.md, "The classifier and the routing model";
docs/audit-classifier.md): predicts a ticket's type from its summary.

The interface the audit and the console code against (AUDIT_CONTRACT.md):
- `load_model(engine) -> tuple[LoadedModel | None, str | None]`: the latest stored model,
  or None and the message key of a one-line notice saying why (no model, unreadable,
  trained with another feature schema). It never raises for a bad model.
- `LoadedModel.predict(summaries) -> list[(type code, probability)]`, `LoadedModel.info`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from woq_tui.values.audit import ModelInfo


@dataclass(frozen=True)
class LoadedModel:
    """A trained model ready to predict (stub: the first commit fixes the interface)."""

    trained_at: datetime
    accuracy: float

    def predict(self, summaries: Sequence[str]) -> list[tuple[str, float]]:
        return [("other", 0.0) for _ in summaries]

    @property
    def info(self) -> ModelInfo:
        from woq_tui.values.audit import ModelInfo

        return ModelInfo(trained_at=self.trained_at, accuracy=self.accuracy)


def load_model(engine: Engine) -> tuple[LoadedModel | None, str | None]:
    """(model, None), or (None, reason): reason a message key (`classifier.no_model`,
    `classifier.unreadable`, `classifier.other_schema`) for the one-line notice."""
    return None, "classifier.no_model"
