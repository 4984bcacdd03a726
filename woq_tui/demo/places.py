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
from woq_tui.demo.caller_store import CallerStore, StationCallers
from woq_tui.demo.shape import DAY, StationSpec

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
    address_id: int  # the address's number in the province (RuleTruth's history is keyed by it)

    @classmethod
    def of(cls, phone: str, address: str, place: str, address_id: int) -> Caller:
        """A generated caller: its phone is 11 digits and its address has no space and no
        letter (tests/test_demo_memory.py checks every word it is made of), so each is its
        own key (contact_keys would return the same string, at 1.7 µs a caller)."""
        return cls(phone, address, place, phone, address, address_id)


class _Locality(NamedTuple):
    prefix: str  # the address up to the village / estate
    place: str


# A station's earlier callers are kept packed, one int each (docs/demo.md, "A province":
# as strings they were most of a province's memory): the phone's number
# (names.phone_number), whether the place names the building or group, and the address's
# number at the station, below. The strings are made again when a caller is picked.
_LOCAL_BITS = 19
_LOCAL_MASK = (1 << _LOCAL_BITS) - 1
_PLACE_BIT = 1 << _LOCAL_BITS
_PHONE_SHIFT = _LOCAL_BITS + 1
_PLACE_AND_LOCAL = (1 << _PHONE_SHIFT) - 1
_PACKED = (1 << 64) - 1  # a packed caller fits 64 bits (array "Q")
# An address's number at its station: the households of each locality first (an urban
# estate's 30 buildings × 6 units × 28 floors × 4 rooms, a village's 10 groups × 120
# houses), then the shared addresses of each locality (an estate as such, its 物业, its
# 30 buildings; a village, its 村委会).
BUILDINGS, UNITS, FLOORS, ROOMS = 30, 6, 28, 4
HOUSES = 120
_HOUSEHOLDS = {"urban": BUILDINGS * UNITS * FLOORS * ROOMS, "rural": len(names.NUMERALS) * HOUSES}
_SHARED = {"urban": 2 + BUILDINGS, "rural": 2}
_URBAN_TAILS = ("", "物业")


class StationPlaces:
    """One station's localities and callers; its addresses are numbered from `base` on
    (`addresses` of them), so that a number names one address in the province."""

    def __init__(
        self, rng: random.Random, spec: StationSpec, used: set[str], base: int = 0, callers: StationCallers | None = None
    ) -> None:
        self.rng = rng
        self.area = spec.area
        self.urban = spec.area == "urban"
        self.localities = [_locality(rng, spec, used) for _ in range(LOCALITIES[spec.area])]
        self._households = len(self.localities) * _HOUSEHOLDS["urban" if self.urban else "rural"]
        self._shared = _SHARED["urban" if self.urban else "rural"]
        self.base = base
        self.addresses = self._households + len(self.localities) * self._shared
        assert self.addresses <= _LOCAL_MASK + 1
        # packed (above), in the order they first called; on disk but for the latest
        # (caller_store.py: they grew with the tickets)
        self.callers = callers if callers is not None else CallerStore().station()
        # The last days' callers, each `created << 64 | packed` (one int: a tuple of a
        # Caller's strings was ~450 bytes, 80 MB at a province; docs/demo.md, "A province").
        self.recent: deque[int] = deque()
        self.recent_repairs: deque[int] = deque()

    def caller(self, kind: str, created: int) -> Caller:
        rng = self.rng
        recent, repairs = self.recent, self.recent_repairs
        horizon = (created - _RECENT_SECONDS) << 64  # entry < horizon ⇔ its created < created - RECENT
        while recent and recent[0] < horizon:
            recent.popleft()
        u = rng.random()
        if kind == "repair" and u < REPEAT_FAULT:
            while repairs and repairs[0] < horizon:
                repairs.popleft()
        if kind == "repair" and u < REPEAT_FAULT and repairs:
            packed = names.pick(rng, repairs) & _PACKED
            if rng.random() >= SAME_PHONE:  # a neighbour: names.phone()'s draws
                packed = names.phone_number(rng) << _PHONE_SHIFT | packed & _PLACE_AND_LOCAL
        elif kind != "repair" and u < RECENT_CALLER and recent:
            packed = names.pick(rng, recent) & _PACKED
        elif u < RECENT_CALLER + EARLIER_CALLER and self.callers:
            packed = names.pick(rng, self.callers)
        else:
            packed = self._new_caller()
            self.callers.append(packed)
        entry = created << 64 | packed
        recent.append(entry)
        if kind == "repair":
            repairs.append(entry)
        return self.unpack(packed)

    def _new_caller(self) -> int:
        """A new caller's draws, packed."""
        rng = self.rng
        locality = int(rng.random() * len(self.localities))  # names.pick's draw
        place_bit = 0
        if rng.random() < SHARED_ADDRESS[self.area]:
            if self.urban:
                building = names.between(rng, 1, BUILDINGS)
                tail = int(rng.random() * 4)  # names.pick of ("", 物业, the building, the building)
                tail = tail if tail < 2 else 1 + building
            else:
                tail = 1 if rng.random() < 0.15 else 0  # 村委会
            local = self._households + locality * self._shared + tail
        elif self.urban:
            building, unit = names.between(rng, 1, BUILDINGS), names.between(rng, 1, UNITS)
            floor, room = names.between(rng, 1, FLOORS), names.between(rng, 1, ROOMS)
            local = (((locality * BUILDINGS + building - 1) * UNITS + unit - 1) * FLOORS + floor - 1) * ROOMS + room - 1
            place_bit = _PLACE_BIT if rng.random() >= 0.5 else 0  # the place names the building
        else:
            group = int(rng.random() * len(names.NUMERALS))  # names.pick's draw
            local = (locality * len(names.NUMERALS) + group) * HOUSES + names.between(rng, 1, HOUSES) - 1
            place_bit = _PLACE_BIT if rng.random() >= 0.6 else 0  # the place names the group
        return names.phone_number(rng) << _PHONE_SHIFT | place_bit | local

    def unpack(self, packed: int) -> Caller:
        """The caller of a packed int, its strings made as the draws made them first."""
        phone = names.phone_text(packed >> _PHONE_SHIFT)
        local = packed & _LOCAL_MASK
        address_id = self.base + local
        if local >= self._households:  # a shared address: the place is the address's tail too
            index, tail = divmod(local - self._households, self._shared)
            locality = self.localities[index]
            if self.urban:
                text = _URBAN_TAILS[tail] if tail < 2 else f"{tail - 1}号楼"
            else:
                text = "村委会" if tail else ""
            return Caller.of(phone, locality.prefix + text, locality.place + text, address_id)
        if self.urban:
            rest, room = divmod(local, ROOMS)
            rest, floor = divmod(rest, FLOORS)
            rest, unit = divmod(rest, UNITS)
            index, building = divmod(rest, BUILDINGS)
            locality = self.localities[index]
            building += 1
            place = f"{locality.place}{building}号楼" if packed & _PLACE_BIT else locality.place
            address = f"{locality.prefix}{building}号楼{unit + 1}单元{floor + 1}{room + 1:02d}"
            return Caller.of(phone, address, place, address_id)
        rest, house = divmod(local, HOUSES)
        index, group = divmod(rest, len(names.NUMERALS))
        locality = self.localities[index]
        numeral = names.NUMERALS[group]
        place = f"{locality.place}{numeral}组" if packed & _PLACE_BIT else locality.place
        return Caller.of(phone, f"{locality.prefix}{numeral}组{house + 1}号", place, address_id)


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
