"""The address parser (domain/address_parts.py): real 95598-style addresses, the demo's,
and what the suggestions' prefix ranges are made of."""

from __future__ import annotations

import random

import pytest

from woq_tui.demo import names
from woq_tui.domain.address_parts import is_urban, parse_address, prefixes
from woq_tui.domain.contact_keys import address_key


def parts_of(raw: str) -> dict[str, str]:
    parts = parse_address(raw)
    assert parts is not None
    return {level: getattr(parts, level) for level in
            ("province", "city", "district", "town", "village", "road", "number") if getattr(parts, level)}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "天津市河西区友谊路街道平山道社区友谊路12号3单元",
            {"province": "天津市", "district": "河西区", "town": "友谊路街道", "village": "平山道社区",
             "road": "友谊路", "number": "12号3单元"},
        ),
        (
            "河北省廊坊市固安县柳泉镇北大王村三组12号",
            {"province": "河北省", "city": "廊坊市", "district": "固安县", "town": "柳泉镇", "village": "北大王村",
             "number": "三组12号"},
        ),
        (
            "北京市朝阳区建外街道建国门外大街1号",
            {"province": "北京市", "district": "朝阳区", "town": "建外街道", "road": "建国门外大街", "number": "1号"},
        ),
        # a county-level city after its prefecture, an autonomous region
        ("河北省廊坊市霸州市南孟镇", {"province": "河北省", "city": "廊坊市", "district": "霸州市", "town": "南孟镇"}),
        ("广西壮族自治区南宁市青秀区新竹街道", {"province": "广西壮族自治区", "city": "南宁市", "district": "青秀区", "town": "新竹街道"}),
        # the demo's: an estate without a suffix is the community; a road's name inside a street's
        (
            "东丽区建设路街道幸福花园12号楼3单元1502",
            {"district": "东丽区", "town": "建设路街道", "village": "幸福花园", "number": "12号楼3单元1502"},
        ),
        ("西青区黄河道街道胜利新村14号楼", {"district": "西青区", "town": "黄河道街道", "village": "胜利新村", "number": "14号楼"}),
        ("宝坻县大口屯镇李庄村三组45号", {"district": "宝坻县", "town": "大口屯镇", "village": "李庄村", "number": "三组45号"}),
        # a suffix at the start of a name is part of the name
        ("道里区", {"district": "道里区"}),
        ("12号", {"number": "12号"}),
    ],
)
def test_parts(raw, expected):
    assert parts_of(raw) == expected


def test_missing_and_blank_addresses_have_no_parts():
    assert parse_address(None) is None
    assert parse_address("  \t") is None
    assert prefixes(None) == ()


def test_prefixes_are_narrowest_first_and_prefixes_of_the_normalised_key():
    raw = " 天津市河西区 友谊路街道平山道社区友谊路12号3单元"
    found = prefixes(parse_address(raw))
    assert [level for level, _ in found] == ["road", "village", "town"]
    assert [address_key(text) for _, text in found] == [
        "天津市河西区友谊路街道平山道社区友谊路", "天津市河西区友谊路街道平山道社区", "天津市河西区友谊路街道",
    ]
    assert all(address_key(raw).startswith(address_key(text)) for _, text in found)
    # the whole address is no prefix of itself: it is the exact scope
    assert prefixes(parse_address("宝坻县大口屯镇李庄村")) == (("town", "宝坻县大口屯镇"),)


def test_every_demo_address_parses_to_district_town_village_number_and_its_area():
    rng = random.Random(7)
    for n in range(600):
        area = ("urban", "rural", "remote")[n % 3]
        county = names.pick(rng, names.DISTRICTS if area == "urban" else names.COUNTIES)
        parts = parse_address(names.address(rng, area, county))
        assert parts.district and parts.town and parts.village and parts.number, parts
        assert is_urban(parts) is (area == "urban"), parts


def test_area_of_an_address():
    assert is_urban(parse_address("东丽区建设路街道幸福花园1号")) is True
    assert is_urban(parse_address("平山道社区友谊路12号")) is True
    assert is_urban(parse_address("北大王村三组12号")) is False
    assert is_urban(parse_address("友谊路12号")) is None
