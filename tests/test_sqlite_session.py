"""What the product sets for its own SQLite connections (store/db.py `_sqlite_pragmas`;
docs/speed.md, "SQLite reads through a memory map")."""

from __future__ import annotations

from sqlalchemy import text

from tests.factories import add_all, station
from woq_tui.store.db import SQLITE_MMAP_BYTES, make_engine, upgrade


def test_every_connection_reads_through_a_memory_map_and_sees_the_others_writes(tmp_path):
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    reader, writer = make_engine(url), make_engine(url)
    try:
        upgrade(writer)
        with reader.connect() as first, reader.connect() as second:
            assert first.exec_driver_sql("PRAGMA mmap_size").scalar_one() == SQLITE_MMAP_BYTES
            assert second.exec_driver_sql("PRAGMA mmap_size").scalar_one() == SQLITE_MMAP_BYTES
            assert first.execute(text("SELECT count(*) FROM station")).scalar_one() == 0
            first.rollback()
            # another connection's commit (WAL) is read through the map the same
            add_all(writer, station("S001"))
            assert first.execute(text("SELECT code FROM station")).scalars().all() == ["S001"]
    finally:
        reader.dispose()
        writer.dispose()
