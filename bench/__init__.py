"""The benchmark suite: `python -m bench` (quick), `--full`, `--smoke` for CI."""
