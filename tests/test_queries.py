"""Read models and the queue's writes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update
from sqlmodel import Session

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from woq_tui.config import parse_settings
from woq_tui.domain.models import OutboxEntry, Ticket, TicketEvent
from woq_tui.domain.privacy import mask_phone
from woq_tui.store import actions, queries, ticket_queries
from woq_tui.values.queue import Kpis, QueueFilter, QueueSort, sort_key
from woq_tui.values.tickets import Section

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def policy():
    return parse_settings({}).sla_policy()


@pytest.fixture
def data(engine):
    """Six open tickets at known distances from NOW, one resolved."""
    add_all(
        engine,
        station("S001", "东丽城东供电所", "urban", "dlcd"),
        station("S002", "西青农村供电所", "rural", "xqnc"),
        station("S003", "Remote_Hill", "remote", "rh"),
    )
    rows = [
        # (no, type, station, status, created, due) relative to NOW
        ticket(NOW - 5 * H, ticket_no="A-overdue-2h", due_at=NOW - 2 * H, station_code="S001", summary="小区停电"),
        ticket(NOW - 4 * H, ticket_no="B-overdue-10m", due_at=NOW - 10 * M, station_code="S002",
               type="complaint", escalated=True, summary="投诉抢修慢", address="西青区大寺镇"),
        ticket(NOW - 3 * H, ticket_no="C-left-20m", due_at=NOW + 20 * M, station_code="S002",
               status="new", dispatch_count=2, summary="电压低"),
        ticket(NOW - 1 * H, ticket_no="D-left-50m", due_at=NOW + 50 * M, station_code="S003",
               type="consultation", status="in_progress", reopen_count=1, summary="Meter 100%_check"),
        ticket(NOW - 30 * M, ticket_no="E-left-3h", due_at=NOW + 3 * H, station_code="S001", status="accepted"),
        ticket(NOW - 10 * M, ticket_no="F-no-due", due_at=None, station_code="S003", type="praise", summary="表扬"),
        ticket(NOW - 6 * H, ticket_no="Z-resolved", due_at=NOW - 3 * H, resolved_at=NOW - 4 * H,
               status="resolved", station_code="S001"),
    ]
    add_all(engine, *rows)
    return rows


def numbers(rows):
    return [row.ticket_no for row in rows]


def page(engine, **kwargs):
    with Session(engine) as session:
        return queries.queue_page(session, **kwargs)


def test_queue_is_open_tickets_most_urgent_first(engine, data):
    result = page(engine)
    assert numbers(result.rows) == ["A-overdue-2h", "B-overdue-10m", "C-left-20m", "D-left-50m", "E-left-3h", "F-no-due"]
    assert result.total == 6 and result.complete
    first = result.rows[0]
    assert (first.station_name, first.area_type, first.summary) == ("东丽城东供电所", "urban", "小区停电")
    assert first.created_at == NOW - 5 * H and first.due_at.tzinfo is not None


@pytest.mark.parametrize("sort", list(QueueSort))
@pytest.mark.parametrize("reverse", [False, True])
def test_sql_order_and_python_sort_key_agree(engine, data, sort, reverse):
    rows = page(engine, sort=sort, reverse=reverse).rows
    assert rows == sorted(rows, key=sort_key(sort), reverse=reverse)


def test_keyset_paging_continues_where_the_last_page_ended(engine, data):
    for sort in QueueSort:
        for reverse in (False, True):
            first = page(engine, sort=sort, reverse=reverse, limit=4)
            assert not first.complete and first.total == 6 and len(first.rows) == 4
            after = sort_key(sort)(first.rows[-1])
            rest = page(engine, sort=sort, reverse=reverse, limit=4, after=after)
            assert rest.complete
            assert numbers(first.rows + rest.rows) == numbers(page(engine, sort=sort, reverse=reverse).rows)


def test_paging_one_row_at_a_time_crosses_from_due_times_to_none(engine, data):
    """The urgency order is read in two parts (with a due time, then without): a page
    may end in either, and the next continues exactly after it, both directions."""
    add_all(engine, ticket(NOW - 20 * M, ticket_no="G-no-due", due_at=None, station_code="S001"))
    for sort in QueueSort:
        for reverse in (False, True):
            whole = numbers(page(engine, sort=sort, reverse=reverse).rows)
            walked, after = [], None
            while True:
                one = page(engine, sort=sort, reverse=reverse, limit=1, after=after)
                walked += numbers(one.rows)
                if one.complete:
                    break
                after = sort_key(sort)(one.rows[-1])
            assert walked == whole and len(whole) == 7, (sort, reverse)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("dlcd", ["A-overdue-2h", "E-left-3h"]),  # pinyin initials of 东丽城东
        ("DLCD", ["A-overdue-2h", "E-left-3h"]),
        ("城东", ["A-overdue-2h", "E-left-3h"]),  # station name
        ("大寺", ["B-overdue-10m"]),  # address
        ("抢修", ["B-overdue-10m"]),  # summary
        ("c-left", ["C-left-20m"]),  # ticket number, any case
        ("100%_", ["D-left-50m"]),  # LIKE wildcards are literal
        ("xqnc 电压", ["C-left-20m"]),  # every word must match
        ("nothing-like-this", []),
    ],
)
def test_search(engine, data, search, expected):
    assert numbers(page(engine, filt=QueueFilter(search=search)).rows) == expected


def test_filters_combine(engine, data):
    assert numbers(page(engine, filt=QueueFilter(types=frozenset({"complaint", "praise"}))).rows) == [
        "B-overdue-10m",
        "F-no-due",
    ]
    assert numbers(page(engine, filt=QueueFilter(areas=frozenset({"rural"}))).rows) == ["B-overdue-10m", "C-left-20m"]
    assert numbers(page(engine, filt=QueueFilter(stations=frozenset({"S001"}), statuses=frozenset({"accepted"}))).rows) == [
        "E-left-3h"
    ]
    assert not QueueFilter().active and QueueFilter(search=" x ").active


def test_changes_since_the_watermark(engine, data):
    with Session(engine) as session:
        start = queries.changes_since(session, None)
    assert start.rows == [] and start.watermark == NOW - 10 * M  # the newest updated_at
    later = NOW + 5 * M
    with Session(engine) as session:
        session.execute(
            update(Ticket)
            .where(Ticket.ticket_no == "C-left-20m")
            .values(status="resolved", resolved_at=later, updated_at=later, version=Ticket.version + 1)
        )
        session.execute(
            update(Ticket)
            .where(Ticket.ticket_no == "E-left-3h")
            .values(station_code="S002", updated_at=later, version=Ticket.version + 1)
        )
        session.commit()
    with Session(engine) as session:
        changes = queries.changes_since(session, start.watermark, QueueFilter(stations=frozenset({"S001"})))
    by_no = {changed.row.ticket_no: changed for changed in changes.rows}
    assert changes.watermark == later
    # F was last changed at the old watermark: re-read by the overlap, harmless.
    assert set(by_no) == {"C-left-20m", "E-left-3h", "F-no-due"}
    assert not by_no["C-left-20m"].visible and not by_no["C-left-20m"].row.is_open
    assert not by_no["E-left-3h"].visible  # left station S001
    assert by_no["E-left-3h"].row.version == 2
    with Session(engine) as session:
        assert queries.changes_since(session, later + timedelta(seconds=10)).rows == []


def test_too_many_changes_ask_for_a_reload(engine, data, monkeypatch):
    monkeypatch.setattr(queries, "MAX_CHANGES", 3)
    with Session(engine) as session:
        changes = queries.changes_since(session, NOW - 10 * H)
    assert changes.overflow and changes.rows == [] and changes.watermark == NOW - 10 * M


def test_kpis_are_counted_in_sql(engine, data, policy, clock):
    with Session(engine) as session:
        session.add(TicketEvent(ticket_id=_id(session, "B-overdue-10m"), kind="escalated", at=NOW - 30 * M))
        session.execute(update(Ticket).where(Ticket.ticket_no == "B-overdue-10m").values(updated_at=NOW - 30 * M))
        session.add(
            OutboxEntry(id="x1", ticket_no="C-left-20m", to_station="S001", reason="r", operator="D1",
                        expected_version=1, requested_at=NOW, updated_at=NOW)
        )
        session.commit()
        result = queries.kpis(session, NOW, policy)
    # at risk: C (20 min left of 3h20 — under 30 min), D (50 min left of 1h50, under a quarter? no: 27.5 min,
    # but 50 > 30 → ok). E: 3h of 3h30 → ok.
    assert result == Kpis(open=6, overdue=2, at_risk=1, escalated_today=1, new_last_hour=2, outbox_pending=1)


def test_outbox_marks_are_the_latest_entry_of_each_ticket_asked(engine, data):
    """On PostgreSQL in one statement whose text does not depend on how many tickets
    are asked (an array parameter): many consoles ask for 500 on a KPI tick."""
    asked = [f"N{index:04d}" for index in range(1200)] + ["A-overdue-2h", "C-left-20m"]
    with Session(engine) as session:
        for number, (ticket_no, state, at) in enumerate(
            [("C-left-20m", "failed", NOW - H), ("C-left-20m", "confirmed", NOW), ("N0999", "pending", NOW),
             ("F-no-due", "pending", NOW)]
        ):
            session.add(OutboxEntry(id=f"e{number}", ticket_no=ticket_no, to_station="S001", reason="r", operator="D1",
                                    expected_version=1, state=state, requested_at=at, updated_at=at))
        session.commit()
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _k, sql, *_rest: statements.append(sql))
    with Session(engine) as session:
        marks = queries.outbox_marks(session, asked)
        few = queries.outbox_marks(session, ["C-left-20m"])
        none = queries.outbox_marks(session, [])
    assert {no: mark.state for no, mark in marks.items()} == {"C-left-20m": "confirmed", "N0999": "pending"}
    assert few == {"C-left-20m": marks["C-left-20m"]} and none == {}
    if engine.dialect.name == "postgresql":
        assert len(statements) == 2 and statements[0] == statements[1]
    else:
        assert len(statements) == 3  # batches of MARKS_BATCH, then one


def test_sections_of_the_overdue_screen(engine, data, policy):
    with Session(engine) as session:
        got = ticket_queries.sections(session, NOW, policy)
    assert numbers(got[Section.overdue].rows) == ["A-overdue-2h", "B-overdue-10m"]
    assert numbers(got[Section.due_soon].rows) == ["C-left-20m", "D-left-50m"]
    assert numbers(got[Section.escalated].rows) == ["B-overdue-10m"]
    assert numbers(got[Section.repeat].rows) == ["C-left-20m", "D-left-50m"]
    soon = got[Section.due_soon]
    assert soon.total == 2
    assert [(c.station_code, c.count) for c in soon.by_station] == [("S002", 1), ("S003", 1)]
    assert [(c.station_name, c.count) for c in got[Section.overdue].by_station] == [("东丽城东供电所", 1), ("西青农村供电所", 1)]


def test_warn_minutes_widen_the_due_soon_list(engine, data):
    wide = parse_settings({"sla": {"warn_minutes": 240}}).sla_policy()
    with Session(engine) as session:
        assert numbers(ticket_queries.section(session, Section.due_soon, NOW, wide).rows) == [
            "C-left-20m", "D-left-50m", "E-left-3h",
        ]


def test_ticket_detail_with_events(engine, data, clock):
    with Session(engine) as session:
        ticket_id = _id(session, "B-overdue-10m")
        session.add_all(
            [
                TicketEvent(ticket_id=ticket_id, kind="created", at=NOW - 4 * H),
                TicketEvent(ticket_id=ticket_id, kind="dispatched", at=NOW - 4 * H + M, operator="D1",
                            to_station="S002"),
            ]
        )
        session.commit()
        detail = ticket_queries.ticket_detail(session, "B-overdue-10m")
        assert ticket_queries.ticket_detail(session, "nope") is None
    assert detail.row.type == "complaint" and detail.address == "西青区大寺镇"
    assert detail.customer_phone == "13812341234"
    assert [event.kind for event in detail.events] == ["created", "dispatched"]
    assert detail.events[1].to_station == "S002" and detail.more_events == 0


def test_urge_records_events_on_open_tickets_only(engine, data, clock, context):
    result = actions.urge(context.store.sessions, clock, "D1023", ["A-overdue-2h", "Z-resolved", "nope", "A-overdue-2h"])
    assert result.urged == ["A-overdue-2h"] and result.skipped == ["Z-resolved", "nope"]
    with Session(engine) as session:
        events = session.execute(select(TicketEvent.kind, TicketEvent.operator, TicketEvent.at)).all()
        version = session.scalar(select(Ticket.version).where(Ticket.ticket_no == "A-overdue-2h"))
    assert events == [("urged", "D1023", NOW)]
    assert version == 1  # an urge does not touch the ticket itself


def test_reveal_phone_records_who_saw_it(engine, data, clock, context):
    assert actions.reveal_phone(context.store.sessions, clock, "D1023", "A-overdue-2h") == "13812341234"
    assert actions.reveal_phone(context.store.sessions, clock, "D1023", "nope") is None
    with Session(engine) as session:
        assert session.execute(select(TicketEvent.kind, TicketEvent.operator)).all() == [("phone_revealed", "D1023")]


def test_mask_phone():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("022-2345678") == "022****5678"
    assert mask_phone("95598") == "*5598"
    assert mask_phone("") == "" and mask_phone(None) == ""


def test_station_choices(engine, data):
    with Session(engine) as session:
        assert [s.initials for s in ticket_queries.stations(session)] == ["dlcd", "xqnc", "rh"]
        assert ticket_queries.station_names(session, ["S002"]) == {"S002": "西青农村供电所"}


def _id(session, number):
    return session.scalar(select(Ticket.id).where(Ticket.ticket_no == number))


def test_a_future_dated_ticket_is_not_new(engine, data, policy):
    """A ticket stamped in 2199 (a clock or an export gone wrong) is open but not "new
    in the last hour" (issue 16, item 12)."""
    from datetime import datetime, timezone

    future = datetime(2199, 1, 1, tzinfo=timezone.utc)
    add_all(engine, ticket(future, ticket_no="Y-future", due_at=future + 4 * H, station_code="S001"))
    with Session(engine) as session:
        result = queries.kpis(session, NOW, policy)
    assert result.new_last_hour == 2 and result.open == 7


def test_sqlite_reads_a_filtered_or_sorted_queue_through_the_open_tickets_index(sqlite_url):
    """SQLite keeps no histogram: with many closed tickets it read `type IN (…)` and the
    type order through ix_ticket_type_created, every ticket of the type, to find the
    open few (0.55 s at 1M tickets). The filter and the orders keep the type, station and
    creation time off their whole-table indexes, so it reads the open tickets' partial
    index (store/queries.py `_open_side`)."""
    from woq_tui.store.db import make_engine

    engine = make_engine(sqlite_url)
    add_all(engine, station("S001", "东丽城东供电所", "urban"), station("S002", "西青农村供电所", "rural"))
    closed = [ticket(NOW - timedelta(days=n % 300, minutes=n), station_code=("S001", "S002")[n % 2],
                     type=("repair", "complaint", "consult")[n % 3], resolved_at=NOW - timedelta(days=n % 300))
              for n in range(3000)]  # fmt: skip
    add_all(engine, *closed, *[ticket(NOW - timedelta(minutes=n), type="repair") for n in range(20)])
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    plans: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def explain(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT ticket.id") and "LIMIT" in statement:
            plans.extend(row[-1] for row in cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters))

    first = page(engine, filt=QueueFilter(types=frozenset({"repair"}), stations=frozenset({"S001"})), sort=QueueSort.type)
    page(engine, sort=QueueSort.type, after=sort_key(QueueSort.type)(first.rows[0]))
    page(engine, sort=QueueSort.age)
    tickets = [plan for plan in plans if "ticket USING" in plan or "SCAN ticket" in plan]
    assert tickets and all("ix_ticket_open_due" in plan for plan in tickets), tickets
    engine.dispose()
