"""address_tally (migration 0014): the tickets at each address that has had more than
one, so that station_suspect looks up only the cohort's addresses that may be busy
(docs/audit.md, "Speed"). PostgreSQL only; on SQLite the table stays empty and unread.

Kept by the rollup's refresh (store/day_rollup_refresh.py), in its transaction: built
whole when the rollup is built, and each logged address counted again from the tickets
when its entry is consumed. Between two refreshes an address in the log may hold more
tickets than its count says, so a read takes every logged address as possibly busy
(`possibly_busy`): the tally narrows the lookups, never what the rule finds.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ARRAY, Connection, Select, String, any_, bindparam, delete, func, insert, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from woq_tui.domain.models import AddressTally
from woq_tui.domain.tables import table_of
from woq_tui.store.day_rollup import DIRTY, TICKET, built_zone

TALLY = table_of(AddressTally)
FOLD_CHUNK = 5000
# A recount costs ~36 µs an address, a whole build ~2.7 µs a ticket (10M tickets, 100,000
# addresses: 3.65 s; the build 27 s): past one logged address per REBUILD_RATIO tickets,
# the refresh builds the tally whole
REBUILD_RATIO = 13
# work_mem for the whole build's grouping, set for the refresh's transaction only (docs/speed.md,
# "Session settings"): 6.3M addresses at 10M tickets; at the default 4 MB it sorts on disk
BUILD_WORK_MEM = "256MB"


def kept(connection: Connection) -> bool:
    """Whether this database keeps the tally: PostgreSQL."""
    return connection.dialect.name == "postgresql"


def build(connection: Connection) -> None:
    """Every address with more than one ticket, counted afresh (the rollup's first build)."""
    connection.exec_driver_sql(f"SET LOCAL work_mem = '{BUILD_WORK_MEM}'")
    connection.execute(delete(TALLY))
    # in key order: the primary key's entries then go in at its right edge, and the
    # count's index's within each count (unordered: 55 s at 10M)
    counts = _counts(TICKET.c.address_key.is_not(None)).order_by(TICKET.c.address_key)
    connection.execute(insert(TALLY).from_select(["address_key", "tickets"], counts))
    connection.exec_driver_sql("ANALYZE address_tally")  # the reads' plans count on it at once


def fold(connection: Connection, addresses: Iterable[str | None]) -> None:
    """Count these (logged) addresses again from the tickets; or all of them, when that
    is cheaper (an import's log: a new year's 250,000 addresses)."""
    keys = sorted({address for address in addresses if address is not None})
    if not keys:
        return
    if len(keys) * REBUILD_RATIO > _tickets_estimate(connection):
        build(connection)
        return
    for start in range(0, len(keys), FOLD_CHUNK):
        _recount(connection, keys[start : start + FOLD_CHUNK])


def _tickets_estimate(connection: Connection) -> float:
    """The planner's count of tickets (-1 before the table's first ANALYZE)."""
    return float(connection.exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'ticket'::regclass").scalar_one())


def _recount(connection: Connection, addresses: list[str]) -> None:
    # one array parameter, not an IN list of 5,000 (PostgreSQL plans it once)
    keys = bindparam("keys", addresses, type_=ARRAY(String))
    connection.execute(delete(TALLY).where(TALLY.c.address_key == any_(keys)))
    connection.execute(insert(TALLY).from_select(["address_key", "tickets"], _counts(TICKET.c.address_key == any_(keys))))


def _counts(where: ColumnElement[bool]) -> Select[tuple[str, int]]:
    c = TICKET.c
    return select(c.address_key, func.count()).where(where).group_by(c.address_key).having(func.count() > 1)


def possibly_busy(address: ColumnElement[str], more_than: int) -> ColumnElement[bool]:
    """`address` has more than `more_than` tickets by the tally, or is logged since its count."""
    many = select(TALLY.c.address_key).where(TALLY.c.tickets > literal(more_than, literal_execute=True))
    return or_(address.in_(many), address.in_(select(DIRTY.c.address_key).where(DIRTY.c.address_key.is_not(None))))


def usable(connection: Connection) -> bool:
    """Whether a read may narrow by the tally: PostgreSQL with the rollup built (in any zone)."""
    return kept(connection) and built_zone(connection) is not None
