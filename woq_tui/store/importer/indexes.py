"""What an import into SQLite does with the figure indexes (store/figure_indexes.py,
docs/import.md "Figure indexes on SQLite")."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from woq_tui.store import figure_indexes
from woq_tui.store.importer.summary import ImportSummary
from woq_tui.store.importer.tables import database_error

# stage(what the import does besides reading rows): one of the STAGE_ names
Stage = Callable[[str], None]
STAGE_INDEXES_DROPPED = "indexes_dropped"  # after the first batch is written
STAGE_BUILDING_INDEXES = "building_indexes"  # after the last one


class FigureIndexes:
    """Drops the figure indexes after the first batch when the import writes many
    tickets against the table (or `choice` says so), and builds them again at the end,
    holding the rebuild lock in between; otherwise builds any a killed import left
    missing."""

    def __init__(self, engine: Engine, choice: bool | None, stage: Stage | None) -> None:
        self.engine = engine
        self.choice = choice
        self.stage = stage or (lambda _name: None)
        self._held = ExitStack()
        self.dropped = False

    def after_first_batch(self, written: int, fraction: float | None) -> None:
        """Called once, when the first batch is written: it inserted or changed
        `written` tickets, and `fraction` of the file is read, so the rest of the file
        will write about `written * (1 - fraction) / fraction`. A re-import that changes
        nothing, or a file that fits in one batch, then keeps the indexes (dropping them
        would only cost the rebuild)."""
        estimate = round(written * (1 - fraction) / fraction) if fraction else None
        try:
            with self.engine.connect() as connection:
                stored = figure_indexes.stored_tickets(connection)
            wanted = self.choice if self.choice is not None else figure_indexes.worth_rebuilding(estimate, stored)
            if wanted and figure_indexes.can_lock(self.engine):
                if self._held.enter_context(figure_indexes.rebuild_lock(self.engine)):
                    figure_indexes.drop(self.engine)
                    self.dropped = True
                    self.stage(STAGE_INDEXES_DROPPED)
                    return
                self._held.close()  # another import has them dropped and builds them
                return
            figure_indexes.restore(self.engine)
        except SQLAlchemyError as exc:
            self._held.close()
            raise database_error(self.engine, exc) from None

    def after_writing(self, summary: ImportSummary, failing: bool = False) -> None:
        """Build what was dropped (once). When the import is failing anyway, a failure
        here stays quiet: the next command's schema check builds them."""
        if not self.dropped:
            return
        self.dropped = False
        with self._held:
            self.stage(STAGE_BUILDING_INDEXES)
            began = time.perf_counter()
            try:
                figure_indexes.build(self.engine)
            except SQLAlchemyError as exc:
                if not failing:
                    raise database_error(self.engine, exc) from None
                return
            summary.index_seconds = time.perf_counter() - began
