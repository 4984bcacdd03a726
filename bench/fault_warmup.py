"""Imported once by the fault campaign's forkserver (its preload): see
bench/fault_children.py, `warm_up`."""

from bench.fault_children import warm_up

warm_up()
