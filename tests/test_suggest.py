"""Suggested stations (store/suggest.py through ConsoleStore.suggest_stations) on
fixtures, SQLite and PostgreSQL: the exact address, the fallback to the village and the
street, the window, load and area tie-breaks, a new address, an unknown ticket."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from woq_tui.console_store import ConsoleStore
from woq_tui.values.suggestions import reason_text

HOME = "东丽区建设路街道幸福花园12号楼3单元1502"
NEIGHBOUR = "东丽区建设路街道幸福花园3号楼1单元201"  # the same estate (community)
STREET = "东丽区建设路街道光明家园1号楼"  # the same street, another estate


def stations():
    return (
        station("S001", "东丽城东供电所", initials="dlcd"),
        station("S002", "东丽城西供电所", initials="dlcx"),
        station("S003", "津南咸水沽供电所", area_type="rural", initials="jnxsg"),
        station("S004", "东丽新城供电所", initials="dlxc"),
    )


def history(address: str, station_code: str, count: int, days_ago: float = 10):
    """`count` resolved tickets at `address`, handled by `station_code`."""
    created = NOW - timedelta(days=days_ago)
    return [
        ticket(created - timedelta(hours=n), station_code=station_code, address=address,
               resolved_at=created - timedelta(hours=n) + timedelta(hours=2), status="resolved")
        for n in range(count)
    ]


def open_tickets(station_code: str, count: int, overdue: bool):
    created = NOW - timedelta(hours=5 if overdue else 1)
    return [ticket(created, station_code=station_code) for _ in range(count)]


def the_ticket(address: str | None = HOME, station_code: str = "S001"):
    return ticket(NOW - timedelta(minutes=30), ticket_no="T-NEW", station_code=station_code, address=address)


def suggest(context):
    return ConsoleStore(context).suggest_stations("T-NEW", NOW)


def codes(found) -> list[str]:
    return [s.code for s in found.suggestions]


def test_exact_address_history_ranks_the_station_that_handled_it(engine, context):
    add_all(engine, *stations())
    add_all(engine, *history(HOME, "S002", 5), *history(HOME, "S004", 1), *history(NEIGHBOUR, "S004", 9), the_ticket())
    found = suggest(context)
    assert (found.ticket_no, found.station_code) == ("T-NEW", "S001")
    assert (found.evidence.scope, found.evidence.days, found.evidence.tickets) == ("address", 90, 6)
    assert codes(found) == ["S002", "S004"]
    best = found.suggestions[0]
    assert (best.handled, best.open, best.overdue, best.area_match, best.current) == (5, 0, 0, True, False)
    assert reason_text(best, found.evidence) == (
        "5 of 6 tickets at this address in 90 days handled by S002 · open 0 · overdue 0 · same area type"
    )


def test_reasons_in_chinese(engine, context):
    from woq_tui.i18n import set_language

    add_all(engine, *stations())
    add_all(engine, *history(HOME, "S002", 11), *history(HOME, "S004", 1), *open_tickets("S002", 8, overdue=False),
            *open_tickets("S002", 1, overdue=True), the_ticket())
    found = suggest(context)
    set_language("zh")
    assert reason_text(found.suggestions[0], found.evidence) == (
        "此地址近 90 天 12 单中 11 单由 S002 办理 · 在办 9 · 超期 1 · 区域类型相符"
    )


def test_too_few_in_90_days_reads_all_time(engine, context):
    add_all(engine, *stations())
    add_all(engine, *history(HOME, "S002", 2), *history(HOME, "S004", 4, days_ago=200), the_ticket())
    found = suggest(context)
    assert (found.evidence.scope, found.evidence.days, found.evidence.tickets) == ("address", None, 6)
    assert codes(found) == ["S004", "S002"]
    assert "in all" in reason_text(found.suggestions[0], found.evidence)


def test_too_few_at_the_address_falls_back_to_the_village_then_the_street(engine, context):
    add_all(engine, *stations())
    # 2 at the address (fewer than route_min_history = 5), 6 more in the estate
    add_all(engine, *history(HOME, "S002", 2), *history(NEIGHBOUR, "S004", 6), *history(STREET, "S002", 20), the_ticket())
    found = suggest(context)
    assert (found.evidence.scope, found.evidence.tickets) == ("village", 8)
    assert [(s.code, s.handled) for s in found.suggestions] == [("S004", 6), ("S002", 2)]
    assert reason_text(found.suggestions[0], found.evidence).startswith(
        "6 of 8 tickets in this village or community in 90 days handled by S004"
    )


def test_the_street_when_the_village_has_too_few(engine, context):
    add_all(engine, *stations())
    add_all(engine, *history(NEIGHBOUR, "S004", 1), *history(STREET, "S002", 7), the_ticket())
    found = suggest(context)
    assert (found.evidence.scope, found.evidence.tickets) == ("town", 8)
    assert codes(found) == ["S002", "S004"]


def test_the_narrowest_scope_with_any_history_when_none_has_enough(engine, context):
    add_all(engine, *stations())
    add_all(engine, *history(HOME, "S004", 2), *history(STREET, "S002", 2), the_ticket())
    found = suggest(context)
    assert (found.evidence.scope, found.evidence.tickets) == ("address", 2)
    assert codes(found) == ["S004"]


def test_load_breaks_a_tie_overdue_first_then_open(engine, context):
    add_all(engine, *stations())
    add_all(
        engine,
        *history(HOME, "S002", 3), *history(HOME, "S004", 3),
        *open_tickets("S002", 1, overdue=True), *open_tickets("S004", 4, overdue=False),
        the_ticket(),
    )
    found = suggest(context)
    assert [(s.code, s.overdue, s.open) for s in found.suggestions] == [("S004", 0, 4), ("S002", 1, 1)]
    # no overdue on either side: the fewer open tickets win
    add_all(engine, *open_tickets("S004", 1, overdue=True))
    found = suggest(context)
    assert [(s.code, s.overdue, s.open) for s in found.suggestions] == [("S002", 1, 1), ("S004", 1, 5)]


def test_area_type_breaks_a_tie_before_load(engine, context):
    add_all(engine, *stations())
    add_all(engine, *history(HOME, "S002", 3), *history(HOME, "S003", 3), *open_tickets("S002", 3, overdue=True),
            the_ticket())
    found = suggest(context)
    # the address is urban (a 街道): S002 (urban) before S003 (rural), for all its overdue
    assert [(s.code, s.area_match) for s in found.suggestions] == [("S002", True), ("S003", False)]


def test_later_tickets_and_the_ticket_itself_are_no_history(engine, context):
    add_all(engine, *stations())
    later = [ticket(NOW - timedelta(minutes=m), station_code="S002", address=HOME) for m in (1, 2, 3, 4, 5, 6)]
    add_all(engine, the_ticket(), *later)
    found = suggest(context)
    assert found.evidence.scope == "district"


def test_a_new_address_offers_the_stations_named_after_its_district(engine, context):
    add_all(engine, *stations())
    add_all(engine, *open_tickets("S002", 2, overdue=False), the_ticket("东丽区新立街道新村花园1号"))
    found = suggest(context)
    assert (found.evidence.scope, found.evidence.tickets) == ("district", 0)
    # the current station is listed, marked; the lighter load first
    assert [(s.code, s.current) for s in found.suggestions] == [("S004", False), ("S001", True), ("S002", False)]
    assert [s.code for s in found.targets()] == ["S004", "S002"]
    assert reason_text(found.suggestions[0], found.evidence).startswith(
        "no history: S004 is named after the address's district or county"
    )


def test_no_history_and_no_district_station_suggests_nothing(engine, context):
    add_all(engine, *stations())
    add_all(engine, the_ticket("武清区某某街道1号"))
    found = suggest(context)
    assert found.evidence is None and found.suggestions == ()
    add_all(engine, ticket(NOW, ticket_no="T-NONE", address=None))
    empty = ConsoleStore(context).suggest_stations("T-NONE", NOW)
    assert empty.evidence is None and empty.suggestions == ()


def test_an_unknown_ticket_has_no_suggestions(engine, context):
    add_all(engine, *stations())
    assert ConsoleStore(context).suggest_stations("T-NOPE", NOW) is None


def test_the_village_range_holds_only_the_keys_that_begin_with_the_village(engine, context):
    """A key that sorts next to the village's (its own first characters) is outside it."""
    add_all(engine, *stations())
    add_all(engine, *history("东丽区建设路街道幸福花", "S004", 6), *history(NEIGHBOUR, "S002", 5), the_ticket())
    found = suggest(context)
    assert (found.evidence.scope, found.evidence.tickets) == ("village", 5)
    assert codes(found) == ["S002"]
