"""Demo data: a generator of a year of work orders and a live simulator (docs/demo.md).

No Textual or Rich here (import-linter contract): the console and the command line
drive these.
"""
