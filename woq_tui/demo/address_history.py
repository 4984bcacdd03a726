"""Every address's history of tickets, by station, in flat arrays (docs/demo.md, "A
province", "Memory").

The planted misrouting needs an address's whole history (docs/audit.md's
station_suspect), so it cannot be bounded. It was a bit while an address had one ticket,
and then a dict entry with an int key (and a {station: tickets} dict once a ticket was
sent elsewhere): ~15 bytes a ticket, the largest part of what still grew. Now:
- a bit per address of the province (a fixed bitmap): it has had a ticket;
- an open-addressing table of 8-byte slots for the addresses with more than one ticket,
  or one sent elsewhere: the address (36 bits), its tickets at its own station (27 bits)
  and whether others exist (1 bit). It lies in a temporary file of the generator's
  (caller_store.py), read and written with os.pread/os.pwrite, doubled at half full:
  the page cache holds it, so the process does not grow with it (in memory it still
  grew by 2-5 bytes a ticket); about one read a ticket at a known address;
- a second table, in memory (two arrays, doubled at 70 %), for those others, rare (a
  misrouted ticket): (address, k) → the k-th other station (interned: stations are
  few) and its tickets.
An address seen once, at its own station, is its bit alone (most addresses).
"""

from __future__ import annotations

import os
import sys
from array import array
from collections.abc import Iterable, Iterator

from woq_tui.demo.caller_store import CallerStore

_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing: consecutive numbers spread out
_M64 = (1 << 64) - 1
_VALUE_BITS = 28  # of a home slot: its count (27 bits) and the "others" flag (bit 0)
_MAX_ADDRESSES = (1 << (64 - _VALUE_BITS)) - 1
_MAX_COUNT = (1 << (_VALUE_BITS - 1)) - 1
_K_BITS = 16  # an address's other stations, numbered 0, 1, …
_LOAD = 0.7  # of the table in memory (the others)
_FIRST_BITS = 16  # 512 KB of file at first
_BLOCK = 8  # slots a read: 64 bytes
_ORDER = sys.byteorder  # of the slots in the file, as array("Q") has them


class _Table:
    """key (≥ 0) → value (≥ 0) in two arrays; 0 marks an empty slot (keys stored + 1)."""

    def __init__(self, bits: int = 10) -> None:
        self._make(bits)

    def _make(self, bits: int) -> None:
        self.keys, self.values = _zeros(bits), _zeros(bits)
        self.mask, self.shift, self.used = (1 << bits) - 1, 64 - bits, 0
        self.limit = int(_LOAD * (1 << bits))

    def _slot(self, stored: int) -> int:
        keys, mask = self.keys, self.mask
        index = (stored * _GOLDEN & _M64) >> self.shift
        while True:
            found = keys[index]
            if found == stored or found == 0:
                return index
            index = (index + 1) & mask

    def get(self, key: int) -> int | None:
        index = self._slot(key + 1)
        return self.values[index] if self.keys[index] else None

    def put(self, key: int, value: int) -> None:
        stored = key + 1
        index = self._slot(stored)
        if not self.keys[index]:
            if self.used >= self.limit:
                self._grow()
                index = self._slot(stored)
            self.keys[index] = stored
            self.used += 1
        self.values[index] = value

    def _grow(self) -> None:
        keys, values = self.keys, self.values
        self._make(64 - self.shift + 1)
        used = 0
        for stored, value in zip(keys, values, strict=True):
            if stored:
                index = self._slot(stored)
                self.keys[index], self.values[index] = stored, value
                used += 1
        self.used = used


class AddressHistory:
    """The stations of the tickets at each of `addresses` addresses (numbered 0 …)."""

    def __init__(self, addresses: int, files: CallerStore | None = None) -> None:
        if addresses > _MAX_ADDRESSES:
            raise ValueError(f"at most {_MAX_ADDRESSES} addresses")
        self._seen = bytearray((addresses + 7) // 8)
        # address → its tickets at its own station << 1 | others: 8-byte slots in a file
        # of the generator's (closed with its callers' file)
        self._files = files if files is not None else CallerStore()
        self._slots = _SlotFile(_FIRST_BITS, self._files)
        self._used = 0
        self._others = _Table()  # address << _K_BITS | k → station id << 32 | tickets
        self._codes: list[str] = []
        self._ids: dict[str, int] = {}

    def counts(self, address: int, home: str) -> dict[str, int]:
        """{station: tickets} of the address (home: the station it belongs to)."""
        if not self._seen[address >> 3] & (1 << (address & 7)):
            return {}
        slot = self._slots.find(address + 1)[1]
        if not slot:
            return {home: 1}
        value = slot & ((1 << _VALUE_BITS) - 1)
        found = {home: value >> 1} if value >> 1 else {}
        if value & 1:
            codes, others, base = self._codes, self._others, address << _K_BITS
            k = 0
            while (other := others.get(base | k)) is not None:
                found[codes[other >> 32]] = other & 0xFFFF_FFFF
                k += 1
        return found

    def add_all(self, tickets: Iterable[tuple[int, str, str]]) -> None:
        """(address, home, station) of tickets, in order: one loop, no call for the
        first ticket at an address (most tickets)."""
        seen = self._seen
        for address, home, station in tickets:
            byte, bit = address >> 3, 1 << (address & 7)
            if not seen[byte] & bit:  # its first ticket
                seen[byte] |= bit
                if station != home:
                    self._put(address + 1, 1, *self._slots.find(address + 1))  # none at home, others
                    self._other(address, station)
            else:
                self._again(address, home, station)

    def _again(self, address: int, home: str, station: str) -> None:
        stored = address + 1
        index, slot = self._slots.find(stored)
        value = slot & ((1 << _VALUE_BITS) - 1) if slot else 2  # one ticket so far, at home
        if station == home:
            if value >> 1 >= _MAX_COUNT:
                raise OverflowError("more tickets at one address than the history counts")
            value += 2
        else:
            value |= 1
            self._other(address, station)
        if slot:
            self._slots.write(index, stored << _VALUE_BITS | value)
        else:
            self._put(stored, value, index, slot)

    def _other(self, address: int, station: str) -> None:
        station_id = self._ids.get(station)
        if station_id is None:
            station_id = self._ids[station] = len(self._codes)
            self._codes.append(station)
        others, base, k = self._others, address << _K_BITS, 0
        while (other := others.get(base | k)) is not None:
            if other >> 32 == station_id:
                others.put(base | k, other + 1)
                return
            k += 1
        if k >> _K_BITS:
            raise OverflowError("more stations at one address than the history numbers")
        others.put(base | k, station_id << 32 | 1)

    def _put(self, stored: int, value: int, index: int, _empty: int) -> None:
        """A new address in the table, where find() placed it (an empty slot)."""
        slots = self._slots
        if self._used >= slots.limit:  # a file twice the size, the slots placed again
            grown = _SlotFile(slots.bits + 1, self._files)
            for slot in slots.filled():
                grown.write(grown.find(slot >> _VALUE_BITS)[0], slot)
            slots.close()
            slots = self._slots = grown
            index = slots.find(stored)[0]
        slots.write(index, stored << _VALUE_BITS | value)
        self._used += 1


class _SlotFile:
    """2**bits 8-byte slots (0: empty) in a temporary file, read and written with
    os.pread/os.pwrite: the page cache holds them, not the process. Linear probing,
    _BLOCK slots a read; at most half full, so most lookups are one read."""

    def __init__(self, bits: int, files: CallerStore) -> None:
        self.file = files.temporary_file()
        self.fd = self.file.fileno()
        os.ftruncate(self.fd, 8 << bits)  # zeros, and sparse until written
        self.bits, self.size, self.shift = bits, 1 << bits, 64 - bits
        self.limit = (1 << bits) // 2

    def find(self, stored: int) -> tuple[int, int]:
        """(index, slot) of the key's slot, or of the empty one where it would go."""
        fd, size = self.fd, self.size
        index = (stored * _GOLDEN & _M64) >> self.shift
        while True:
            count = min(_BLOCK, size - index)
            data = os.pread(fd, 8 * count, 8 * index)
            slot = int.from_bytes(data[:8], _ORDER)  # at most half full: mostly the first
            if not slot or slot >> _VALUE_BITS == stored:
                return index, slot
            block = array("Q")
            block.frombytes(data)
            for offset, slot in enumerate(block):
                if not slot or slot >> _VALUE_BITS == stored:
                    return index + offset, slot
            index = (index + count) & (size - 1)

    def write(self, index: int, slot: int) -> None:
        if os.pwrite(self.fd, slot.to_bytes(8, _ORDER), 8 * index) != 8:  # the disk is full
            raise OSError("could not write the address history")

    def filled(self) -> Iterator[int]:
        for start in range(0, self.size, 8192):
            block = array("Q")
            block.frombytes(os.pread(self.fd, 8 * min(8192, self.size - start), 8 * start))
            yield from (slot for slot in block if slot)

    def close(self) -> None:
        self.file.close()


def _zeros(bits: int) -> array:
    """2**bits empty slots (no bytes object of that size on the way)."""
    return array("Q", [0]) * (1 << bits)
