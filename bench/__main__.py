"""Run the benchmarks: `make bench` (all) or `python -m bench board|followups`."""

import sys

from bench import board, followups

if __name__ == "__main__":
    chosen = sys.argv[1:] or ["board", "followups"]
    for name in chosen:
        print(f"== {name}")
        {"board": board.main, "followups": followups.main}[name]()
