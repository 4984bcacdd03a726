"""woq-console audit train: train the type classifier on the database's own history,
print its accuracy and per-type precision and recall on the held-back fifth, store it
(docs/audit.md, "The classifier and the routing model"; docs/audit-classifier.md).

Writes (the model), so --read-only and viewers are refused before this runs
(commands/_common.py). Too little history: one line, exit 1, nothing stored.
"""

from __future__ import annotations

import sys

from woq_tui.i18n import t

EXIT_OK, EXIT_FAILURE = 0, 1


def run(args, settings, clock=None) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.classifier import train_and_store
    from woq_tui.classifier.training import MIN_TICKETS, NotEnoughHistory
    from woq_tui.commands._common import open_database
    from woq_tui.domain.clock import SystemClock
    from woq_tui.domain.instants import local_minute
    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.reporting.classifier_text import evaluation_lines
    from woq_tui.store.db import describe_url

    engine = open_database(args, settings, must_exist=True)
    trained_at = (clock or SystemClock()).now()
    print(t("classifier.train.reading"), file=sys.stderr, flush=True)
    try:
        evaluation = train_and_store(engine, trained_at, settings.console.operator)
    except NotEnoughHistory as exc:
        line = t("classifier.train.not_enough", tickets=exc.tickets, types=exc.types, minimum=MIN_TICKETS)
        print(f"woq-console audit train: {line}", file=sys.stderr)
        return EXIT_FAILURE
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        engine.dispose()
    lines = [*evaluation_lines(evaluation), "", t("classifier.train.stored", at=local_minute(trained_at, settings.tz))]
    sys.stdout.buffer.write(("\n".join(lines) + "\n").encode("utf-8"))
    sys.stdout.flush()
    return EXIT_OK
