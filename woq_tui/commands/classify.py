"""woq-console classify: the stored classifier's type for a summary, or for each row of
a CSV/XLSX file with a `summary` column (and an optional `type` column: then the
accuracy too). audit.md; docs/audit-classifier.md.

`--format json` gives `{"predictions": [{"summary", "type", "probability"}], "accuracy":
x|null}`. No usable model is exit 1 with the one-line reason: the command was used
right, the database lacks what it needs (as an unreachable database is exit 1); exit 2
stays for usage (neither or both of TEXT and --file, a file without a summary column,
a type that is no ticket type). The file is read as the importer reads exports
(store/import_source.py: UTF-8, GB18030/GBK, UTF-16, XLSX; headers in English or
Chinese as docs/import-format.md names them).
"""

from __future__ import annotations

import json
import sys

from woq_tui.i18n import t

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def read_summaries(path: str) -> tuple[list[str], list[str | None]]:
    """(summaries, types) of the file's rows; a type is None where the file has no
    type column. Raises UsageError (no summary column, unknown type) and
    ImportFileError (unreadable)."""
    from woq_tui.domain.import_rows import HEADER_ALIASES, VALUE_ALIASES
    from woq_tui.domain.import_values import as_text, match_key
    from woq_tui.store.import_source import open_source

    summaries: list[str] = []
    types: list[str | None] = []
    with open_source(path) as source:
        columns = {HEADER_ALIASES.get(match_key(as_text(cell))): index for index, cell in enumerate(source.header)}
        if "summary" not in columns:
            raise UsageError(t("classifier.classify.no_summary_column", path=path))
        summary_at, type_at = columns["summary"], columns.get("type")
        for number, cells in source.rows:
            cells = list(cells) + [None] * (len(source.header) - len(cells))
            summaries.append(as_text(cells[summary_at]))
            if type_at is None:
                types.append(None)
                continue
            value = as_text(cells[type_at])
            kind = VALUE_ALIASES["type"].get(match_key(value)) if value else None
            if value and kind is None:
                raise UsageError(t("classifier.classify.bad_type", path=path, row=number, value=value))
            types.append(kind)
    return summaries, types


def accuracy_of(predictions: list[tuple[str, float]], types: list[str | None]) -> tuple[int, int] | None:
    """(correct, total) over the rows that have a type; None when none has."""
    pairs = [(predicted, kind) for (predicted, _), kind in zip(predictions, types) if kind is not None]
    return (sum(predicted == kind for predicted, kind in pairs), len(pairs)) if pairs else None


def _inputs(args) -> tuple[list[str], list[str | None]]:
    from woq_tui.store.import_limits import ImportFileError

    if (args.text is None) == (args.file is None):
        raise UsageError(t("classifier.classify.text_or_file"))
    if args.text is not None:
        return [args.text], [None]
    try:
        summaries, types = read_summaries(args.file)
    except ImportFileError as exc:
        raise _Unreadable(t("classifier.classify.cannot_read", path=args.file, error=exc)) from None
    if not summaries:
        raise UsageError(t("classifier.classify.empty", path=args.file))
    return summaries, types


class _Unreadable(Exception):
    pass


def run(args, settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.classifier import load_model
    from woq_tui.commands._common import open_database
    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.db import describe_url

    try:
        summaries, types = _inputs(args)
    except UsageError as exc:
        print(f"woq-console classify: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except _Unreadable as exc:
        print(f"woq-console classify: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    engine = open_database(args, settings, upgrade=False, must_exist=True)
    try:
        model, reason = load_model(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        engine.dispose()
    if model is None:
        assert reason is not None  # load_model gives a reason with no model
        print(f"woq-console classify: {t(reason)}", file=sys.stderr)
        return EXIT_FAILURE
    predictions = model.predict(summaries)
    accuracy = accuracy_of(predictions, types)
    if args.format == "json":
        from woq_tui.reporting.classifier_text import predictions_document

        text = json.dumps(predictions_document(summaries, predictions, accuracy), ensure_ascii=False, indent=2) + "\n"
    else:
        from woq_tui.reporting.classifier_text import predictions_text

        text = predictions_text(summaries, predictions, accuracy)
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return EXIT_OK
