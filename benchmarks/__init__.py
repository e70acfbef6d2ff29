"""encore-tui benchmarks: `python -m benchmarks` prints one table and writes docs/benchmarks.md."""
