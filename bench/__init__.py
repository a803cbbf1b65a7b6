"""Benchmarks; run one with `scripts/bench NAME` (runs `python -m bench.NAME`)."""
