"""What `audit train` and `classify` print (docs/audit.md; docs/audit-classifier.md): the
evaluation table, the predictions as text, and classify's JSON document.

Text is in the console language, columns padded by display width; JSON has the spec's
keys exactly: `{"predictions": [{"summary", "type", "probability"}], "accuracy": x|null}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from woq_tui.domain.safe_text import terminal_text
from woq_tui.i18n import t
from woq_tui.reporting.columns import aligned


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def type_name(code: str) -> str:
    name = t(f"type.{code}")
    return code if name == f"type.{code}" else name


def evaluation_lines(evaluation) -> list[str]:
    """training.Evaluation: the summary line, the accuracy, precision/recall per type."""
    rows = [[t("classifier.column.type"), t("classifier.column.precision"), t("classifier.column.recall"),
             t("classifier.column.support")]]  # fmt: skip
    for score in evaluation.per_type:
        rows.append([type_name(score.type), percent(score.precision), percent(score.recall), f"{score.support:,}"])
    return [
        t("classifier.train.done", train=evaluation.train_tickets, test=evaluation.test_tickets, seconds=evaluation.seconds),
        t("classifier.train.accuracy", accuracy=percent(evaluation.accuracy)),
        "",
        *aligned(rows),
    ]


def predictions_text(summaries: Sequence[str], predictions: Sequence[tuple[str, float]], accuracy) -> str:
    """One line a summary (type, probability, the summary as the terminal may show it),
    then the accuracy when the input had types. `accuracy`: (correct, total) or None."""
    rows = [[t("classifier.column.type"), t("classifier.column.probability"), t("classifier.column.summary")]]
    for summary, (kind, probability) in zip(summaries, predictions):
        rows.append([type_name(kind), f"{probability:.2f}", terminal_text(summary)])
    # the summary column is last and free text: left-aligned after the two fixed ones
    lines = [line for line in _left_last(rows)]
    if accuracy is not None:
        correct, total = accuracy
        lines += ["", t("classifier.classify.accuracy", accuracy=percent(correct / total), correct=correct, total=total)]
    return "\n".join(lines) + "\n"


def _left_last(rows: list[list[str]]) -> list[str]:
    heads = aligned([row[:2] for row in rows])
    from rich.cells import cell_len

    width = max(cell_len(head) for head in heads)
    return [(head + " " * (width - cell_len(head)) + "  " + row[2]).rstrip() for head, row in zip(heads, rows)]


def predictions_document(summaries: Sequence[str], predictions: Sequence[tuple[str, float]], accuracy) -> dict[str, Any]:
    return {
        "predictions": [
            {"summary": summary, "type": kind, "probability": round(probability, 4)}
            for summary, (kind, probability) in zip(summaries, predictions)
        ],
        "accuracy": None if accuracy is None else accuracy[0] / accuracy[1],
    }
