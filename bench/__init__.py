"""Benchmarks: each bench/*_bench.py prints figures and ratios; `make bench` runs them all."""
