"""Resident memory of a real Celery worker that seals PDFs: VmRSS of the worker process
(/proc/<pid>/status) after 50 seals and after 500 (full; 200 quick). Solo pool, so the
process that renders is the one measured and nothing recycles it (in production
`worker_max_tasks_per_child` and `worker_max_memory_per_child` bound it as well). The same
run repeats this with a fresh WeasyPrint font configuration per render (the old way) for
comparison (full scale, or BENCH_OLD_FONTS=1). BENCH_SEALS overrides the number of seals
(a seal takes 0.3 s to 3 s depending on the machine's load). Broker: CELERY_BROKER_URL
(Redis) if set, else the filesystem broker.
Goal (issue 15): flat within 10 % from 50 to 500 seals.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Row, Scale, django_setup

FIRST = 50


def run(scale: Scale) -> list[Row]:
    django_setup()
    from records.sealing import make_self_signed_certificate

    last = int(os.environ.get("BENCH_SEALS", 0)) or scale.pick(200, 500)
    ways = [("shared font configuration", "0")]
    if scale.full or os.environ.get("BENCH_OLD_FONTS") == "1":
        ways.append(("font config per render (old)", "1"))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        key, cert = make_self_signed_certificate(common_name="Bench seal", organization="Bench")
        (Path(tmp) / "key.pem").write_bytes(key)
        (Path(tmp) / "cert.pem").write_bytes(cert)
        for label, fresh in ways:
            first_mib, last_mib, seconds = _one_worker(Path(tmp), last, fresh)
            base = f"worker RSS after {FIRST} seals, {label}"
            rows.append(Row("worker_memory", base, "MiB", [first_mib]))
            rows.append(
                Row(
                    "worker_memory",
                    f"worker RSS after {last} seals, {label}",
                    "MiB",
                    [last_mib],
                    baseline=base,
                    goal="within 1.10x" if fresh == "0" else "",
                    note=f"{seconds * 1000 / last:.0f} ms a seal",
                )
            )
    return rows


def _one_worker(tmp: Path, last: int, fresh: str) -> tuple[float, float, float]:
    from workers.celery import app

    queue = f"bench-memory-{os.getpid()}-{fresh}"
    done = tmp / f"done-{fresh}.txt"
    env = dict(
        os.environ,
        DEBUG="0",
        CELERY_QUEUE=queue,
        BENCH_SEAL_KEY=str(tmp / "key.pem"),
        BENCH_SEAL_CERT=str(tmp / "cert.pem"),
        BENCH_DONE_FILE=str(done),
        BENCH_FRESH_FONTS=fresh,
    )
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "-Q",
        queue,
        "-I",
        "bench.worker_tasks",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "WARNING",
    ]
    worker = subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603
    try:
        start = time.perf_counter()
        for n in range(FIRST):
            app.send_task("bench.seal_one", args=[n], queue=queue)
        _wait_for(done, FIRST, worker)
        first = _rss_mib(worker.pid)
        for n in range(FIRST, last):
            app.send_task("bench.seal_one", args=[n], queue=queue)
        _wait_for(done, last, worker)
        seconds = time.perf_counter() - start
        return first, _rss_mib(worker.pid), seconds
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


def _wait_for(done: Path, count: int, worker: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60 + count * 5
    while time.monotonic() < deadline:
        if done.exists() and len(done.read_text().splitlines()) >= count:
            return
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited ({worker.returncode})")
        time.sleep(0.2)
    raise RuntimeError(f"the worker did not finish {count} seals in time")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")
