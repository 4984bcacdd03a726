"""Chinese words for the demo: station names, addresses, phone numbers (summaries:
woq_tui/demo/summaries.py).

Places are invented from common place-name parts (no list of real villages), phone
numbers are random 11-digit mobile numbers (shown masked in the console). Everything
draws from the `random.Random` it is given, so a seed reproduces it.
"""

from __future__ import annotations

import random
import re
from functools import cache

from woq_tui.domain.stations import STATION_SUFFIX

# County-level names of a provincial company's service area (districts for urban
# stations, counties for rural and remote ones).
DISTRICTS = ("东丽", "西青", "河东", "河西", "南开", "红桥", "北辰", "津南", "滨海", "和平", "城关", "河北")
COUNTIES = (
    "武清", "宝坻", "宁河", "静海", "蓟州", "青县", "大城", "文安", "永清", "固安",
    "霸州", "献县", "阜城", "景县", "故城", "枣强", "武邑", "饶阳", "安平", "深泽",
)
MOUNTAIN_COUNTIES = ("兴隆", "围场", "丰宁", "平泉", "宽城", "青龙", "涞源", "阜平", "赤城", "崇礼", "康保", "沽源")
URBAN_PARTS = ("城东", "城西", "城南", "城北", "中心", "新城", "开发区", "高新", "港城", "站前", "湖滨", "河畔")
_TOWN_FIRST = "大小王李张刘杨陈赵孙马石黄白新古高柳桃龙凤沙河山东西南北上下前后双"
_TOWN_SECOND = "庄口屯集桥店营堡沟坪寨铺湾岭头坡洼台园寺峪"
STREETS = ("建设", "解放", "人民", "胜利", "和平", "团结", "光明", "幸福", "复兴", "友谊", "长江", "黄河", "中山", "新华")
STREET_KINDS = ("路", "大街", "道")
ESTATES = ("花园", "家园", "小区", "新村", "公寓", "嘉苑", "雅居", "福地")
NUMERALS = "一二三四五六七八九十"
_PLACE = re.compile(r"[镇乡]([^镇乡]+?村)|街道(.+?(?:花园|家园|小区|新村|公寓|嘉苑|雅居|福地))")

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "176", "177", "180", "181", "186", "187", "188", "189",
)

REASSIGN_REASONS = (
    "派错供电所，地址不属本所辖区",
    "工单分类错误，重新派发",
    "客户地址有误，核实后改派",
    "跨台区故障，转交责任供电所",
)


def pick(rng: random.Random, items):
    """rng.choice, about three times faster (one float instead of getrandbits loops)."""
    return items[int(rng.random() * len(items))]


def between(rng: random.Random, low: int, high: int) -> int:
    """rng.randint(low, high), the fast way."""
    return low + int(rng.random() * (high - low + 1))


def town(rng: random.Random) -> str:
    return pick(rng, _TOWN_FIRST) + pick(rng, _TOWN_SECOND)


# Random draws from the classic space before widening it: a hundred stations never get
# that far (their names stay what a seed always gave), a province's urban ones do.
NAME_ATTEMPTS = 32
# Street-named urban stations (建设路供电所), for the widened space.
URBAN_STREET_PARTS = tuple(f"{street}路" for street in STREETS) + tuple(f"{street}街" for street in STREETS)


def _classic_name(rng: random.Random, area: str) -> tuple[str, str]:
    if area == "urban":
        return pick(rng, DISTRICTS), pick(rng, URBAN_PARTS)
    return pick(rng, COUNTIES if area == "rural" else MOUNTAIN_COUNTIES), town(rng)


@cache
def _widened_space(area: str) -> tuple[tuple[str, str], ...]:
    """(county, place) pairs beyond the classic draws: every county of the province
    (county towns have urban stations too: 武清城东供电所), urban places also named
    after streets; 44 × 40 urban, 44 × 672 rural or remote names."""
    counties = DISTRICTS + COUNTIES + MOUNTAIN_COUNTIES
    if area == "urban":
        places = URBAN_PARTS + URBAN_STREET_PARTS
    else:
        places = tuple(first + second for first in _TOWN_FIRST for second in _TOWN_SECOND)
    return tuple((county, place) for county in counties for place in places)


def chinese_ordinal(number: int) -> str:
    """第二, 第十一, 第二十三 … (2 ≤ number ≤ 99): how a second station of one place is named."""
    tens, units = divmod(number, 10)
    text = ("" if tens < 2 else NUMERALS[tens - 1]) + ("十" if tens else "") + (NUMERALS[units - 1] if units else "")
    return "第" + text


def station_name(rng: random.Random, area: str, used: set[str]) -> tuple[str, str]:
    """(name, county) for a new station, not in `used` (which it joins): 东丽城东供电所,
    宝坻大口屯供电所, … A few random draws from the classic space first; when those
    keep hitting used names (a province has more urban stations than 12 districts × 12
    places), the first unused name of the widened space from a random point, then the
    same with 第二, 第三 … (城东第二供电所): any count ends, deterministic for a seed."""
    for _ in range(NAME_ATTEMPTS):
        county, place = _classic_name(rng, area)
        name = f"{county}{place}{STATION_SUFFIX}"
        if name not in used:
            used.add(name)
            return name, county
    space = _widened_space(area)
    start = int(rng.random() * len(space))
    for number in range(1, 100):
        ordinal = "" if number == 1 else chinese_ordinal(number)
        for step in range(len(space)):
            county, place = space[(start + step) % len(space)]
            name = f"{county}{place}{ordinal}{STATION_SUFFIX}"
            if name not in used:
                used.add(name)
                return name, county
    raise ValueError(f"more than {99 * len(space)} {area} stations")


def address(rng: random.Random, area: str, county: str) -> str:
    if area == "urban":
        suffix = "" if county.endswith("区") else "区"
        street = pick(rng, STREETS) + pick(rng, STREET_KINDS)
        estate = pick(rng, STREETS) + pick(rng, ESTATES)
        return (
            f"{county}{suffix}{street}街道{estate}{between(rng, 1, 30)}号楼"
            f"{between(rng, 1, 6)}单元{between(rng, 1, 28)}{between(rng, 1, 4):02d}"
        )
    kind = "镇" if area == "rural" else "乡"
    county_suffix = "" if county.endswith("县") else "县"
    return f"{county}{county_suffix}{town(rng)}{kind}{town(rng)}村{pick(rng, NUMERALS)}组{between(rng, 1, 120)}号"


def place_of(address: str) -> str:
    """The short place a caller names: the village (王庄村) or the estate (幸福花园)."""
    found = _PLACE.search(address)
    return (found.group(1) or found.group(2)) if found else ""


def phone(rng: random.Random) -> str:
    return pick(rng, MOBILE_PREFIXES) + f"{int(rng.random() * 100_000_000):08d}"


def phone_number(rng: random.Random) -> int:
    """phone()'s draws as one int (prefix index × 10^8 + the 8 digits), for a packed caller."""
    return int(rng.random() * len(MOBILE_PREFIXES)) * 100_000_000 + int(rng.random() * 100_000_000)


def phone_text(number: int) -> str:
    """The phone of phone_number(): what phone() gives for the same draws."""
    prefix, digits = divmod(number, 100_000_000)
    return MOBILE_PREFIXES[prefix] + f"{digits:08d}"
