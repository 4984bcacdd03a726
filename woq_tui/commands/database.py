"""woq-console db upgrade: create the schema in a new database, or migrate an older
one; says which it did. db rollup: build or refresh the station × day rollup
(store/day_rollup_refresh.py) in the configured zone."""

from __future__ import annotations

from woq_tui.commands._common import open_database
from woq_tui.i18n import t


def run(args, settings) -> int:
    if args.db_command == "rollup":
        return _rollup(args, settings)
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.db import current_revision, describe_url, head_revision, upgrade

    engine = open_database(args, settings, upgrade=False)
    db = describe_url(str(engine.url))
    try:
        try:
            before = current_revision(engine)
        except SQLAlchemyError as exc:
            raise DatabaseError(f"{db}: {first_line(exc)}") from None
        upgrade(engine)
        after = head_revision()
    finally:
        engine.dispose()
    if before is None:
        print(t("cli.db_created", db=db))
    elif before != after:
        print(t("cli.db_migrated", old=before, new=after, db=db))
    else:
        print(t("cli.db_upgraded", db=db))
    return 0


def _rollup(args, settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.day_rollup_refresh import refresh
    from woq_tui.store.db import describe_url

    engine = open_database(args, settings)
    db = describe_url(str(engine.url))
    try:
        done = refresh(engine, settings.tz)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{db}: {first_line(exc)}") from None
    finally:
        engine.dispose()
    how = t("cli.db_rollup_built" if done.rebuilt else "cli.db_rollup_refreshed")
    print(t("cli.db_rollup", how=how, days=done.days, entries=done.entries, seconds=done.seconds, db=db))
    return 0
