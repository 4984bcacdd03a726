"""The dispatch API's contract as an OpenAPI 3.1 document (docs/dispatch-api.md, "The
contract as a document"): one source, as data. The reference server serves it at
`GET /openapi.json`; docs/openapi.json is the same document written out
(`python -m woq_tui.dispatch.openapi > docs/openapi.json`), and
tests/test_dispatch_openapi.py keeps the two identical and checks the server against it
with schemathesis.

The request schemas say what a well-formed body looks like; what the server refuses
beyond that (a blank reason, the same station or type again) is a documented 422.
"""

from __future__ import annotations

import json
from typing import Any

from woq_tui import __version__
from woq_tui.dispatch.server_requests import MAX_KEY, MAX_REASON, MAX_TICKET_NO, TYPE_CODES

_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: dict[str, Any] | None = None, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = {_JSON: {"schema": schema}}
    if headers:
        answer["headers"] = headers
    return answer


def _error(*codes: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "enum": list(codes)}, "detail": {"type": "string"}},
    }


def _request(target_field: str, target: dict[str, Any], example: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [target_field, "reason", "operator", "expected_version", "requested_at"],
        "properties": {
            target_field: target,
            "reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON, "pattern": r"\S",
                       "description": "why; required and not blank"},
            "operator": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"\S"},
            "expected_version": {"type": "integer", "minimum": 0,
                                 "description": "the ticket's version as the dispatcher saw it (0 never matches)"},
            "requested_at": {"type": "string", "format": "date-time",
                             "description": "when the dispatcher asked, with its UTC offset"},
        },
        "examples": [
            {target_field: example, "reason": "错派", "operator": "D1023", "expected_version": 1,
             "requested_at": "2026-11-26T10:15:00+08:00"}
        ],
    }


_REPLAYED = {"Idempotent-Replayed": {"description": "true when answered again from the key's store",
                                     "schema": {"type": "string", "enum": ["true"]}}}


def _command(name: str, summary: str, request: str, result: str, not_found: tuple[str, ...]) -> dict[str, Any]:
    return {
        "operationId": name,
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/TicketNo"}, {"$ref": "#/components/parameters/IdempotencyKey"}],
        "requestBody": {"required": True, "content": {_JSON: {"schema": _ref(request)}}},
        "responses": {
            "200": _answer("applied; or applied before under this key and answered again", _ref(result), _REPLAYED),
            "401": _answer("no token or a wrong one", _error("unauthorized"),
                           {"WWW-Authenticate": {"schema": {"type": "string"}}}),
            "403": _answer("the token may not do this (not produced by the reference server)", _error("forbidden")),
            "404": _answer("no such ticket (or one that cannot exist), or station", _error(*not_found, "not_found")),
            "408": _answer("the headers or the body did not arrive in time"),
            "409": _answer("the ticket changed since the dispatcher saw it: never retried", _ref("Conflict")),
            "422": _answer("a bad body or header, the same target again, or a key reused for another request",
                           _error("invalid", "idempotency_key_reused")),
            "429": _answer("busy: retried, honouring Retry-After"),
            "503": _answer("more open connections than the server takes: retried", _error("too_many_connections")),
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the dispatch API."""
    ticket_no = {"type": "string", "minLength": 1, "maxLength": MAX_TICKET_NO, "examples": ["95598202611260001"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "woq-console dispatch API",
            "version": __version__,
            "description": "Reassignments and reclassifications pushed by woq-console's outbox "
            "(docs/dispatch-api.md). Every attempt at one request carries the same Idempotency-Key.",
        },
        "paths": {
            "/tickets/{ticket_no}/reassign": {
                "post": _command("reassign", "Move a ticket to another station", "ReassignRequest",
                                 "ReassignResult", ("unknown_ticket", "unknown_station")),
            },
            "/tickets/{ticket_no}/reclassify": {
                "post": _command("reclassify", "Change a ticket's type (due_at is computed again)",
                                 "ReclassifyRequest", "ReclassifyResult", ("unknown_ticket",)),
            },
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "For a load balancer or a start script; no token",
                    "security": [],
                    "responses": {"200": _answer("up", {
                        "type": "object", "required": ["status"],
                        "properties": {"status": {"type": "string", "enum": ["ok"]}}})},
                },
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document; no token",
                    "security": [],
                    "responses": {"200": _answer("the OpenAPI 3.1 document", {"type": "object"})},
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "the token in the variable [dispatch] token_env names"}},
            "parameters": {
                "TicketNo": {"name": "ticket_no", "in": "path", "required": True, "schema": ticket_no,
                             "description": "percent-encoded"},
                "IdempotencyKey": {
                    "name": "Idempotency-Key", "in": "header", "required": True,
                    "description": "the outbox entry's id: the same for every attempt at one request",
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": "^[!-~]+$"},
                },
            },
            "schemas": {
                "ReassignRequest": _request("to_station", {"type": "string", "minLength": 1, "maxLength": 64,
                                                           "pattern": r"\S"}, "S002"),
                "ReclassifyRequest": _request("to_type", _ref("TicketType"), "complaint"),
                "TicketType": {"type": "string", "enum": list(TYPE_CODES), "description": "a type code of docs/sla.md"},
                "ReassignResult": {
                    "type": "object",
                    "required": ["ticket_no", "station_code", "version"],
                    "properties": {"ticket_no": {"type": "string"}, "station_code": {"type": "string"},
                                   "version": {"type": "integer", "minimum": 1}},
                },
                "ReclassifyResult": {
                    "type": "object",
                    "required": ["ticket_no", "type", "due_at", "version"],
                    "properties": {"ticket_no": {"type": "string"}, "type": _ref("TicketType"),
                                   "due_at": {"type": "string", "format": "date-time"},
                                   "version": {"type": "integer", "minimum": 1}},
                },
                "Conflict": {
                    "type": "object",
                    "required": ["error", "current_version", "current_station"],
                    "properties": {
                        "error": {"type": "string", "enum": ["version_conflict"]},
                        "current_version": {"type": "integer", "minimum": 1},
                        "current_station": {"type": "string"},
                        "current_type": {"type": "string", "description": "reclassify only"},
                    },
                },
            },
        },
    }


def document_text() -> str:
    """The document as served and as docs/openapi.json holds it (a trailing newline)."""
    return json.dumps(document(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(document_text(), end="")
