"""The keyed, sorted, bounded window behind the ticket tables (no UI, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.conftest import NOW
from woq_tui.values.queue import ChangedRow, OutboxMark, QueueRow, QueueSort, sort_key
from woq_tui.widgets.ticket_window import CONFIRMED_SHOWN, OutboxMarks, TicketWindow


def row(i: int, due_minutes: int, **changes) -> QueueRow:
    base = QueueRow(
        id=i, ticket_no=f"T{i}", type="repair", station_code="S1", station_name="东丽城东供电所", station_initials="dlcd",
        area_type="urban",
        status="new", created_at=NOW - timedelta(hours=1), due_at=NOW + timedelta(minutes=due_minutes),
        escalated=False, dispatch_count=1, reopen_count=0, summary="", version=1, updated_at=NOW,
    )
    return replace(base, **changes)


def numbers(window) -> list[str]:
    return [r.ticket_no for r in window]


def test_changes_are_placed_by_key_and_seen_twice_changes_nothing():
    window = TicketWindow(sort_key(QueueSort.urgency))
    window.replace([row(1, 10), row(2, 20), row(3, 30)], complete=True)
    applied = window.apply([ChangedRow(row(4, 15), True), ChangedRow(row(1, 40, version=2), True),
                            ChangedRow(row(2, 20), False)])
    assert numbers(window) == ["T4", "T3", "T1"]
    assert (applied.added, applied.updated, applied.removed) == (["T4"], ["T1"], ["T2"])
    again = window.apply([ChangedRow(row(4, 15), True), ChangedRow(row(1, 40, version=2), True)])
    assert not again.changed
    assert window.position("T1") == 2 and window.position("nope") is None


def test_an_incomplete_window_ignores_rows_past_its_last_fetched_key():
    window = TicketWindow(sort_key(QueueSort.urgency))
    window.replace([row(1, 10), row(2, 20)], complete=False)  # more exist beyond T2
    window.apply([ChangedRow(row(5, 90), True), ChangedRow(row(6, 5), True)])
    assert numbers(window) == ["T6", "T1", "T2"]
    window.apply([ChangedRow(row(1, 95, version=2), True)])  # moved past the boundary: not ours any more
    assert numbers(window) == ["T6", "T2"]
    window.extend([row(7, 30), row(1, 95, version=2)], complete=True)
    assert numbers(window) == ["T6", "T2", "T7", "T1"]


def test_reversed_and_resorted():
    window = TicketWindow(sort_key(QueueSort.urgency), reverse=True)
    window.replace([row(3, 30), row(2, 20), row(1, 10)], complete=True)
    assert numbers(window) == ["T3", "T2", "T1"]
    assert window.row_at(0).ticket_no == "T3" and window.position("T1") == 2
    window.apply([ChangedRow(row(4, 25), True)])
    assert numbers(window) == ["T3", "T4", "T2", "T1"]
    window.resort(sort_key(QueueSort.age), reverse=False)
    assert len(window) == 4 and window.boundary is None


def test_a_page_in_a_new_order_replaces_the_rows_held_in_that_order():
    window = TicketWindow(sort_key(QueueSort.urgency))
    window.replace([row(1, 10), row(2, 20), row(3, 30)], complete=False)
    window.stop_paging()  # a new order is being read
    assert window.boundary is None and numbers(window) == ["T1", "T2", "T3"]
    # the new order's first page (by age, newest first): T3 as it was, T2 changed, T4
    # new, T1 not among them
    page = [row(3, 30), row(2, 20, created_at=NOW - timedelta(hours=4), version=2),
            row(4, 5, created_at=NOW - timedelta(hours=5))]
    applied = window.replace(page, complete=False, key=sort_key(QueueSort.age), reverse=True)
    assert numbers(window) == ["T3", "T2", "T4"] and window.reverse
    assert (applied.added, applied.updated, applied.removed) == (["T4"], ["T2"], ["T1"])
    assert window.position("T4") == 2 and window.boundary == sort_key(QueueSort.age)(page[-1])
    # a change is then placed by the new order
    window.apply([ChangedRow(row(5, 60, created_at=NOW - timedelta(minutes=200)), True)])
    assert numbers(window) == ["T3", "T5", "T2", "T4"]


def test_outbox_marks_keep_the_newer_word_and_let_confirmed_ones_go():
    marks = OutboxMarks()
    asked_at = marks.generation  # a fetch starts
    assert marks.changed("T1", "pending", NOW)  # the pusher reports meanwhile
    assert marks.changed("T1", "confirmed", NOW)
    assert not marks.changed("T1", "confirmed", NOW + timedelta(minutes=5))  # nothing new
    # The fetch that started before the messages read "pending": it does not win.
    marks.loaded(asked_at, ["T1", "T2"], {"T1": OutboxMark("pending", NOW), "T2": OutboxMark("failed", NOW)})
    assert marks.shown("T1", NOW) == "confirmed" and marks.shown("T2", NOW) == "failed"
    # A later fetch is believed, also when it finds nothing (the entry was dropped).
    marks.loaded(marks.generation, ["T2"], {})
    assert marks.shown("T2", NOW) is None
    # Confirmed stays on the row for an hour; the states that want attention stay.
    assert marks.shown("T1", NOW + CONFIRMED_SHOWN - timedelta(seconds=1)) == "confirmed"
    assert marks.shown("T1", NOW + CONFIRMED_SHOWN + timedelta(seconds=1)) is None
    marks.changed("T3", "conflict", NOW)
    assert marks.shown("T3", NOW + timedelta(days=3)) == "conflict"
    marks.forget_except(["T3"])
    assert list(marks) == ["T3"]
