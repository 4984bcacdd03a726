"""Demo data: the generator of a year of work orders and the live simulator (docs/demo.md).

No UI here (import-linter contract): the command line and the console drive these.
"""
