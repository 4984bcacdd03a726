"""`report --with-audit` (docs/audit.md, "Figures") in every format, and the assessment's
hooks (store/assessment_hooks.py) giving the scorecard the audit's quality."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.audit_support import IN_PERIOD, PERIOD, audit_settings, stations
from tests.conftest import NOW
from tests.factories import add_all, ticket
from woq_tui.cli import main
from woq_tui.store.assessment_hooks import audit_flags_source, quality_source

T = IN_PERIOD
ARGS = ["report", "--from", "2026-11-16", "--to", "2026-11-23", "--as-of", "2026-11-26T10:00"]


@pytest.fixture
def db(engine):
    stations(engine)
    add_all(
        engine,
        ticket(T, ticket_no="A1", reopen_count=1, address="金钟街1号", customer_phone=None),
        ticket(T, ticket_no="A2", address="金钟街2号", customer_phone=None),
        ticket(T, ticket_no="B1", station_code="S002", type="complaint", address=None, customer_phone=None,
               due_at=None, first_response_at=T + timedelta(minutes=5)),
    )  # fmt: skip
    return engine


def test_json_carries_the_figures_only_with_the_option(db, database_url, capsysbinary, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[console]\nlanguage = "en"\n', encoding="utf-8")
    argv = [*ARGS, "--db", database_url, "--config", str(config), "--format", "json"]
    assert main([*argv, "--with-audit"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    totals = document["totals"]
    assert (totals["flagged"], totals["quality_pass_rate"]) == (1, 1 - 1 / 3)
    assert totals["flags_by_rule"]["reopened"] == 1 and sum(totals["flags_by_rule"].values()) == 1
    assert document["by_type"]["repair"]["flagged"] == 1 and document["by_type"]["complaint"]["quality_pass_rate"] == 1.0
    assert document["by_area"]["rural"]["flagged"] == 0 and document["by_area"]["urban"]["flagged"] == 1
    rows = {row["station_code"]: row for row in document["stations"]}
    assert rows["S001"]["quality_pass_rate"] == 0.5 and rows["S002"]["flags_by_rule"]["reopened"] == 0
    assert main(argv) == 0
    plain = json.loads(capsysbinary.readouterr().out)
    assert "flagged" not in plain["totals"] and "flagged" not in plain["stations"][0]
    for fmt, needle in (("csv", ',flagged,quality_pass_rate,flags_by_rule'), ("md", "| 50.0% |"),
                        ("html", "<th>Quality pass rate</th>")):  # fmt: skip
        assert main([*argv[:-1], fmt, "--with-audit"]) == 0
        assert needle in capsysbinary.readouterr().out.decode("utf-8")


def test_the_hooks_give_the_scorecard_and_bulletin_the_audit(db):
    settings = audit_settings()
    assert quality_source(settings)(db, PERIOD, NOW) == {"S001": 0.5, "S002": 1.0}
    assert audit_flags_source(settings)(db, PERIOD, NOW)["reopened"] == 1
