"""Benchmarks at the scale of a ministry: a deterministic generated data set (see generate.py)."""
