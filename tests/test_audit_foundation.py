"""The audit's foundation (docs/audit.md): the normalised contact keys, how the
importer and migration 0006 fill them, the [audit] settings and the rule catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from tests.test_import import write_csv
from woq_tui.config import ConfigError, parse_settings
from woq_tui.domain.audit_rules import RULE_IDS, RULES
from woq_tui.domain.contact_keys import address_key, phone_key
from woq_tui.domain.models import Ticket
from woq_tui.domain.sla import SlaPolicy
from woq_tui.i18n import catalogue
from woq_tui.store.db import make_engine, upgrade
from woq_tui.store.importer import import_file

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("13812341234", "13812341234"),
        (" +86 138-1234-1234 ", "13812341234"),
        ("0086 13812341234", "13812341234"),
        ("(022) 2345 678", "0222345678"),
        ("1234567", "1234567"),  # exactly 7 digits
        ("123456", None),  # one short
        ("+86 123456", None),  # the country code does not count
        ("86123456", "86123456"),  # 86 without + or 00 is part of the number
        ("", None),
        ("   ", None),
        (None, None),
        ("无", None),
    ],
)
def test_phone_key(raw, key):
    assert phone_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("东丽区 金钟街 3号", "东丽区金钟街3号"),
        ("Jinzhong Road\t12\u3000B", "jinzhongroad12b"),
        ("  ", None),
        ("", None),
        (None, None),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # casefold, not lower
    ],
)
def test_address_key(raw, key):
    assert address_key(raw) == key


def test_import_fills_the_keys_and_a_reimport_with_another_phone_changes_them(tmp_path, database_url, clock):
    engine = make_engine(database_url)
    header = ["工单编号", "业务类型", "供电单位编码", "受理时间", "联系电话", "地址"]
    rows = [["T1", "故障报修", "S01", "2026-11-20 08:00", "+86 138 1234 1234", " 金钟街 3号 "],
            ["T2", "投诉", "S01", "2026-11-20 09:00", "", ""]]  # fmt: skip
    import_file(write_csv(tmp_path / "a.csv", header, rows), engine, policy=SlaPolicy(), clock=clock, operator="x")
    rows[0][4] = "13900001111"
    import_file(write_csv(tmp_path / "b.csv", header, rows), engine, policy=SlaPolicy(), clock=clock, operator="x")
    with engine.connect() as connection:
        keys = dict(
            (row.ticket_no, (row.phone_key, row.address_key))
            for row in connection.execute(select(Ticket.ticket_no, Ticket.phone_key, Ticket.address_key))
        )
        note = connection.execute(text("SELECT note FROM ticket_event WHERE kind = 'updated'")).scalar_one()
    engine.dispose()
    assert keys == {"T1": ("13900001111", "金钟街3号"), "T2": (None, None)}
    assert note == "b.csv: customer_phone"  # the derived key is not named


def test_migration_0006_fills_the_keys_of_stored_tickets_and_adds_the_tables(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0005")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO station (code, name, area_type, initials) VALUES ('S1', 'A', 'urban', '')"))
        for number in range(1, 5002 + 1):  # more than one batch
            phone = "0086-138 0000 0000" if number % 2 else None
            address = " 金钟街  3号 " if number % 3 == 0 else None
            connection.execute(
                text(
                    "INSERT INTO ticket (ticket_no, type, station_code, status, created_at, escalated, dispatch_count,"
                    " reopen_count, customer_phone, address, version, updated_at)"
                    " VALUES (:no, 'repair', 'S1', 'new', :at, 0, 0, 0, :phone, :address, 1, :at)"
                ),
                {"no": f"T{number:05d}", "at": 1_700_000_000 + number, "phone": phone, "address": address},
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = {row[0]: row[1:] for row in connection.execute(text("SELECT ticket_no, phone_key, address_key FROM ticket"))}
    inspector = inspect(engine)
    indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("ticket")}
    tables = set(inspector.get_table_names())
    engine.dispose()
    assert rows["T00001"] == ("13800000000", None)
    assert rows["T00003"] == ("13800000000", "金钟街3号")
    assert rows["T05001"] == ("13800000000", "金钟街3号")  # past the first batch
    assert rows["T05002"] == (None, None)
    assert rows["T04998"] == (None, "金钟街3号")
    assert indexes["ix_ticket_phone_key"] == ["phone_key", "created_at"]
    assert indexes["ix_ticket_address_key"] == ["address_key", "created_at", "station_code"]
    assert {"audit_review", "audit_model"} <= tables


def test_a_review_per_ticket_and_rule(engine):
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_review (ticket_no, rule, verdict, operator, at) VALUES ('T1', 'reopened', 'confirmed', 'a', 1)"
        ))  # fmt: skip
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_review (ticket_no, rule, verdict, operator, at) VALUES ('T1', 'reopened', 'dismissed', 'b', 2)"
        ))  # fmt: skip


def test_audit_settings_defaults_and_example():
    import tomllib

    audit = parse_settings({}).audit
    assert (audit.disabled, audit.survey_days, audit.too_fast_minutes, audit.repeat_days) == ([], 3, 10, 7)
    assert (audit.classify_threshold, audit.route_threshold, audit.route_min_history) == (0.8, 0.8, 5)
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["audit"]
    assert parse_settings({"audit": example}).audit == audit


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"disabled": ["reopened", "no_such_rule"]}, "audit.disabled: no such rule id"),
        ({"survey_days": "3"}, "audit.survey_days"),
        ({"classify_threshold": 1.5}, "audit.classify_threshold"),
        ({"route_min_history": 0}, "audit.route_min_history"),
        ({"repeat": 7}, "audit.repeat: unknown key"),
    ],
)
def test_bad_audit_settings_name_the_key(section, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        parse_settings({"audit": section})


def test_rules_in_the_table_order_with_names_in_both_languages():
    assert RULE_IDS[:3] == ("missing_summary", "missing_address", "missing_arrival")
    assert RULE_IDS[-2:] == ("type_suspect", "station_suspect") and len(RULES) == 15
    for rule in RULES:
        zh, en = catalogue()[rule.name_key]
        assert zh and en


def test_postgresql_address_index_carries_the_id(engine):
    # migration 0012: station_suspect's history read from the index alone (docs/audit.md)
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's indexes carry the rowid, the id, already")
    with engine.connect() as connection:
        definition = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_ticket_address_key'")
        ).scalar_one()
    assert definition.endswith("(address_key, created_at, station_code) INCLUDE (id)"), definition

