"""Run the benchmarks: `make bench` (all) or `python -m bench board|followups|audit|workspace`."""

import sys

from bench import audit, board, followups, workspace

if __name__ == "__main__":
    chosen = sys.argv[1:] or ["board", "followups", "audit"]
    for name in chosen:
        print(f"== {name}")
        {
            "board": board.main,
            "followups": followups.main,
            "audit": audit.main,
            "workspace": workspace.main,
        }[name]()
