"""The reference dispatch API, spoken to over real HTTP on 127.0.0.1 (SQLite and
PostgreSQL): every status of docs/dispatch-api.md, replays, and concurrent requests."""

from __future__ import annotations

import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.dispatch_support import TOKEN, seed, ticket_state
from woq_tui.domain.models import TicketEvent


def body(**overrides):
    values = {
        "to_station": "S002",
        "reason": "地址属城西辖区",
        "operator": "D1023",
        "expected_version": 1,
        "requested_at": "2026-11-26T10:15:00+08:00",
    }
    values.update(overrides)
    return values


def post(url, ticket_no="T0001", key=None, token=TOKEN, payload=None, raw=None, authorization=None):
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    if authorization is not None:
        headers["Authorization"] = authorization
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(base_url=url, timeout=10) as client:
        if raw is not None:
            return client.post(f"/tickets/{ticket_no}/reassign", content=raw, headers=headers)
        return client.post(f"/tickets/{ticket_no}/reassign", json=payload or body(), headers=headers)


def test_success_moves_the_ticket_and_records_the_event(engine, server, clock):
    seed(engine)
    response = post(server.url)
    assert response.status_code == 200
    assert response.json() == {"ticket_no": "T0001", "station_code": "S002", "version": 2}
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)
    with Session(engine) as session:
        event = session.scalars(select(TicketEvent).where(TicketEvent.kind == "reassigned")).one()
        from woq_tui.domain.models import Ticket

        moved = session.scalars(select(Ticket).where(Ticket.ticket_no == "T0001")).one()
    assert (event.from_station, event.to_station, event.operator, event.note) == ("S001", "S002", "D1023", "地址属城西辖区")
    assert event.at == clock.now() and moved.updated_at == clock.now()


def test_a_replay_answers_the_same_and_applies_nothing(engine, server):
    seed(engine)
    key = str(uuid.uuid4())
    first = post(server.url, key=key)
    again = post(server.url, key=key)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_a_key_reused_for_another_ticket_is_refused(engine, server):
    seed(engine)
    key = str(uuid.uuid4())
    assert post(server.url, key=key).status_code == 200
    response = post(server.url, ticket_no="T0002", key=key)
    assert (response.status_code, response.json()) == (422, {"error": "idempotency_key_reused"})
    assert ticket_state(engine, "T0002") == ("S001", 1, 1, 0)


def test_stale_version_is_a_conflict_with_the_current_state(engine, server):
    seed(engine)
    assert post(server.url).status_code == 200
    response = post(server.url, payload=body(to_station="S003", expected_version=1))
    assert response.status_code == 409
    assert response.json() == {"error": "version_conflict", "current_version": 2, "current_station": "S002"}
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_expected_version_zero_never_matches(engine, server):
    seed(engine)
    response = post(server.url, payload=body(expected_version=0))
    assert response.status_code == 409
    assert response.json()["current_version"] == 1


@pytest.mark.parametrize(
    ("ticket_no", "payload", "error"),
    [("T9999", body(), "unknown_ticket"), ("T0001", body(to_station="S404"), "unknown_station")],
)
def test_unknown_ticket_and_station(engine, server, ticket_no, payload, error):
    seed(engine)
    response = post(server.url, ticket_no=ticket_no, payload=payload)
    assert (response.status_code, response.json()) == (404, {"error": error})
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


@pytest.mark.parametrize(
    ("payload", "raw", "detail"),
    [
        (body(reason="   "), None, "reason"),
        (None, b"{not json", "JSON"),
        ({"to_station": "S002"}, None, "missing"),
        (body(expected_version="1"), None, "expected_version"),
        (body(requested_at="2026-11-26T10:15:00"), None, "offset"),
        (body(to_station="S001"), None, "already"),
    ],
)
def test_bad_bodies_are_invalid(engine, server, payload, raw, detail):
    seed(engine)
    response = post(server.url, payload=payload, raw=raw)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid" and detail in response.json()["detail"]
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


def test_the_idempotency_key_is_required(engine, server):
    seed(engine)
    with httpx.Client(base_url=server.url) as client:
        response = client.post(
            "/tickets/T0001/reassign", json=body(), headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert response.status_code == 422 and "Idempotency-Key" in response.json()["detail"]


@pytest.mark.parametrize("given", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"])
def test_a_missing_or_wrong_token_is_unauthorized(engine, server, given):
    seed(engine)
    response = post(server.url, token=None, authorization=given)
    assert (response.status_code, response.json()) == (401, {"error": "unauthorized"})
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


def test_percent_encoded_ticket_numbers(engine, server):
    from tests.conftest import NOW
    from tests.factories import add_all, ticket

    seed(engine)
    add_all(engine, ticket(NOW, ticket_no="2026/11#7 号"))
    response = post(server.url, ticket_no="2026%2F11%237%20%E5%8F%B7")
    assert response.status_code == 200 and response.json()["ticket_no"] == "2026/11#7 号"


def test_unknown_paths_answer_json(server):
    with httpx.Client(base_url=server.url) as client:
        response = client.get("/nothing")
    assert (response.status_code, response.json()) == (404, {"error": "not_found"})


def test_concurrent_duplicates_are_applied_once(engine, server):
    seed(engine)
    key = str(uuid.uuid4())
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: post(server.url, key=key), range(8)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_concurrent_reassignments_of_one_ticket_one_wins(engine, server):
    seed(engine)
    targets = ["S002", "S003"] * 4
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda to: post(server.url, payload=body(to_station=to)), targets))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 7
    winner = next(r.json() for r in responses if r.status_code == 200)
    station, version, count, events = ticket_state(engine, "T0001")
    assert (station, version, count, events) == (winner["station_code"], 2, 2, 1)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["current_station"] == winner["station_code"]


def test_the_token_never_reaches_the_logs(engine, server, caplog):
    seed(engine)
    caplog.set_level(logging.DEBUG)
    post(server.url)
    post(server.url, token="wrong")
    assert TOKEN not in caplog.text
    assert TOKEN not in json.dumps([r.getMessage() for r in caplog.records])


def test_health_answers_ok(server):
    answer = httpx.get(f"{server.url}/health", timeout=10)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


# -- hostile requests (issue 16, items 2, 7 and 11) ----------------------------------------


@pytest.mark.parametrize("field", ["reason", "operator", "to_station"])
@pytest.mark.parametrize("bad", ["\ud800", "a\x00b"], ids=["lone surrogate", "NUL"])
def test_text_no_database_can_hold_is_invalid_not_a_500(engine, server, field, bad):
    seed(engine)
    raw = json.dumps(body(**{field: bad})).encode()  # "\ud800" and "\u0000" escaped, as a client sends them
    response = post(server.url, raw=raw)
    assert response.status_code == 422 and response.json()["error"] == "invalid"
    assert field in response.json()["detail"]
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


@pytest.mark.parametrize("path", ["T%000001", "T0001%00", "%ED%A0%80", "T" * 65, "T%0A0001"])
def test_a_ticket_number_that_cannot_exist_is_404_not_a_500(engine, server, path):
    seed(engine)
    response = post(server.url, ticket_no=path)
    # (a newline never even matches the route: 404 not_found)
    assert response.status_code == 404 and response.json()["error"] in ("unknown_ticket", "not_found")
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


def test_a_key_reused_with_another_body_is_refused_and_changes_nothing(engine, server):
    seed(engine)
    key = str(uuid.uuid4())
    assert post(server.url, key=key, payload=body(expected_version=0)).status_code == 409
    response = post(server.url, key=key, payload=body(expected_version=1))  # the same key, another request
    assert (response.status_code, response.json()) == (422, {"error": "idempotency_key_reused"})
    assert "Idempotent-Replayed" not in response.headers
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)


def test_the_same_request_serialised_otherwise_is_still_a_replay(engine, server):
    seed(engine)
    key = str(uuid.uuid4())
    first = post(server.url, key=key)
    same = dict(reversed(list(body(reason="  地址属城西辖区 ").items())))  # keys reordered, reason padded
    same["requested_at"] = "2026-11-26T02:15:00+00:00"  # the same instant, in UTC
    again = post(server.url, key=key, payload=same)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ticket_state(engine, "T0001") == ("S002", 2, 2, 1)


def test_a_token_in_the_query_string_is_refused_and_never_logged(engine, server, caplog):
    seed(engine)
    caplog.set_level(logging.DEBUG)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.post(
            f"/tickets/T0001/reassign?access_token={TOKEN}", json=body(), headers={"Idempotency-Key": "k-query"}
        )
        health = client.get(f"/health?token={TOKEN}")
    assert response.status_code == 422 and "Authorization header" in response.json()["detail"]
    assert health.status_code == 422
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)
    # what the server logs (the test's own client, httpx, logs its URLs at DEBUG)
    server_lines = [r.getMessage() for r in caplog.records if r.name.startswith(("woq_tui", "uvicorn"))]
    assert any("POST /tickets/T0001/reassign 422" in line for line in server_lines)
    assert not any(TOKEN in line or "token" in line or "?" in line for line in server_lines)


@pytest.mark.parametrize("path", ["/tickets/T0001/reassign/", "/health/", "//evil.example/"])
def test_no_redirects_whatever_the_host_header_says(engine, server, path):
    seed(engine)
    with httpx.Client(base_url=server.url, timeout=10, follow_redirects=False) as client:
        response = client.post(
            path,
            json=body(),
            headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "k-slash", "Host": "evil.example"},
        )
    assert response.status_code in (404, 405) and "location" not in response.headers
    assert ticket_state(engine, "T0001") == ("S001", 1, 1, 0)
