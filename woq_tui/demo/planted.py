"""The ground truth of the demo's quality defects (docs/demo.md, "Planted defects").

`Planted` maps each audit rule id of docs/audit.md to the ticket_nos of a generated demo on
which the rule's condition holds at the demo's end instant (with the default `[audit]`
thresholds), so that a bench measures each rule's precision and recall against it:
- the record rules (missing_*, status_mismatch, time_order, too_fast, due_mismatch,
  repeat_call, repeat_fault, repeat_dispatch, reopened) by their condition on the rows
  as written, planted or not (a natural repeat call is one too);
- `type_suspect`: the misclassified tickets (their summary written for another type,
  `true_type`), which a good classifier should find;
- `station_suspect`: the tickets whose address history is held (≥ 80 % of at least 5
  earlier tickets) by another station: the misrouted ones, with `right_station`.

`generator.planted_defects(seed, stations, days, end)` rebuilds it without a database (the same
draws as `generate`, whose result carries it as `result.planted`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from woq_tui.demo.address_history import AddressHistory
from woq_tui.demo.caller_store import CallerStore
from woq_tui.demo.writer import TICKET_COLUMNS

DAY = 86_400
# docs/audit.md's defaults ([audit] in docs/configuration.md).
SURVEY_DAYS = 3
TOO_FAST_MINUTES = 10
REPEAT_DAYS = 7
ROUTE_THRESHOLD = 0.8
ROUTE_MIN_HISTORY = 5
KINDS = (
    "missing_summary", "missing_address", "missing_arrival", "missing_contact", "missing_survey",
    "status_mismatch", "time_order", "too_fast", "due_mismatch", "repeat_call", "repeat_fault",
    "repeat_dispatch", "reopened", "type_suspect", "station_suspect",
)  # fmt: skip
OPEN = frozenset({"new", "dispatched", "accepted", "in_progress"})
_COL = {name: index for index, name in enumerate(TICKET_COLUMNS)}
_STATION, _STATUS, _DUE, _SUMMARY, _ADDRESS = (_COL[n] for n in ("station_code", "status", "due_at", "summary", "address"))
_SATISFACTION, _DISPATCHES, _REOPENS = _COL["satisfaction"], _COL["dispatch_count"], _COL["reopen_count"]
_PHONE_KEY, _ADDRESS_KEY = _COL["phone_key"], _COL["address_key"]
# status .. closed_at are consecutive columns, read in one slice
assert TICKET_COLUMNS[_STATUS:_DUE] == (
    "status", "created_at", "first_response_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at"
)


@dataclass(frozen=True, eq=False)
class Planted(Mapping):
    """rule id -> frozenset of ticket_nos; plus what the model-based rules should say."""

    flags: Mapping[str, frozenset[str]]
    right_station: Mapping[str, str] = field(default_factory=dict)  # misrouted ticket_no -> its station
    true_type: Mapping[str, str] = field(default_factory=dict)  # misclassified ticket_no -> its summary's type
    tickets: int = 0

    def __getitem__(self, kind: str) -> frozenset[str]:
        return self.flags[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self.flags)

    def __len__(self) -> int:
        return len(self.flags)

    def rate(self, kind: str) -> float:
        return len(self.flags[kind]) / self.tickets if self.tickets else 0.0


class RuleTruth:
    """Collects, ticket by ticket in creation order, where each rule's condition holds."""

    def __init__(self, end: int, rules: bool = True, addresses: int = 0, files: CallerStore | None = None) -> None:
        self.end = end
        # Without the rules only the address history is kept (the generator routes by it).
        self.rules = rules
        self.sets: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self.right_station: dict[str, str] = {}
        self.true_type: dict[str, str] = {}
        self.tickets = 0
        # key -> (latest created, the latest before it): "earlier" is by created_at, so a
        # ticket of the same second does not count (docs/audit.md, "Cohort and evaluation").
        self._phones: dict[str, tuple[int, int | None]] = {}
        self._repairs: dict[int, tuple[int, int | None]] = {}
        # Every address's history, by its number (places.Caller.address_id; `addresses`
        # of them), in a bitmap and a table on disk (in `files`, the generator's temporary
        # files) because a province-year has millions (address_history.py; docs/demo.md,
        # "A province"). Tickets of the current second wait.
        self._history = AddressHistory(addresses, files)
        self._pending: list[tuple[int, str, str]] = []  # (address, its station, the ticket's station)
        self._pending_second = -1

    def history(self, address_id: int, home: str, created: int) -> dict[str, int]:
        """The stations of the earlier tickets at this address (any type, any age); `home`
        is the station the address belongs to."""
        self._flush(created)
        return self._history.counts(address_id, home)

    # Without the rules nothing of the ground truth is kept: it would grow with the tickets.
    def misclassified(self, ticket_no: str, true_type: str) -> None:
        if self.rules:
            self.true_type[ticket_no] = true_type
            self.sets["type_suspect"].add(ticket_no)

    def misrouted(self, ticket_no: str, right_station: str) -> None:
        if self.rules:
            self.right_station[ticket_no] = right_station

    def observe(self, ticket_no: str, kind: str, row: list, address_id: int, home: str) -> None:
        """One written ticket (row: the values in writer.TICKET_COLUMNS order) of a caller
        at this address (places.Caller.address_id) of station `home`."""
        self.tickets += 1
        if not self.rules:
            if row[_ADDRESS_KEY] is not None:
                self._pending.append((address_id, home, row[_STATION]))
            return
        sets, end = self.sets, self.end
        status, created, responded, dispatched, arrived, resolved, closed = row[_STATUS:_DUE]
        summary, address = row[_SUMMARY], row[_ADDRESS]
        if summary is None or len(summary.strip()) < 4:
            sets["missing_summary"].add(ticket_no)
        done = resolved is not None and resolved <= end
        if kind == "repair":
            if address is None or not address.strip():
                sets["missing_address"].add(ticket_no)
            if done and arrived is None:
                sets["missing_arrival"].add(ticket_no)
        elif kind == "complaint" and done:
            if responded is None:
                sets["missing_contact"].add(ticket_no)
            if resolved - created <= TOO_FAST_MINUTES * 60:
                sets["too_fast"].add(ticket_no)
        if closed is not None and closed <= end - SURVEY_DAYS * DAY and row[_SATISFACTION] is None:
            if kind in ("complaint", "repair"):
                sets["missing_survey"].add(ticket_no)
        if (done and status in OPEN) or (resolved is None and status in ("resolved", "closed")) or (
            closed is not None and status != "closed"
        ):
            sets["status_mismatch"].add(ticket_no)
        if dispatched is not None and (
            (arrived is not None and arrived < dispatched) or (resolved is not None and resolved < dispatched)
        ):
            sets["time_order"].add(ticket_no)
        elif resolved is not None and ((arrived is not None and resolved < arrived) or (closed is not None and closed < resolved)):
            sets["time_order"].add(ticket_no)
        if row[_DISPATCHES] >= 2:
            sets["repeat_dispatch"].add(ticket_no)
        if row[_REOPENS] >= 1:
            sets["reopened"].add(ticket_no)
        if _repeat(self._phones, row[_PHONE_KEY], created):
            sets["repeat_call"].add(ticket_no)
        if row[_ADDRESS_KEY] is not None:  # not blanked (an address's key is one to one with its number)
            if kind == "repair" and _repeat(self._repairs, address_id, created):
                sets["repeat_fault"].add(ticket_no)
            station = row[_STATION]
            if self._suspect(address_id, home, station, created):
                sets["station_suspect"].add(ticket_no)
            self._pending.append((address_id, home, station))

    def due_mismatch(self, ticket_no: str) -> None:
        if self.rules:
            self.sets["due_mismatch"].add(ticket_no)

    def planted(self) -> Planted:
        return Planted(
            {kind: frozenset(self.sets[kind]) for kind in KINDS},
            dict(self.right_station),
            dict(self.true_type),
            self.tickets,
        )

    def _suspect(self, address_id: int, home: str, station: str, created: int) -> bool:
        counts = self.history(address_id, home, created)
        total = sum(counts.values())
        if total < ROUTE_MIN_HISTORY:
            return False
        return any(count >= ROUTE_THRESHOLD * total for code, count in counts.items() if code != station)

    def _flush(self, created: int) -> None:
        if created == self._pending_second:
            return
        self._history.add_all(self._pending)
        self._pending.clear()
        self._pending_second = created


def _repeat(seen: dict, key: str | int | None, created: int) -> bool:
    if key is None:
        return False
    latest, before = seen.get(key, (None, None))
    earlier = latest if latest is not None and latest < created else before
    if latest is None or latest < created:
        seen[key] = (created, latest)
    return earlier is not None and earlier >= created - REPEAT_DAYS * DAY
