"""One notification per reassignment request (screens/reassign_notices.py), with the
answers an outbox cycle left unfinished told as they come."""

from __future__ import annotations

from woq_tui.reassign_notices import ReassignNotices, notice_for
from woq_tui.values.outbox import OutboxChange


def change(number: int, state: str, **values) -> OutboxChange:
    return OutboxChange(f"e{number}", f"T{number:04d}", "S003", state, 1, **values)


def test_a_request_is_told_once_all_its_answers_are_in():
    told = []
    notices = ReassignNotices(told.append, "WOQ_DISPATCH_TOKEN")
    notices.expect(["e1", "e2", "e3", "e4", "e5"])
    answers = [change(1, "confirmed"), change(2, "failed", last_error="HTTP 503"), change(3, "confirmed"),
               change(4, "failed", last_error="HTTP 503"), change(5, "refused", body={"error": "forbidden"},
                                                                 last_error="HTTP 403")]
    for answer in answers[:-1]:
        notices.answer(answer, notice_for(answer, "WOQ_DISPATCH_TOKEN"))
    assert told == []
    notices.answer(answers[-1], notice_for(answers[-1], "WOQ_DISPATCH_TOKEN"))
    assert len(told) == 1 and told[0].severity == "error" and told[0].timeout == 12
    assert told[0].message.splitlines() == [
        "2 tickets reassigned to S003",
        "Ticket T0005 refused: the dispatch API refused the token. Check the token in WOQ_DISPATCH_TOKEN",
        "2 tickets → S003: failed after every attempt (T0002, T0004; the dispatch API failed (HTTP 503)); retry them in the outbox (5)",
    ]


def test_what_a_cycle_left_unanswered_does_not_hold_back_the_rest():
    told = []
    notices = ReassignNotices(told.append, "WOQ_DISPATCH_TOKEN")
    notices.expect(["e1", "e2", "e3"])
    for number in (1, 2):
        notices.answer(change(number, "confirmed"), notice_for(change(number, "confirmed"), "X"))
    notices.cycle_ended()  # e3 was dropped meanwhile, say, or another console has it
    assert [notice.message for notice in told] == ["2 tickets reassigned to S003"]
    notices.answer(change(3, "confirmed"), notice_for(change(3, "confirmed"), "X"))
    assert [notice.message for notice in told][-1] == "Ticket T0003 reassigned to S003"
    notices.cycle_ended()
    assert len(told) == 2


def test_an_entry_this_console_did_not_request_is_told_alone():
    told = []
    notices = ReassignNotices(told.append, "X")
    notices.expect(["e1"])  # one ticket: nothing to gather
    notices.answer(change(1, "conflict", body={"current_station": "S002", "current_version": 3}),
                   notice_for(change(1, "conflict", body={"current_station": "S002", "current_version": 3}), "X"))
    notices.answer(change(9, "confirmed"), notice_for(change(9, "confirmed"), "X"))
    assert [notice.message for notice in told] == [
        "Ticket T0001 not reassigned: changed meanwhile (now at S002, version 3)",
        "Ticket T0009 reassigned to S003",
    ]
