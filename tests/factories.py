"""Small builders for stations and tickets, so each test says only what matters to it."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlmodel import Session

from woq_tui.domain.contact_keys import address_key, phone_key
from woq_tui.domain.models import Station, Ticket

_numbers = itertools.count(1)


def station(code: str = "S001", name: str = "东丽城东供电所", area_type: str = "urban", initials: str = "dlcd") -> Station:
    return Station(code=code, name=name, area_type=area_type, initials=initials)


def ticket(created_at: datetime, **fields) -> Ticket:
    number = next(_numbers)
    values = dict(
        ticket_no=f"T{number:08d}",
        type="repair",
        station_code="S001",
        status="dispatched",
        created_at=created_at,
        due_at=created_at + timedelta(hours=3, minutes=45),
        dispatch_count=1,
        updated_at=created_at,
        summary="停电报修",
        customer_phone="13812341234",
    )
    values.update(fields)
    # the audit's keys, as every writer of tickets fills them (domain/contact_keys.py)
    values.setdefault("phone_key", phone_key(values.get("customer_phone")))
    values.setdefault("address_key", address_key(values.get("address")))
    return Ticket(**values)


def add_all(engine, *rows) -> None:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
