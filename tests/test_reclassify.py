"""Reclassification (docs/dispatch-api.md "Reclassification", docs/dispatch.md): the reference
server's POST /reclassify over real HTTP, the same outbox and pusher as a reassignment
(retries, idempotent replay, a SIGKILL mid-push and resume), and `woq-console
reclassify`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from tests.dispatch_support import (
    TOKEN,
    FailFirst,
    StallAfterApply,
    seed,
    write_config,
)
from tests.test_outbox import push
from tests.test_reassign_cli import cli, environment, woq
from woq_tui.dispatch.outbox import list_entries, outbox_counts, record, record_reclassification
from woq_tui.dispatch.server import create_app, serve_app_in_background
from woq_tui.domain.models import OutboxEntry, Ticket, TicketEvent
from woq_tui.values.outbox import TicketRef

REQUESTED = "2026-11-26T10:15:00+08:00"
# Created Thursday 2026-11-26 10:00 Shanghai; a complaint is resolved within 4 working
# days (docs/sla.md): Wednesday 2026-12-02 10:00.
COMPLAINT_DUE = "2026-12-02T10:00:00+08:00"


def body(to_type="complaint", version=1, reason="客户实为投诉", **extra) -> dict:
    return {"to_type": to_type, "reason": reason, "operator": "D1023", "expected_version": version,
            "requested_at": REQUESTED, **extra}


def post(url, ticket_no="T0001", key="k-1", payload=None, raw: bytes | None = None, action="reclassify"):
    headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": key}
    if raw is not None:
        headers["Content-Type"] = "application/json"
        return httpx.post(f"{url}/tickets/{ticket_no}/{action}", content=raw, headers=headers)
    return httpx.post(f"{url}/tickets/{ticket_no}/{action}", json=body() if payload is None else payload, headers=headers)


def kind_of(engine, ticket_no="T0001") -> tuple[str, int, datetime, list[tuple]]:
    """(type, version, due_at, reclassified events as (from, to, operator, note))."""
    with Session(engine) as session:
        row = session.scalars(select(Ticket).where(Ticket.ticket_no == ticket_no)).one()
        events = session.execute(
            select(TicketEvent.from_type, TicketEvent.to_type, TicketEvent.operator, TicketEvent.note).where(
                TicketEvent.ticket_id == row.id, TicketEvent.kind == "reclassified"
            )
        ).all()
        return row.type, row.version, row.due_at, [tuple(e) for e in events]


def refs(*numbers: str, version: int = 1) -> list[TicketRef]:
    return [TicketRef(number, "S001", version, "repair") for number in numbers]


# -- the reference server ---------------------------------------------------------------


def test_reclassify_sets_the_type_recomputes_due_at_and_records_an_event(engine, server):
    seed(engine)
    response = post(server.url)
    assert response.status_code == 200
    assert response.json() == {"ticket_no": "T0001", "type": "complaint", "due_at": COMPLAINT_DUE, "version": 2}
    kind, version, due_at, events = kind_of(engine)
    assert (kind, version, events) == ("complaint", 2, [("repair", "complaint", "D1023", "客户实为投诉")])
    assert due_at == datetime.fromisoformat(COMPLAINT_DUE)
    # The same key and request again: answered from the store, applied once.
    again = post(server.url)
    assert (again.status_code, again.json(), again.headers.get("Idempotent-Replayed")) == (200, response.json(), "true")
    assert kind_of(engine)[1] == 2


def test_the_area_of_the_ticket_s_station_picks_the_limit(engine, server):
    seed(engine)
    with engine.begin() as connection:  # SQL, not the ORM: the version stays as it is
        connection.execute(update(Ticket.__table__).where(Ticket.ticket_no == "T0001").values(station_code="S003"))
    response = post(server.url, payload=body(to_type="complaint", reason="x"))
    assert response.status_code == 200
    # back to repair on a rural station: 90 min + 4 h after 10:00
    back = post(server.url, key="k-2", payload=body(to_type="repair", version=2, reason="x"))
    assert back.json()["due_at"] == "2026-11-26T15:30:00+08:00"


def test_a_stale_version_is_409_with_the_current_type(engine, server):
    seed(engine)
    response = post(server.url, payload=body(version=0))
    assert response.status_code == 409
    assert response.json() == {"error": "version_conflict", "current_version": 1, "current_station": "S001",
                               "current_type": "repair"}
    assert kind_of(engine)[:2] == ("repair", 1)


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        (body(to_type="repair"), 422, "already of type repair"),
        (body(to_type="fault"), 422, "to_type must be one of"),
        (body(reason="  "), 422, "reason is required"),
        (body(reason="a\u0000b"), 422, "NUL"),
        ({k: v for k, v in body().items() if k != "to_type"}, 422, "missing field(s): to_type"),
        (body(version=True), 422, "expected_version"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(engine, server, payload, status, words):
    seed(engine)
    response = post(server.url, payload=payload)
    assert response.status_code == status and words in response.json()["detail"]
    assert kind_of(engine)[:2] == ("repair", 1)


def test_hostile_requests_are_never_a_500(engine, server):
    seed(engine)
    assert post(server.url, ticket_no="T0404").json() == {"error": "unknown_ticket"}
    assert post(server.url, ticket_no="%00", key="k-nul").status_code == 404
    assert post(server.url, key="k-json", raw=b'{"to_type": ').status_code == 422
    assert post(server.url, key="k-sur", raw=b'{"to_type": "\\ud800"}').status_code == 422
    # One key, two commands: the second is another request, refused.
    assert post(server.url, key="k-both", action="reassign", payload={
        "to_station": "S002", "reason": "r", "operator": "D1", "expected_version": 1, "requested_at": REQUESTED,
    }).status_code == 200
    reused = post(server.url, key="k-both", payload=body(version=2))
    assert (reused.status_code, reused.json()) == (422, {"error": "idempotency_key_reused"})
    assert kind_of(engine)[:2] == ("repair", 2)


# -- the same outbox --------------------------------------------------------------------


def test_one_outbox_carries_both_commands(engine, server, clock):
    seed(engine)
    moved = record(engine, clock, [TicketRef("T0001", "S001", 1)], "S002", "wrong area", "D1023")
    changed = record_reclassification(engine, clock, refs("T0002", "T0003"), "complaint", "客户实为投诉", "D1023")
    assert record_reclassification(engine, clock, refs("T0001"), "repair", "why", "D1023") == []  # already repair
    assert outbox_counts(engine).pending == 3
    changes = push(engine, server.url, clock)
    assert sorted((c.ticket_no, c.kind, c.to_station, c.to_type, c.state) for c in changes) == [
        ("T0001", "reassign", "S002", None, "confirmed"),
        ("T0002", "reclassify", None, "complaint", "confirmed"),
        ("T0003", "reclassify", None, "complaint", "confirmed"),
    ]
    assert {e.id for e in moved + changed} == {e.id for e in list_entries(engine, confirmed_since=clock.now())}
    assert kind_of(engine, "T0002")[:2] == ("complaint", 2)


def test_500_twice_then_200_is_applied_once(engine, clock, token):
    seed(engine)
    record_reclassification(engine, clock, refs("T0001"), "complaint", "why", "D1023")
    flaky = FailFirst(create_app(engine, token, clock), count=2, status=500)
    with serve_app_in_background(flaky) as handle:
        states = [push(engine, handle.url, clock)[0].state for _ in range(3)]
    assert states == ["pending", "pending", "confirmed"] and flaky.seen == 3
    assert kind_of(engine)[:2] == ("complaint", 2) and len(kind_of(engine)[3]) == 1


def test_an_answer_lost_after_the_server_applied_it_is_replayed_not_reapplied(engine, clock, token):
    seed(engine)
    [made] = record_reclassification(engine, clock, refs("T0001"), "complaint", "why", "D1023")
    stall = StallAfterApply(create_app(engine, token, clock))
    with serve_app_in_background(stall) as handle:
        [first] = push(engine, handle.url, clock, dispatch={"timeout_seconds": 1})
        assert first.state == "pending" and stall.applied.is_set()
        [second] = push(engine, handle.url, clock)
    assert second.state == "confirmed" and second.body["version"] == 2
    assert kind_of(engine)[:2] == ("complaint", 2) and len(kind_of(engine)[3]) == 1
    with Session(engine) as session:
        assert session.get(OutboxEntry, made.id).attempts == 2


def test_a_conflict_is_kept_and_not_retried(engine, server, clock):
    seed(engine)
    record_reclassification(engine, clock, refs("T0001", version=0), "complaint", "why", "D1023")
    [change] = push(engine, server.url, clock)
    assert change.state == "conflict" and change.body["current_type"] == "repair"
    assert push(engine, server.url, clock) == []
    assert outbox_counts(engine).conflict == 1


# -- the command line ---------------------------------------------------------------------


def test_reclassify_by_chinese_name_exits_0(engine, database_url, server, tmp_path, capsys):
    seed(engine)
    config = write_config(tmp_path, server.url)
    assert cli(database_url, config, "reclassify", "T0001", "--to", "投诉", "--reason", "客户实为投诉") == 0
    out = capsys.readouterr().out
    assert "reclassified" in out and "Complaint" in out and "2026-12-02T10:00:00+08:00" in out
    assert kind_of(engine)[:2] == ("complaint", 2)


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("T0001", "--to", "repair", "--reason", "x"), 4, "already Repair"),
        (("T0404", "--to", "complaint", "--reason", "x"), 4, "unknown ticket"),
        (("T0001", "--to", "fault", "--reason", "x"), 2, "unknown type 'fault'"),
        (("T0001", "--to", "complaint", "--reason", "  "), 2, "reason is required"),
        (("T0001", "--to", "complaint", "--reason", "x", "--read-only"), 2, "read-only"),
    ],
)
def test_refusals_and_usage_errors_change_nothing(engine, database_url, server, tmp_path, capsys, args, code, words):
    seed(engine)
    config = write_config(tmp_path, server.url)
    assert cli(database_url, config, "reclassify", *args) == code
    assert words in capsys.readouterr().err
    assert kind_of(engine)[:2] == ("repair", 1) and list_entries(engine) == []


def test_a_conflict_says_the_current_type_and_exits_4(engine, server, clock, capsys):
    from tests.dispatch_support import settings_for
    from woq_tui.commands.reassign import report

    seed(engine)
    [made] = record_reclassification(engine, clock, refs("T0001", version=0), "complaint", "why", "D1023")
    push(engine, server.url, clock)
    assert report(engine, settings_for(server.url), made.id) == 4
    assert "changed meanwhile (now Repair, version 1)" in capsys.readouterr().err


def test_server_down_queues_exit_3_then_outbox_push_delivers(engine, database_url, clock, token, tmp_path, capsys):
    seed(engine)
    down = FailFirst(create_app(engine, token, clock), count=4, status=503)
    with serve_app_in_background(down) as handle:
        config = write_config(tmp_path, handle.url, max_attempts=2)
        assert cli(database_url, config, "reclassify", "T0001", "--to", "consultation", "--reason", "x") == 3
        assert "queued" in capsys.readouterr().out
        assert cli(database_url, config, "outbox", "list") == 0
        listed = capsys.readouterr().out
        assert "Repair → Consultation" in listed and "Pending" in listed
        code = cli(database_url, config, "outbox", "push", "--wait")
    assert code == 0, capsys.readouterr()
    assert "T0001 → Consultation: Confirmed" in capsys.readouterr().out
    assert kind_of(engine)[:2] == ("consultation", 2)


def test_killed_mid_push_then_outbox_push_resumes_and_applies_once(engine, database_url, clock, token, tmp_path):
    """SIGKILL while the server has applied the reclassification and holds its answer:
    the entry stays pending; `outbox push` sends it again and the key replays it."""
    seed(engine)
    stall = StallAfterApply(create_app(engine, token, clock))
    handle = serve_app_in_background(stall)
    config = write_config(tmp_path, handle.url, timeout_seconds=60)
    try:
        process = subprocess.Popen(
            woq("reclassify", "T0001", "--to", "complaint", "--reason", "x", "--db", database_url, "--config", config),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(),
        )
        assert stall.applied.wait(60), "the command never pushed"
        process.send_signal(signal.SIGKILL)
        assert process.wait(30) == -signal.SIGKILL
        [entry] = list_entries(engine)
        assert (entry.kind, entry.state) == ("reclassify", "pending")
        pushed = subprocess.run(woq("outbox", "push", "--db", database_url, "--config", config),
                                capture_output=True, text=True, env=environment(), timeout=120)
    finally:
        handle.stop()
    assert pushed.returncode == 0, pushed.stderr
    assert "1 confirmed" in pushed.stdout
    kind, version, _due, events = kind_of(engine)
    assert (kind, version, len(events)) == ("complaint", 2, 1)
    stored = json.loads(list_entries(engine, confirmed_since=clock.now() - timedelta(days=1))[0].response)
    assert stored["version"] == 2


def test_outbox_retry_of_a_failed_reclassification_says_it_in_its_words(engine, database_url, server, clock, tmp_path, capsys):
    seed(engine)
    [made] = record_reclassification(engine, clock, refs("T0001"), "praise", "customer thanked the crew", "D1023")
    with engine.begin() as connection:  # given up while the API was away
        connection.execute(update(OutboxEntry.__table__).where(OutboxEntry.id == made.id).values(state="failed"))
    config = write_config(tmp_path, server.url)
    assert cli(database_url, config, "outbox", "list") == 0
    listed = capsys.readouterr().out
    assert "Repair → Praise" in listed and "outbox retry" in listed
    assert cli(database_url, config, "outbox", "retry", made.id[:8]) == 0
    assert "reclassified: ticket T0001 → Praise (version 2" in capsys.readouterr().out
    assert kind_of(engine)[:2] == ("praise", 2)
