"""The generator's memory at a province (issue 17; docs/demo.md, "A province"): the
earlier callers kept packed (on disk: caller_store.py), the address history by number
(address_history.py), no ground truth kept without `planted`, and a seed's rows exactly
as they were before."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime

from woq_tui.demo import names
from woq_tui.demo.generator import Generator, make_stations
from woq_tui.demo.places import StationPlaces
from woq_tui.demo.planted import RuleTruth
from woq_tui.demo.writer import TICKET_COLUMNS
from woq_tui.domain.contact_keys import address_key, phone_key
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.collection_pause import collections_paused

END = datetime(2026, 11, 24, tzinfo=UTC)
CREATED = TICKET_COLUMNS.index("created_at")


def _rows_digest(stations: int, days: int) -> tuple[int, str]:
    """(tickets, sha256 of every ticket row, its events and the ground truth, in order)."""
    generator = Generator(SlaPolicy(), 95598, stations, days, END, planted=True)
    events: list[tuple] = []
    generator.events = events
    digest, count = hashlib.sha256(), 0
    for row in generator.tickets():
        count += 1
        digest.update(repr(row).encode())
        digest.update(repr(events).encode())
        events.clear()
    planted = generator.truth.planted()
    digest.update(repr(sorted((kind, sorted(flagged)) for kind, flagged in planted.flags.items())).encode())
    digest.update(repr((sorted(planted.right_station.items()), sorted(planted.true_type.items()))).encode())
    return count, digest.hexdigest()


def test_a_seed_gives_the_rows_it_gave_before_the_callers_were_packed():
    # computed with the generator of before this change (callers as strings, the history by key)
    assert _rows_digest(40, 45) == (16_021, "7b22eeeeddae0b94f866cd431bad4257cd72962aae9f6281259e4a49b93c47c1")


def test_the_state_grows_by_a_few_bytes_a_ticket():
    """The memory the generator holds on to, per ticket made after its first month (when
    the recent callers, six days' worth, are there already); tracemalloc counts bytes
    allocated, not time. With the callers as strings and the history by key it was ~300."""
    with collections_paused():
        generator = Generator(SlaPolicy(), 7, 40, 80, END)
        generator.events = _Discard()
        month = generator.start + 30 * 86_400
        tracemalloc.start()
        try:
            held_at, counted = None, 0
            for row in generator.tickets():
                if held_at is None and row[CREATED] >= month:
                    held_at = tracemalloc.get_traced_memory()[0]
                counted += held_at is not None
            assert held_at is not None
            held = tracemalloc.get_traced_memory()[0] - held_at
        finally:
            tracemalloc.stop()
    assert counted > 15_000
    assert held / counted < 60, held / counted


HELD_CHILD = """
import sys, tracemalloc
from datetime import UTC, datetime
from woq_tui.demo.generator import Generator
from woq_tui.demo.writer import TICKET_COLUMNS
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.collection_pause import collections_paused
CREATED = TICKET_COLUMNS.index("created_at")

class Discard:
    def append(self, event):
        pass

with collections_paused():
    generator = Generator(SlaPolicy(), 7, 60, 120, datetime(2026, 11, 24, tzinfo=UTC))
    generator.events = Discard()
    month = generator.start + 30 * 86_400
    tracemalloc.start()
    held_at, counted = None, 0
    for row in generator.tickets():
        if held_at is None and row[CREATED] >= month:
            held_at = tracemalloc.get_traced_memory()[0]
        counted += held_at is not None
    print(counted, tracemalloc.get_traced_memory()[0] - held_at)
"""


def test_memory_is_flat_after_the_first_month():
    """Issue 17's "memory flat", in a process of its own (nothing of pytest's counted):
    what the generator holds on to per ticket after the first month, 60 stations × 120
    days. Before the callers went to disk and the history to flat tables it was ~23
    bytes (the packed callers 8 a caller, the repeated addresses' dict entries and the
    due-time cache by day); now under 1 (the callers' tails, the rare misrouted
    addresses' table)."""
    out = subprocess.run([sys.executable, "-c", HELD_CHILD], capture_output=True, text=True, check=True).stdout
    counted, held = map(int, out.split())
    assert counted > 40_000
    assert held / counted < 8, held / counted


def test_an_address_and_its_number_are_one_to_one():
    """The history counts tickets by address number as it counted them by address key:
    one number, one address, and the other way round."""
    generator = Generator(SlaPolicy(), 3, 300, 20, END)
    generator.events = _Discard()
    by_number: dict[int, str] = {}
    by_address: dict[str, int] = {}
    for _row in generator.tickets():
        pass
    for places in generator.places.values():
        for packed in places.callers:
            caller = places.unpack(packed)
            assert (caller.phone_key, caller.address_key) == (phone_key(caller.phone), address_key(caller.address))
            assert places.base <= caller.address_id < places.base + places.addresses
            assert by_number.setdefault(caller.address_id, caller.address) == caller.address
            assert by_address.setdefault(caller.address, caller.address_id) == caller.address_id
    assert len(by_number) > 40_000


def test_no_locality_is_the_beginning_of_another():
    """Why a different number is a different address: the households and shared
    addresses of a locality are its prefix and a tail, and no prefix of a province's
    localities begins another."""
    rng, used = random.Random(11), set()
    prefixes = sorted(
        locality.prefix
        for spec in make_stations(random.Random(11), 3000)
        for locality in StationPlaces(rng, spec, used).localities
    )
    assert len(prefixes) == len(set(prefixes)) > 60_000
    # and every address is its own key (places.Caller.of): no space, nothing to case-fold
    tails = "0123456789" + names.NUMERALS + "号楼单元组村委会物业"
    assert all(address_key(prefix + tails) == prefix + tails for prefix in prefixes)
    assert not any(later.startswith(earlier) for earlier, later in zip(prefixes, prefixes[1:], strict=False))


def test_without_planted_no_ground_truth_is_kept():
    truth = RuleTruth(0, rules=False, addresses=8)
    truth.misclassified("T1", "repair")
    truth.misrouted("T1", "S001")
    truth.due_mismatch("T1")
    assert not truth.true_type and not truth.right_station and not any(truth.sets.values())


class _Discard:
    def append(self, event: tuple) -> None:
        pass
