"""woq-console db upgrade"""

from __future__ import annotations

from woq_tui.commands._common import open_database
from woq_tui.i18n import t
from woq_tui.store.db import describe_url, upgrade


def run(args, settings) -> int:
    engine = open_database(args, settings, upgrade=False)
    upgrade(engine)
    print(t("cli.db_upgraded", db=describe_url(str(engine.url))))
    return 0
