"""The generator's flat structures (issue 17's "memory flat"; docs/demo.md, "A province"):
the earlier callers in chunks of a temporary file, given back however generate() ends,
and the address history in open-addressing tables."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime

import pytest

from woq_tui.demo import address_history
from woq_tui.demo.address_history import AddressHistory
from woq_tui.demo.caller_store import CallerStore
from woq_tui.demo.generator import generate
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import make_engine, upgrade

END = datetime(2026, 11, 24, tzinfo=UTC)


def _open_in(directory) -> list[int]:
    """This process's descriptors of files in `directory` (deleted or not)."""
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the listing's own descriptor, closed already
            continue
        if target.startswith(str(directory) + os.sep):
            found.append(int(name))
    return found


def test_each_stations_callers_read_back_in_order_from_the_file(tmp_path):
    rng = random.Random(5)
    with CallerStore(chunk=3, directory=str(tmp_path)) as store:
        stations = [store.station() for _ in range(4)]
        expected: list[list[int]] = [[] for _ in stations]
        for _ in range(500):
            index = int(rng.random() * len(stations))
            value = rng.getrandbits(64)
            stations[index].append(value)
            expected[index].append(value)
            probe = int(rng.random() * len(expected[index]))
            assert stations[index][probe] == expected[index][probe]
        assert [list(station) for station in stations] == expected
        assert [len(station) for station in stations] == [len(e) for e in expected]
        fd = store.fd
        assert fd is not None and _open_in(tmp_path) == [fd]
        assert os.listdir(tmp_path) == []  # unnamed: nothing to leave behind
    assert _open_in(tmp_path) == []
    with pytest.raises(ValueError, match="closed"):
        for _ in range(3):
            stations[0].append(1)


def test_the_address_history_counts_what_a_dict_of_stations_counted(tmp_path, monkeypatch):
    """Random tickets at 300 addresses of 3 stations, some sent elsewhere (the first one
    too), the tables grown many times over: the same {station: tickets} as a plain dict."""
    monkeypatch.setattr(address_history, "_FIRST_BITS", 2)  # the file table of 4 slots at first
    rng = random.Random(9)
    history = AddressHistory(300, CallerStore(directory=str(tmp_path)))
    model: dict[int, dict[str, int]] = {}
    for _ in range(20_000):
        address = int(rng.random() * 300)
        home = f"S{address % 3}"
        assert history.counts(address, home) == model.get(address, {})
        station = home if rng.random() < 0.9 else f"S{int(rng.random() * 6)}"
        history.add_all(((address, home, station),))
        counts = model.setdefault(address, {})
        counts[station] = counts.get(station, 0) + 1
    assert all(history.counts(a, f"S{a % 3}") == model.get(a, {}) for a in range(300))
    assert sum(model[0].values()) > 50


@pytest.mark.parametrize("interruption", [RuntimeError, KeyboardInterrupt])
def test_generate_gives_the_callers_file_back_however_it_ends(tmp_path, monkeypatch, interruption):
    """An exception or a Ctrl-C (KeyboardInterrupt) while the rows are written: the
    temporary file of the callers is closed (its space given back) and never had a
    name in the directory; and so at a normal end."""
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    seen: list[int] = []

    def stop_once_on_disk(count: int) -> None:
        open_now = _open_in(spool)  # the history's table from the start, the callers' file soon
        seen.extend(open_now)
        assert os.listdir(spool) == []
        if len(open_now) >= 2:
            raise interruption("stop")

    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    with pytest.raises(interruption):
        generate(engine, SlaPolicy(), seed=3, stations=10, days=60, end=END, batch_size=500, progress=stop_once_on_disk)
    assert len(set(seen)) >= 2 and _open_in(spool) == [] and os.listdir(spool) == []

    seen.clear()
    other = make_engine(f"sqlite:///{tmp_path / 'whole.db'}")
    upgrade(other)
    generate(other, SlaPolicy(), seed=3, stations=10, days=60, end=END, batch_size=500, progress=lambda n: seen.extend(_open_in(spool)))  # fmt: skip
    assert seen and _open_in(spool) == []
    engine.dispose()
    other.dispose()


SIGINT_CHILD = """
import os, sys, tempfile
from datetime import UTC, datetime
from woq_tui.demo.generator import generate
from woq_tui.domain.sla import SlaPolicy
from woq_tui.store.db import make_engine, upgrade
tempfile.tempdir = sys.argv[1]
engine = make_engine("sqlite:///" + sys.argv[2])
upgrade(engine)
held = []

def progress(count):
    open_now = [int(n) for n in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{n}").startswith(sys.argv[1])]
    if len(open_now) >= 2 and not held:  # the history's table and the callers' file
        held.extend(open_now)
        print("ready", flush=True)
        sys.stdin.readline()  # the parent's Ctrl-C arrives here

try:
    generate(engine, SlaPolicy(), seed=3, stations=10, days=60, end=datetime(2026, 11, 24, tzinfo=UTC), batch_size=500, progress=progress)
    print("finished")
except KeyboardInterrupt:
    still = [fd for fd in held if os.path.exists(f"/proc/self/fd/{fd}") and os.readlink(f"/proc/self/fd/{fd}").startswith(sys.argv[1])]
    print("interrupted", "open" if still else "closed")
"""


def test_a_real_ctrl_c_closes_the_callers_file(tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", SIGINT_CHILD, str(spool), str(tmp_path / "demo.db")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "ready"
    child.send_signal(2)  # SIGINT, as Ctrl-C sends it
    out, _ = child.communicate(timeout=120)
    assert out.strip() == "interrupted closed"
    assert os.listdir(spool) == []
