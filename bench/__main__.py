"""Run the benchmarks and print one markdown table.

    make bench                                   # all of them, BENCH_SCALE=quick
    BENCH_SCALE=full make bench                  # the 1,000,000-row scales
    .venv/bin/python -m bench followups load     # some of them

Each benchmark runs in its own process (its own scratch database and a clean memory), prints
its rows as JSON on its last line (`python -m bench --rows NAME`), and this process collects
them. To add one: a module in bench/ with `run(scale: Scale) -> list[Row]` (bench/harness.py)
and a line in BENCHMARKS.
"""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
import sys
import time

from bench.harness import Row, from_json, scale_from_env, table, to_json

BENCHMARKS: dict[str, str] = {
    "board": "bench.board",
    "followups": "bench.followups",
    "audit": "bench.audit",
    "worker_memory": "bench.worker_memory",
    "load": "bench.load",
    "workspace": "bench.workspace",
}


def _rows_of(name: str) -> list[Row]:
    """In this process: run one benchmark, return its rows."""
    module = importlib.import_module(BENCHMARKS[name])
    rows: list[Row] = module.run(scale_from_env())
    return rows


def _run_child(name: str) -> list[Row]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench", "--rows", name],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        return [Row(name, f"FAILED (exit {done.returncode}, see stderr)", "", [0.0])]
    print(f"{name}: done in {seconds:.0f} s", file=sys.stderr)
    return from_json(lines[-1])


def _machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, scale {scale_from_env().name}, "
        f"load average at the end {load}"
    )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--rows"]:
        print(to_json(_rows_of(argv[1])))
        return
    chosen = argv or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS)}")
    rows = [row for name in chosen for row in _run_child(name)]
    print(table(rows))
    print()
    print(_machine())


if __name__ == "__main__":
    main(sys.argv[1:])
