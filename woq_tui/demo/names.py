"""Chinese words for the demo: station names, addresses, summaries, phone numbers.

Places are invented from common place-name parts (no list of real villages), phone
numbers are random 11-digit mobile numbers (shown masked in the console), summaries are
the kind of thing a 95598 agent types, by ticket type. Everything draws from the
`random.Random` it is given, so a seed reproduces it.
"""

from __future__ import annotations

import random
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

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "176", "177", "180", "181", "186", "187", "188", "189",
)

SUMMARIES: dict[str, tuple[str, ...]] = {
    "repair": (
        "家中停电，邻居家有电",
        "整片停电，{since}起一直没电",
        "电压低，空调和冰箱无法启动",
        "电压忽高忽低，灯光闪烁",
        "电能表黑屏，表计故障",
        "表箱内有焦糊味，疑似接线松动",
        "进户线被树枝压断",
        "漏电保护器频繁跳闸",
        "电线杆倾斜，有倒杆风险",
        "变压器有异响并冒烟",
        "低压线路打火花，请尽快处理",
        "大风后线路断线，村里停电",
        "预付费电表已充值但仍未送电",
        "三相电缺相，水泵无法运转",
    ),
    "complaint": (
        "投诉抢修慢，报修{hours}小时仍未到场",
        "投诉频繁停电，本月已停电{times}次",
        "投诉停电未提前通知",
        "投诉电费计算有误，本月电费异常偏高",
        "投诉抢修人员服务态度差",
        "投诉抢修后不久再次停电",
        "投诉装表接电超过承诺时限",
        "投诉营业厅排队时间过长",
        "投诉电压长期偏低未解决",
        "投诉上次报修工单无人回复",
    ),
    "consultation": (
        "电费咨询：本月电费比上月高很多",
        "咨询阶梯电价标准",
        "咨询本周计划停电时间",
        "咨询如何办理过户",
        "咨询网上国网缴费方法",
        "咨询分布式光伏并网流程",
        "咨询新装电表需要的材料",
        "咨询电动汽车充电桩报装",
        "咨询峰谷电价如何申请",
        "咨询欠费停电后复电时间",
        "咨询电费发票开具",
        "咨询增容办理进度",
    ),
    "suggestion": (
        "建议停电前通过短信提前通知",
        "建议在乡镇增设缴费网点",
        "建议网上国网增加用电分析功能",
        "建议抢修后及时回访",
        "建议公开停电计划到村委会",
        "建议营业厅延长周末营业时间",
    ),
    "report": (
        "举报有人窃电",
        "举报私拉乱接电线",
        "举报工作人员吃拿卡要",
        "举报违章建筑占压电力线路",
    ),
    "service_request": (
        "申请更名过户",
        "申请增加用电容量",
        "申请新装居民用电",
        "申请暂停用电",
        "申请校验电能表",
        "申请迁移表箱",
    ),
    "praise": (
        "表扬抢修人员冒雨及时恢复送电",
        "表扬客户经理服务周到",
        "表扬营业厅工作人员耐心解答",
    ),
    "other": (
        "催办上次报修工单",
        "查询工单处理进度",
        "反映电力设施存在安全隐患",
        "反映路边配电箱门未关",
        "询问营业厅地址和营业时间",
        "反映电力线路离房屋太近",
        "要求补发停电通知",
        "反映表箱锈蚀损坏",
    ),
}
_SINCE = ("今天早上", "昨晚", "中午", "下午三点", "凌晨", "两小时前")

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


def summary(rng: random.Random, kind: str) -> str:
    text = pick(rng, SUMMARIES[kind])
    if "{" in text:
        text = text.format(since=pick(rng, _SINCE), hours=between(rng, 2, 8), times=between(rng, 3, 6))
    return text


def phone(rng: random.Random) -> str:
    return pick(rng, MOBILE_PREFIXES) + f"{int(rng.random() * 100_000_000):08d}"
