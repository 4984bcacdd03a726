"""What says whether a database's schema is current, readable without SQLAlchemy or
Alembic: the newest migration's revision (from the scripts' text) and the header mark
a large import sets while the figure indexes are dropped. The schema check of every
command (store/db.py) and the head start's direct read (store/first_page.py) use them.
"""

from __future__ import annotations

import re
from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"

# PRAGMA user_version while the figure indexes are dropped (store/figure_indexes.py;
# nothing else uses it).
DROPPED_MARK = 1

_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(?:None|['\"]([^'\"]+)['\"])\s*$", re.M)


def script_head() -> str | None:
    """The newest revision of the migration scripts, read from their `revision` and
    `down_revision` lines without importing Alembic (≈100 ms of the console's start).
    None when that is not plain (a branch, a merge, a line it cannot read): ask Alembic."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        if "revision" not in text:
            continue  # __init__.py
        found, parent = _REVISION.search(text), _DOWN.search(text)
        if found is None or parent is None:
            return None
        revisions.add(found.group(1))
        if parent.group(1):
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
