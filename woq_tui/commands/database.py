"""woq-console db upgrade: create the schema in a new database, or migrate an older
one; says which it did."""

from __future__ import annotations

from woq_tui.commands._common import open_database
from woq_tui.i18n import t


def run(args, settings) -> int:
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
