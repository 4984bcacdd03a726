"""ConsoleStore: the console's one way to the database (docs/architecture.md).

Screens and dialogs ask this facade for what they show and for the writes they make,
and get plain frozen values back (woq_tui/values): no sessions, engines or ORM objects
cross it. Every method blocks: screens call it from a worker (widgets/loader.py),
never on the UI thread. The database side (SQLAlchemy, the dispatch client) is
imported inside the methods, so that importing this module costs the first frame
nothing (docs/queue.md, "Start-up").

Two databases, one rule (docs/replica.md): reads go to `self.reads`, the read replica
when `[database] read_url` names one (context.read_engine); writes, and the reads that
must show the console's own writes at once, go to `self.primary`. Those reads are the
outbox (its entries, counts and the queue's marks: a reassignment shows as pending the
moment it is queued), a ticket's version for a reassignment (the API checks it), and
one ticket's detail (its urges and reveals, after `u`). The audit is evaluated on the
primary too: its type_suspect rule writes a temporary table, which a hot standby
refuses (and a review shows at once). Everything else (the queue, its counts, the
overdue lists, figures, suggestions) may lag the primary by what the header says.

Instants: methods that judge tickets take `as_of` from the caller where the screen
keys what it shows by it (the station screen's cache), and read the context's clock
otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from woq_tui.context import ConsoleContext
    from woq_tui.dispatch.outbox import OutboxCounts
    from woq_tui.domain.periods import Period
    from woq_tui.store.figures import Report
    from woq_tui.values.assessment import BacklogList, PilotResult, Scorecard
    from woq_tui.values.audit import AuditFlag, AuditView, FlagReview, QualityFigures
    from woq_tui.values.figures import MeetingWeek, StationDetail, StationTable
    from woq_tui.values.live import LiveRequest, LiveResult
    from woq_tui.values.outbox import OutboxChange, OutboxView, TicketRef
    from woq_tui.values.queue import Kpis, OutboxMark, QueueFilter, QueuePage, QueueRow, QueueSort
    from woq_tui.values.stations import StationCandidate, StationChoice
    from woq_tui.values.suggestions import Suggestions
    from woq_tui.values.tickets import OverdueView, Section, TicketDetail, UrgeResult

# The most rows an export of a list writes.
EXPORT_LIMIT = 200_000
# quality_by_station(): audit.md's figures per station code, and of all the period's tickets
StationQuality = tuple["Mapping[str, QualityFigures]", "QualityFigures"]
# How long the outbox screen keeps showing confirmed entries.
CONFIRMED_SHOWN = timedelta(hours=24)


class ConsoleStore:
    def __init__(self, context: ConsoleContext) -> None:
        self.context = context

    # Where each method goes (the module's docstring): `reads` is the replica when there
    # is one, else the primary; `primary` takes the writes and the reads that must see
    # them at once. Properties: the engines are made on first use (context.py).
    @property
    def reads(self) -> Engine:
        return self.context.read_engine

    @property
    def primary(self) -> Engine:
        return self.context.engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions on the primary."""
        return _sessions_of(self.primary)

    @cached_property
    def read_sessions(self) -> sessionmaker[Session]:
        """Sessions on `reads`."""
        return _sessions_of(self.reads)

    def warm_up(self) -> None:
        """Make the engines and the session factories now (after the first frame), so
        that the first refresh does not wait for SQLAlchemy to load."""
        self.sessions  # noqa: B018
        self.read_sessions  # noqa: B018

    @property
    def may_refresh_rollup(self) -> bool:
        """A console that may write to its own database (not read-only, not a viewer,
        not reading a replica) may refresh the rollup there (waits for the opening)."""
        return self.context.can_write and not self.context.has_replica

    def refresh_rollup(self) -> int | None:
        """Recompute the station × day rollup's days that changes were logged in, on the
        primary (store/day_rollup_refresh.refresh_logged); the entries consumed, or None
        when there were none, or the rollup is not built in the console's zone, or this
        console must not write: read-only, a viewer, or reading a replica (docs/speed.md,
        "Who refreshes")."""
        if not self.may_refresh_rollup:
            return None
        from woq_tui.store.day_rollup_refresh import refresh_logged

        done = refresh_logged(self.primary, self.context.settings.tz)
        return done.entries if done is not None else None

    def replica_lag(self) -> float | None:
        """How far the replica's data is behind the primary, in seconds
        (store/replica.py); None when reads go to the primary."""
        if not self.context.has_replica:
            return None
        from woq_tui.store.replica import replay_lag

        return replay_lag(self.reads)

    def _now(self) -> datetime:
        return self.context.clock.now()

    # --- the live queue ----------------------------------------------------------

    def live(self, request: LiveRequest) -> LiveResult:
        """One tick of the live queue: a page or the changes since the watermark, the
        KPI counts when asked, and the reassignment marks of the rows."""
        from woq_tui.store.queue_live import fetch

        return fetch(self.reads, self._now(), self.context.policy, request, marks_from=self.primary)

    def queue_page(
        self, filt: QueueFilter, sort: QueueSort, reverse: bool, limit: int, after: tuple | None = None,
        count: bool | None = None,
    ) -> QueuePage:
        from woq_tui.store import queries

        with self.read_sessions() as session:
            return queries.queue_page(session, filt, sort, reverse, limit, after=after, count=count)

    def queue_rows(self, filt: QueueFilter, sort: QueueSort, reverse: bool, limit: int = EXPORT_LIMIT) -> list[QueueRow]:
        """Every open ticket matching the filter, in order, up to `limit` (an export of
        the queue: not only the rows the screen has loaded)."""
        from woq_tui.values.queue import PAGE_SIZE, sort_key

        rows: list[QueueRow] = []
        after = None
        while len(rows) < limit:
            page = self.queue_page(filt, sort, reverse, min(PAGE_SIZE * 10, limit - len(rows)), after)
            rows += page.rows
            if page.complete or not page.rows:
                break
            after = sort_key(sort)(page.rows[-1])
        return rows

    def section_rows(self, which: Section, limit: int = EXPORT_LIMIT) -> list[QueueRow]:
        """Every ticket of one overdue list, most urgent first, up to `limit`."""
        from woq_tui.store import ticket_queries

        with self.read_sessions() as session:
            return ticket_queries.section(session, which, self._now(), self.context.policy, limit).rows

    def kpis(self) -> Kpis:
        from woq_tui.store import queries

        with self.read_sessions() as session:
            return queries.kpis(session, self._now(), self.context.policy)

    def outbox_marks(self, ticket_nos: Sequence[str]) -> dict[str, OutboxMark]:
        from woq_tui.store import queries

        with self.sessions() as session:  # the outbox: from the primary
            return queries.outbox_marks(session, ticket_nos)

    # --- overdue & escalation ------------------------------------------------------

    def overdue(self, limit: int) -> OverdueView:
        """The four lists of the overdue screen, the KPI counts and the rows' marks, in
        one session."""
        from woq_tui.store import queries, ticket_queries
        from woq_tui.values.tickets import OverdueView

        now, policy = self._now(), self.context.policy
        with self.read_sessions() as session:
            sections = ticket_queries.sections(session, now, policy, limit)
            kpis = queries.kpis(session, now, policy)
        asked = tuple(dict.fromkeys(row.ticket_no for data in sections.values() for row in data.rows))
        return OverdueView(sections, kpis, asked, self.outbox_marks(asked))

    # --- figures -------------------------------------------------------------------

    def station_table(
        self, period: Period, as_of: datetime, on_rows: Callable[[StationTable], None] | None = None
    ) -> StationTable:
        from woq_tui.store.figures import load_station_table

        return load_station_table(self.reads, period, as_of, on_rows=on_rows)

    def scorecard_of(self, table: StationTable, quality: tuple[StationQuality, StationQuality] | None = None) -> Scorecard:
        """The scorecard of a complete station table (docs/assessment.md): its figures
        and comparison are the table's, the audit's quality pass rate is read where
        the audit is plugged in (store/assessment_hooks.py), or taken from `quality`,
        quality_by_station() of the period and of its comparison when the caller read
        them already: the station screen shows both, and a province's year of the audit
        is its longest read (docs/speed.md, "The station screen's quality read once")."""
        from woq_tui.store.assessment_hooks import pass_rates
        from woq_tui.store.scorecard import quality_rates, scored

        settings = self.context.settings
        assert table.comparison is not None
        now: Mapping[str, float | None] | None
        before: Mapping[str, float | None] | None
        if quality is not None:
            now, before = pass_rates(quality[0][0]), pass_rates(quality[1][0])
        else:
            now, before = quality_rates(self.reads, self._quality(), table.period, table.as_of, table.comparison)
        return scored(table.period, table.as_of, table.comparison, table.info, table.current, table.previous,
                      settings.assessment, now, before)  # fmt: skip

    def _quality(self):
        from woq_tui.store.assessment_hooks import quality_source

        return quality_source(self.context.settings, self.primary)

    def backlog(self) -> BacklogList:
        """The chronic backlog list (黑名单) now: the overdue screen's tab, the meeting
        view's section."""
        from woq_tui.store.backlog import backlog

        settings = self.context.settings
        return backlog(self.reads, self._now(), settings.tz, settings.assessment)

    def pilot(self, stations: Sequence[str], start_day: date, figure: str = "overdue_rate") -> PilotResult:
        """The pilot evaluation of these stations from `start_day` against all others,
        with the daily series for its chart (raises PilotError with a message key)."""
        from woq_tui.store.pilot import evaluate_pilot

        settings = self.context.settings
        return evaluate_pilot(
            self.reads, tuple(stations), start_day, self._now(), settings.tz, figure=figure,
            weeks=settings.assessment.weeks, resamples=settings.assessment.bootstrap, daily=True,
        )

    def station_detail(self, code: str, period: Period) -> StationDetail:
        from woq_tui.store.figures import station_detail

        return station_detail(self.reads, code, period, self._now())

    def meeting_week(self, period: Period) -> MeetingWeek:
        from woq_tui.store.figures import meeting_week

        return meeting_week(self.reads, period, self._now())

    def report(self, period: Period) -> Report:
        from woq_tui.store.figures import report

        return report(self.reads, period, self._now())

    # --- tickets ---------------------------------------------------------------------

    def ticket_detail(self, ticket_no: str) -> TicketDetail | None:
        from woq_tui.store import ticket_queries

        with self.sessions() as session:  # from the primary: the urge just made shows
            return ticket_queries.ticket_detail(session, ticket_no)

    def stations(self) -> list[StationChoice]:
        from woq_tui.store import ticket_queries

        with self.read_sessions() as session:
            return ticket_queries.stations(session)

    def ticket_ref(self, ticket_no: str) -> TicketRef | None:
        """The ticket's station, type and version as the database has them now (to
        reassign or reclassify it again from the outbox)."""
        from woq_tui.dispatch.outbox import ticket_ref

        return ticket_ref(self.primary, ticket_no)

    def reassign_targets(self) -> list[StationCandidate]:
        from woq_tui.dispatch.candidates import station_candidates

        return station_candidates(self.reads, self._now())

    def suggest_stations(self, ticket_no: str, as_of: datetime | None = None) -> Suggestions | None:
        """The stations suggested for a ticket, best first, with their reasons as data
        (store/suggest.py, docs/dispatch-assist.md); None for an unknown ticket."""
        from woq_tui.store.suggest import suggest_stations

        settings = self.context.settings
        return suggest_stations(
            self.reads, ticket_no, as_of or self._now(), self.context.policy, settings.audit.route_min_history
        )

    def urge(self, ticket_nos: Iterable[str]) -> UrgeResult:
        from woq_tui.store import actions

        cooldown = timedelta(minutes=self.context.settings.console.urge_cooldown_minutes)
        return actions.urge(self.sessions, self.context.clock, self.context.operator, ticket_nos, cooldown=cooldown)

    def reveal_phone(self, ticket_no: str) -> str | None:
        """The number, once its reveal is recorded (store/actions.py)."""
        from woq_tui.store import actions

        return actions.reveal_phone(self.sessions, self.context.clock, self.context.operator, ticket_no)

    # --- the outbox --------------------------------------------------------------------

    def record_reassignment(self, tickets: Sequence[TicketRef], to_station: str, reason: str) -> list[OutboxChange]:
        """Write one reassignment to the outbox (one transaction); the pusher sends it."""
        from woq_tui.dispatch.outbox import record
        from woq_tui.values.outbox import OutboxChange

        entries = record(self.primary, self.context.clock, tickets, to_station, reason, self.context.operator)
        return [OutboxChange(e.id, e.ticket_no, e.to_station, e.state, 0) for e in entries]

    def record_reclassification(self, tickets: Sequence[TicketRef], to_type: str, reason: str) -> list[OutboxChange]:
        """Write one reclassification to the same outbox (one transaction); the same
        pusher sends it (docs/dispatch.md)."""
        from woq_tui.dispatch.outbox import change_of, record_reclassification

        entries = record_reclassification(
            self.primary, self.context.clock, tickets, to_type, reason, self.context.operator
        )
        return [change_of(entry, entry.state, 0) for entry in entries]

    def outbox_entries(self) -> list[OutboxView]:
        """Every entry not confirmed, and those confirmed in the last 24 hours."""
        from woq_tui.dispatch.outbox import list_entries

        entries = list_entries(self.primary, confirmed_since=self._now() - CONFIRMED_SHOWN)
        return [_view(entry) for entry in entries]

    def outbox_counts(self) -> OutboxCounts:
        """Entries by state: pending ones a pusher delivers by itself, failed, conflict
        and refused ones a person must see to (the quit question names both)."""
        from woq_tui.dispatch.outbox import outbox_counts

        return outbox_counts(self.primary)

    def retry_entry(self, entry_id: str) -> OutboxView:
        from woq_tui.dispatch.outbox import retry

        return _view(retry(self.primary, self.context.clock, entry_id))

    def drop_entry(self, entry_id: str) -> OutboxView:
        from woq_tui.dispatch.outbox import drop

        return _view(drop(self.primary, entry_id))

    # --- the ticket quality audit (audit.md, docs/audit.md) ---------------------------

    def audit_view(self, period: Period, as_of: datetime) -> AuditView:
        """The period's flags (dismissed ones left out), the model, the rules skipped."""
        from woq_tui.store.audit import evaluate

        return evaluate(self.primary, period, as_of, self.context.settings).view

    def ticket_flags(self, ticket_no: str, as_of: datetime) -> tuple[AuditFlag, ...]:
        """One ticket's flags under every rule, for its detail."""
        from woq_tui.store.audit import ticket_flags

        return ticket_flags(self.primary, self.context.settings, [ticket_no], as_of)

    def flagged_among(self, ticket_nos: Sequence[str], as_of: datetime) -> frozenset[str]:
        """Which of these tickets have a flag (the queue's marker)."""
        from woq_tui.store.audit import ticket_flags

        flags = ticket_flags(self.primary, self.context.settings, list(ticket_nos), as_of)
        return frozenset(flag.ticket_no for flag in flags)

    def review_flag(self, ticket_no: str, rule: str, verdict: str, note: str | None) -> FlagReview:
        """Confirm or dismiss a flag as the context's operator, now. ReadOnlyError for
        viewers and --read-only; ReviewError when the ticket has no such flag."""
        from woq_tui.errors import ReadOnlyError
        from woq_tui.i18n import t
        from woq_tui.store.audit import review

        if not self.context.can_write:
            raise ReadOnlyError(t("audit.review.read_only"))
        settings = self.context.settings
        return review(self.primary, settings, ticket_no, rule, verdict, note, self._now(), self.context.operator)

    def quality_by_station(self, period: Period, as_of: datetime) -> StationQuality:
        """audit.md's figures per station code, and of all the period's tickets."""
        from woq_tui.store.audit import quality_report

        report = quality_report(self.primary, period, as_of, self.context.settings)
        return report.by_station, report.totals


def _view(entry) -> OutboxView:
    """A frozen copy of an outbox entry (an ORM object never reaches a screen)."""
    from woq_tui.values.outbox import OutboxView

    return OutboxView(
        id=entry.id,
        ticket_no=entry.ticket_no,
        from_station=entry.from_station,
        to_station=entry.to_station,
        reason=entry.reason,
        operator=entry.operator,
        requested_at=entry.requested_at,
        state=entry.state,
        attempts=entry.attempts,
        next_attempt_at=entry.next_attempt_at if entry.state == "pending" else None,
        last_error=entry.last_error,
        updated_at=entry.updated_at,
        kind=entry.kind,
        from_type=entry.from_type,
        to_type=entry.to_type,
    )


def _sessions_of(engine: Engine) -> sessionmaker[Session]:
    from woq_tui.store.db import session_factory

    # sessionmaker is invariant in its session class: the factory's sqlmodel Sessions
    # are used here and in store/actions.py as the plain sqlalchemy Sessions they extend
    return cast("sessionmaker[Session]", session_factory(engine))
