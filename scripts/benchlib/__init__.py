"""The benchmark harness of ``make bench`` (scripts/bench.py): build the demo and the large database, serve each
with gunicorn, measure the key pages from outside, write docs/benchmarks.md and docs/benchmarks.json.

The pure parts (stats, targets, report, pages) import nothing but the standard library, so that the suite tests
them (src/subsidia/core/tests/test_bench_harness.py); the others drive processes.
"""
