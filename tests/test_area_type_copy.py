"""ticket.area_type, the ticket's copy of its station's area type that the area p90s walk
(migration 0009, docs/speed.md "Type and area percentiles"): the database's triggers keep
it right for every writer, on both databases. One test per way it can go stale: a new
ticket, a ticket moved to another station, a station whose area type changes; through
the writers that do these (plain SQL, the importer, the dispatch service, the generator)
and the migration's fill of the tickets stored before it."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

from alembic import command
from sqlalchemy import text

from tests.factories import add_all, station, ticket
from tests.test_import import ROWS, ZH_HEADER, write_csv
from woq_tui.cli import main
from woq_tui.dispatch.server_service import DispatchService
from woq_tui.domain.models import Ticket
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import _alembic_config, make_engine, upgrade
from woq_tui.store.importer import import_file

UTC = timezone.utc
CREATED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def copies(engine) -> dict[str, tuple[str | None, str]]:
    """ticket_no -> (the ticket's area_type, its station's area_type)."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT t.ticket_no, t.area_type, s.area_type FROM ticket t JOIN station s ON s.code = t.station_code"
        ))
        return {number: (copy, truth) for number, copy, truth in rows}


def assert_all_right(engine) -> dict[str, str | None]:
    found = copies(engine)
    assert found and all(copy == truth for copy, truth in found.values()), found
    return {number: copy for number, (copy, _truth) in found.items()}


def test_new_moved_and_reclassified_stations_through_plain_sql(engine):
    add_all(engine, station("S001", area_type="urban"), station("S002", "西青农村供电所", "rural", "xqnc"))
    add_all(engine, ticket(CREATED, ticket_no="A1", station_code="S001"), ticket(CREATED, ticket_no="A2", station_code="S002"))
    assert assert_all_right(engine) == {"A1": "urban", "A2": "rural"}
    with engine.begin() as connection:
        connection.execute(text("UPDATE ticket SET station_code = 'S002' WHERE ticket_no = 'A1'"))
        # a writer that sets the copy itself cannot set it wrong
        connection.execute(text("UPDATE ticket SET area_type = 'remote' WHERE ticket_no = 'A2'"))
    assert assert_all_right(engine) == {"A1": "rural", "A2": "rural"}
    with engine.begin() as connection:
        connection.execute(text("UPDATE station SET area_type = 'remote' WHERE code = 'S002'"))
        connection.execute(text("UPDATE station SET name = '改名' WHERE code = 'S001'"))  # not the area: nothing to do
    assert assert_all_right(engine) == {"A1": "remote", "A2": "remote"}


def test_the_importer_keeps_it_for_new_moved_and_reclassified(tmp_path, database_url, clock):
    """The importer's two writers: row by row on SQLite, COPY and one merge on PostgreSQL."""
    engine = make_engine(database_url)
    policy = SlaPolicy()
    import_file(write_csv(tmp_path / "monday.csv", ZH_HEADER, ROWS), engine, policy=policy, clock=clock, operator="D1023")
    assert assert_all_right(engine) == {"T001": "urban", "T002": "rural", "T003": "urban"}
    changed = [row[:] for row in ROWS]
    changed[0][2:5] = ["S02", "西青农村供电所", "农村"]  # T001 moves to the rural station
    changed[2][4] = "边远"  # S01 (T003's) becomes remote
    clock.advance(timedelta(hours=1))
    import_file(write_csv(tmp_path / "tuesday.csv", ZH_HEADER, changed), engine, policy=policy, clock=clock, operator="D1023")
    found = assert_all_right(engine)
    engine.dispose()
    assert found == {"T001": "rural", "T002": "rural", "T003": "remote"}


def test_a_reassignment_through_the_dispatch_service_moves_the_area(engine, clock):
    add_all(engine, station("S001", area_type="urban"), station("S002", "西青农村供电所", "rural", "xqnc"))
    add_all(engine, ticket(CREATED, ticket_no="T0001", station_code="S001"))
    payload = {"to_station": "S002", "reason": "地址属西青", "operator": "D1023", "expected_version": 1,
               "requested_at": "2026-11-26T10:15:00+08:00"}
    answer = DispatchService(engine, clock).reassign(str(uuid.uuid4()), "T0001", json.dumps(payload).encode())
    assert answer.status == 200, answer.body
    assert assert_all_right(engine) == {"T0001": "rural"}


def test_the_generator_writes_tickets_with_their_station_area(database_url):
    assert main(["generate", "--db", database_url, "--stations", "6", "--days", "2", "--end", "2026-11-26 10:00"]) == 0
    engine = make_engine(database_url)
    found = assert_all_right(engine)
    engine.dispose()
    assert len(set(found.values())) > 1


def test_the_migration_fills_stored_tickets_and_its_downgrade_drops_the_column(engine):
    config = _alembic_config(engine)
    command.downgrade(config, "0007")
    add_all(engine, station("S001", area_type="urban"), station("S002", "西青农村供电所", "rural", "xqnc"))
    columns = [c.name for c in Ticket.__table__.c if c.name not in ("id", "area_type")]
    with engine.begin() as connection:
        for number, code in (("B1", "S001"), ("B2", "S002")):
            values = ticket(CREATED, ticket_no=number, station_code=code).model_dump()
            values.update(created_at=int(CREATED.timestamp()), updated_at=int(CREATED.timestamp()),
                          due_at=int(CREATED.timestamp()) + 3600, version=1)
            connection.execute(text(f"INSERT INTO ticket ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"),
                               {c: values.get(c) for c in columns})
    command.upgrade(config, "head")
    assert assert_all_right(engine) == {"B1": "urban", "B2": "rural"}
    command.downgrade(config, "0007")
    with engine.connect() as connection:
        assert "area_type" not in connection.execute(text("SELECT * FROM ticket")).keys()
        connection.execute(text("UPDATE station SET area_type = 'remote'"))  # no trigger left to fail
        connection.rollback()
    command.upgrade(config, "head")
    assert assert_all_right(engine) == {"B1": "urban", "B2": "rural"}  # filled again, the triggers back


def test_sqlites_bulk_writers_give_the_copy_themselves(tmp_path, clock):
    """The importer's and the generator's SQLite writers set area_type as they insert, so
    that the AFTER INSERT trigger finds it right and updates no row (a CSV year's first
    import: 32.5 s with that UPDATE of every row; docs/speed.md). Shown with the trigger
    dropped: the copies are right all the same."""
    for name in ("import", "generate"):
        url = f"sqlite:///{tmp_path / name}.db"
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TRIGGER ticket_area_type_insert"))
        if name == "import":
            import_file(write_csv(tmp_path / "rows.csv", ZH_HEADER, ROWS), engine, policy=SlaPolicy(), clock=clock, operator="D1023")
        else:
            assert main(["generate", "--db", url, "--stations", "6", "--days", "2", "--end", "2026-11-26 10:00"]) == 0
        found = assert_all_right(engine)
        engine.dispose()
        assert len(set(found.values())) > 1, name
