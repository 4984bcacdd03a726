"""Where the demo's callers live, and who calls again (docs/demo.md, "Callers and places").

Each station serves its own villages (rural, remote) or estates (urban), none shared
with another station. A new caller lives at a household address there; a fifth of the
rural callers give only the village (王庄村, 村委会), a tenth of the urban ones only
the estate or the building, so such addresses gather many tickets: that is the history
the routing model (docs/audit.md, station_suspect) learns from. Callers call again: the
same matter within days (a repeat call), a repair at the same address again (a repeat
fault), or any earlier caller of the station.
"""

from __future__ import annotations

import random
from collections import deque
from typing import NamedTuple

from woq_tui.demo import names
from woq_tui.demo.shape import DAY, StationSpec
from woq_tui.domain.contact_keys import address_key, phone_key

LOCALITIES = {"urban": 24, "rural": 20, "remote": 18}
# A new caller gives only the village / estate (or its committee, its building).
SHARED_ADDRESS = {"urban": 0.10, "rural": 0.20, "remote": 0.20}
# Per ticket: a repair again at an address repaired in the last days, the same caller
# again within days (催办, the problem back), an earlier caller of the station.
REPEAT_FAULT = 0.03  # of repairs
RECENT_CALLER = 0.05
EARLIER_CALLER = 0.15
RECENT_DAYS = 6.5  # a recent repeat lands inside docs/audit.md's 7-day window
SAME_PHONE = 0.8  # a repeat fault reported by the same caller (else a neighbour)
_RECENT_SECONDS = int(RECENT_DAYS * DAY)


class Caller(NamedTuple):
    phone: str
    address: str
    place: str  # the short place a caller names in the summary (王庄村, 幸福花园)
    phone_key: str | None  # woq_tui.domain.contact_keys, computed once per caller
    address_key: str | None

    @classmethod
    def of(cls, phone: str, address: str, place: str) -> Caller:
        return cls(phone, address, place, phone_key(phone), address_key(address))


class _Locality(NamedTuple):
    prefix: str  # the address up to the village / estate
    place: str


class StationPlaces:
    """One station's localities and callers."""

    def __init__(self, rng: random.Random, spec: StationSpec, used: set[str]) -> None:
        self.rng = rng
        self.area = spec.area
        self.localities = [_locality(rng, spec, used) for _ in range(LOCALITIES[spec.area])]
        self.callers: list[Caller] = []
        self.recent: deque[tuple[int, Caller]] = deque()
        self.recent_repairs: deque[tuple[int, Caller]] = deque()

    def caller(self, kind: str, created: int) -> Caller:
        rng = self.rng
        recent, repairs = self.recent, self.recent_repairs
        horizon = created - _RECENT_SECONDS
        while recent and recent[0][0] < horizon:
            recent.popleft()
        u = rng.random()
        if kind == "repair" and u < REPEAT_FAULT:
            while repairs and repairs[0][0] < horizon:
                repairs.popleft()
        if kind == "repair" and u < REPEAT_FAULT and repairs:
            found = names.pick(rng, repairs)[1]
            if rng.random() >= SAME_PHONE:
                found = Caller(names.phone(rng), found.address, found.place, None, found.address_key)
                found = found._replace(phone_key=phone_key(found.phone))
        elif kind != "repair" and u < RECENT_CALLER and recent:
            found = names.pick(rng, recent)[1]
        elif u < RECENT_CALLER + EARLIER_CALLER and self.callers:
            found = names.pick(rng, self.callers)
        else:
            found = self._new_caller()
            self.callers.append(found)
        recent.append((created, found))
        if kind == "repair":
            repairs.append((created, found))
        return found

    def _new_caller(self) -> Caller:
        rng = self.rng
        locality = names.pick(rng, self.localities)
        if rng.random() < SHARED_ADDRESS[self.area]:
            if self.area == "urban":
                building = f"{names.between(rng, 1, 30)}号楼"
                tail = names.pick(rng, ("", "物业", building, building))
                return Caller.of(names.phone(rng), locality.prefix + tail, locality.place + tail)
            tail = "村委会" if rng.random() < 0.15 else ""
            return Caller.of(names.phone(rng), locality.prefix + tail, locality.place + tail)
        if self.area == "urban":
            building_no, unit = names.between(rng, 1, 30), names.between(rng, 1, 6)
            room = f"{names.between(rng, 1, 28)}{names.between(rng, 1, 4):02d}"
            place = locality.place if rng.random() < 0.5 else f"{locality.place}{building_no}号楼"
            return Caller.of(names.phone(rng), f"{locality.prefix}{building_no}号楼{unit}单元{room}", place)
        group = names.pick(rng, names.NUMERALS)
        house = names.between(rng, 1, 120)
        place = locality.place if rng.random() < 0.6 else f"{locality.place}{group}组"
        return Caller.of(names.phone(rng), f"{locality.prefix}{group}组{house}号", place)


def _locality(rng: random.Random, spec: StationSpec, used: set[str]) -> _Locality:
    """A village (镇/乡 + 村) or an estate (街道 + 小区) no other station serves."""
    county = spec.county
    while True:
        if spec.area == "urban":
            suffix = "" if county.endswith("区") else "区"
            street = names.pick(rng, names.STREETS) + names.pick(rng, names.STREET_KINDS)
            estate = names.pick(rng, names.STREETS) + names.pick(rng, names.ESTATES)
            prefix, place = f"{county}{suffix}{street}街道{estate}", estate
        else:
            kind = "镇" if spec.area == "rural" else "乡"
            county_suffix = "" if county.endswith("县") else "县"
            village = f"{names.town(rng)}村"
            prefix, place = f"{county}{county_suffix}{names.town(rng)}{kind}{village}", village
        if prefix not in used:
            used.add(prefix)
            return _Locality(prefix, place)
