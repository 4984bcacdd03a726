"""Station names at a province's count (issue 17): unique, realistic, deterministic,
codes that sort, and quick (demo/names.py)."""

from __future__ import annotations

import random

from woq_tui.demo.generator import make_stations
from woq_tui.demo.names import chinese_ordinal, station_name
from woq_tui.domain.stations import STATION_SUFFIX


def test_three_thousand_stations_have_unique_names_and_sorting_codes():
    specs = make_stations(random.Random(17), 3000)
    names = [spec.name for spec in specs]
    codes = [spec.code for spec in specs]
    assert len(set(names)) == 3000
    assert all(name.endswith(STATION_SUFFIX) and len(name) <= 16 for name in names)
    assert codes[0] == "S0001" and codes[-1] == "S3000" and codes == sorted(codes)
    # there are more urban stations than the classic 12 × 12 urban names
    assert sum(spec.area == "urban" for spec in specs) > 144
    assert all(spec.initials for spec in specs)


def test_names_are_deterministic_for_a_seed():
    first = [(spec.code, spec.name, spec.county) for spec in make_stations(random.Random(5), 3000)]
    again = [(spec.code, spec.name, spec.county) for spec in make_stations(random.Random(5), 3000)]
    other = [(spec.code, spec.name, spec.county) for spec in make_stations(random.Random(6), 3000)]
    assert first == again
    assert first != other


def test_a_full_name_space_goes_on_with_ordinals():
    rng, used = random.Random(1), set()
    drawn = [station_name(rng, "urban", used) for _ in range(4000)]  # beyond 44 × 40 urban places
    assert len({name for name, _ in drawn}) == 4000
    assert any("第二" in name for name, _ in drawn)
    assert [chinese_ordinal(n) for n in (2, 10, 11, 20, 23)] == ["第二", "第十", "第十一", "第二十", "第二十三"]
