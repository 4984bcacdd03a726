"""type_suspect with a real trained classifier (woq_tui/classifier): trained on a small
generated demo whose misclassified tickets are planted, then the rule reads the stored
model; evidence as docs/audit.md says. And the figures count it like any rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from woq_tui.classifier import train_and_store
from woq_tui.config import parse_settings
from woq_tui.demo.generator import generate
from woq_tui.domain.periods import Period
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.audit import evaluate, quality_report

END = datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)


def test_type_suspect_reads_the_stored_model(engine):
    settings = parse_settings({"console": {"language": "en"}})
    result = generate(engine, SlaPolicy(), seed=7, stations=4, days=40, end=END, planted=True)
    train_and_store(engine, END, "D1023")
    period = Period(END - timedelta(days=41), END, settings.tz)
    evaluation = evaluate(engine, period, END, settings, rules=["type_suspect"])
    view = evaluation.view
    assert view.model is not None and view.skipped == () and evaluation.notice is None
    suspects = [flag for flag in view.flags if flag.rule == "type_suspect"]
    assert suspects, "a classifier trained on the demo finds some planted misclassifications"
    for flag in suspects:
        assert set(flag.evidence) == {"type", "probability"}
        assert flag.evidence["type"] != flag.type and flag.evidence["probability"] >= 0.8
    planted = set(result.planted["type_suspect"])
    assert planted & {flag.ticket_no for flag in suspects}
    stricter = parse_settings({"audit": {"classify_threshold": 1.0}})
    assert not evaluate(engine, period, END, stricter, rules=["type_suspect"]).view.flags
    totals = quality_report(engine, period, END, settings).totals
    assert totals.flags_by_rule["type_suspect"] == len(suspects)
