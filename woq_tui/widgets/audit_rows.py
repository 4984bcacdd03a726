"""The flags of screen 6 as the list shows them: filtered, searched, sorted, counted,
and their evidence in words (docs/audit-screen.md). Plain Python over the store's
values (values/audit.py), so the screen, its export and the tests share one reading."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from woq_tui.domain.audit_rules import RULE_IDS, SEVERITIES
from woq_tui.reporting.audit_words import evidence_words, rule_name
from woq_tui.values.audit import AuditFlag

# `s` cycles through these; the first is the store's own order (ticket no, then rule).
SORTS = ("ticket_no", "created", "station", "rule", "severity", "review")


def flag_key(flag: AuditFlag) -> str:
    """A flag's row key: one ticket may carry several rules."""
    return f"{flag.ticket_no}\x1f{flag.rule}"


@dataclass(frozen=True)
class AuditFilter:
    """What `f` and `/` narrow the list to (empty sets: any)."""

    rules: frozenset[str] = frozenset()
    stations: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    search: str = ""

    @property
    def active(self) -> bool:
        return bool(self.rules or self.stations or self.severities or self.search)


@dataclass(frozen=True)
class Shown:
    """The flags in the order shown, and what the summary counts."""

    flags: tuple[AuditFlag, ...]
    by_rule: Mapping[str, int] = field(default_factory=dict)
    by_station: Mapping[str, int] = field(default_factory=dict)
    tickets: int = 0


def _search_text(flag: AuditFlag, station_names: Mapping[str, str], evidence: str) -> str:
    return " ".join(
        (flag.ticket_no, flag.summary or "", flag.station_code, station_names.get(flag.station_code, ""),
         flag.rule, rule_name(flag.rule), evidence)
    ).casefold()


def _sort_key(column: str, station_names: Mapping[str, str]) -> Callable[[AuditFlag], Any]:
    if column == "created":
        return lambda flag: (flag.created_at, flag.ticket_no, flag.rule)
    if column == "station":
        return lambda flag: (station_names.get(flag.station_code, flag.station_code), flag.ticket_no)
    if column == "rule":
        return lambda flag: (RULE_IDS.index(flag.rule) if flag.rule in RULE_IDS else 99, flag.ticket_no)
    if column == "severity":
        return lambda flag: (SEVERITIES.index(flag.severity) if flag.severity in SEVERITIES else 9, flag.ticket_no)
    if column == "review":
        return lambda flag: (flag.review is not None, flag.review.verdict if flag.review else "", flag.ticket_no)
    return lambda flag: (flag.ticket_no, flag.rule)  # the store's order (docs/audit.md)


def shown_flags(
    flags: Iterable[AuditFlag],
    filt: AuditFilter,
    sort: str,
    reverse: bool,
    station_names: Mapping[str, str],
    tz: tzinfo,
    search_texts: dict[str, str] | None = None,
) -> Shown:
    """The flags that pass the filter and the search, in the order asked, with their
    counts by rule and by station (the summary counts what is shown). `search_texts`
    keeps each flag's searchable words between keystrokes (the caller's, per view)."""
    needle = filt.search.strip().casefold()
    texts = search_texts if search_texts is not None else {}
    kept: list[AuditFlag] = []
    for flag in flags:
        if filt.rules and flag.rule not in filt.rules:
            continue
        if filt.stations and flag.station_code not in filt.stations:
            continue
        if filt.severities and flag.severity not in filt.severities:
            continue
        if needle:
            key = flag_key(flag)
            text = texts.get(key)
            if text is None:
                text = texts[key] = _search_text(flag, station_names, evidence_words(flag, tz, station_names, True))
            if needle not in text:
                continue
        kept.append(flag)
    kept.sort(key=_sort_key(sort, station_names), reverse=reverse)
    by_rule = Counter(flag.rule for flag in kept)
    by_station = Counter(flag.station_code for flag in kept)
    ordered_rules = {rule: by_rule[rule] for rule in (*RULE_IDS, *sorted(set(by_rule) - set(RULE_IDS))) if by_rule[rule]}
    ordered_stations = dict(sorted(by_station.items(), key=lambda item: (-item[1], item[0])))
    return Shown(tuple(kept), ordered_rules, ordered_stations, len({flag.ticket_no for flag in kept}))


def export_rows(
    flags: Sequence[AuditFlag], station_names: Mapping[str, str], tz: tzinfo
) -> tuple[list[str], list[list[Any]]]:
    """The CSV of `e`: the list as shown, plus codes and the review's who and when."""
    header = [
        "ticket_no", "created_at", "station_code", "station_name", "type", "rule", "rule_name", "severity",
        "evidence", "review", "reviewed_by", "reviewed_at", "review_note",
    ]
    rows = []
    for flag in flags:
        review = flag.review
        rows.append([
            flag.ticket_no, flag.created_at.astimezone(tz).isoformat(), flag.station_code,
            station_names.get(flag.station_code, ""), flag.type, flag.rule, rule_name(flag.rule), flag.severity,
            evidence_words(flag, tz, station_names, all_earlier=True), review.verdict if review else "",
            review.operator if review else "", review.at.astimezone(tz).isoformat() if review else "",
            (review.note or "") if review else "",
        ])
    return header, rows
