"""`woq-console import`: a CSV or XLSX export into the ticket tables
(docs/import-format.md for the format, docs/import.md for how and how fast).

By concern:
- export.py: open an export, then read, check and write it batch by batch
- checks.py: the row checks of a batch and the rejects file
- scratch.py: what the import keeps on disk meanwhile (the duplicate check)
- batches.py: one transaction per batch, retried when the console got in between
- row_writer.py: the SQLite writer (Core executemany)
- copy_merge.py: the PostgreSQL writer (COPY, then one merging statement)
- indexes.py: the figure indexes dropped and rebuilt around a large SQLite import
- summary.py: the counts, the rejects, the JSON document
- tables.py: the tables as the import writes them, and what both writers share
- target.py: the database must keep what is written (no in-memory SQLite, the same
  SQLite file from start to end)

Memory stays flat however long the file: the ticket numbers accepted so far live in a
private temporary SQLite database on disk, and rejected rows beyond the first hundred
wait in a temporary file until the summary is written.
"""

from woq_tui.store.import_source import ImportFileError
from woq_tui.store.importer.export import BATCH_ROWS, Export, Progress, import_file, open_export
from woq_tui.store.importer.indexes import STAGE_BUILDING_INDEXES, STAGE_INDEXES_DROPPED, Stage
from woq_tui.store.importer.summary import ImportSummary, RejectLog

__all__ = [
    "BATCH_ROWS",
    "STAGE_BUILDING_INDEXES",
    "STAGE_INDEXES_DROPPED",
    "Export",
    "ImportFileError",
    "ImportSummary",
    "Progress",
    "RejectLog",
    "Stage",
    "import_file",
    "open_export",
]
