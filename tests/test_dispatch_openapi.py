"""The contract as a document (docs/dispatch-api.md, "The contract as a document"): the
OpenAPI 3.1 document the reference server serves is docs/openapi.json, and a property-
based API tester (schemathesis) checks the real server against it, over HTTP on
127.0.0.1 and a real database (SQLite and PostgreSQL), for both commands: never a 500,
every answer's status, content type, headers and body as the document says.

The examples are bounded (MAX_EXAMPLES per command and database) so that `make test`
stays quick; `python -m pytest tests/test_dispatch_openapi.py` with
WOQ_OPENAPI_EXAMPLES=500 runs a longer one.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import NOW
from tests.dispatch_support import TOKEN, seed
from tests.factories import add_all, ticket
from woq_tui.dispatch.openapi import document, document_text

DOCS_COPY = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
MAX_EXAMPLES = int(os.environ.get("WOQ_OPENAPI_EXAMPLES", "60"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Tickets that exist, so that generated requests reach the ticket (200, 409, 422 same
# target), not only 404; the first is the document's own example.
REAL_TICKETS = ["95598202611260001", "95598202611260002", "T0001"]


def test_the_served_document_is_the_copy_in_docs(engine, server):
    response = httpx.get(f"{server.url}/openapi.json")  # no token needed
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text == DOCS_COPY.read_text(encoding="utf-8") == document_text(), (
        "docs/openapi.json is stale: python -m woq_tui.dispatch.openapi > docs/openapi.json"
    )
    assert response.json()["openapi"] == "3.1.0"


def test_the_document_names_every_answer_the_spec_lists():
    paths = document()["paths"]
    for command in ("reassign", "reclassify"):
        answers = paths[f"/tickets/{{ticket_no}}/{command}"]["post"]["responses"]
        assert {"200", "401", "404", "409", "422", "429"} <= answers.keys()
    reclassified = document()["components"]["schemas"]["ReclassifyResult"]
    assert reclassified["required"] == ["ticket_no", "type", "due_at", "version"]


@pytest.mark.parametrize("path", ["/tickets/{ticket_no}/reassign", "/tickets/{ticket_no}/reclassify"])
def test_the_server_keeps_to_the_document(engine, server, path):
    seed(engine)
    add_all(engine, *(ticket(NOW, ticket_no=number) for number in REAL_TICKETS[:2]))
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operation = schema[path]["POST"]

    def on_a_real_ticket(case):
        case.path_parameters = {**(case.path_parameters or {}), "ticket_no": REAL_TICKETS[hash(case.body.__repr__()) % 3]}
        return case

    cases = st.one_of(operation.as_strategy(), operation.as_strategy().map(on_a_real_ticket))
    statuses: Counter[int] = Counter()

    @given(case=cases)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def keeps_to_it(case):
        response = case.call_and_validate(
            base_url=server.url, headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS, timeout=10
        )
        statuses[response.status_code] += 1

    keeps_to_it()
    # The runs reached the ticket, not only the checks in front of it.
    assert statuses[404] and statuses[422], statuses
    assert statuses[200] + statuses[409] > 0, statuses
