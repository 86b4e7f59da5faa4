"""The task bench/worker_memory.py runs in a real Celery worker (`celery -I bench.worker_tasks`):
render a two-page record and seal it with a visible stamp, as the record tasks do."""

from __future__ import annotations

import os
from pathlib import Path

from celery import shared_task

_PARAGRAPH = (
    "<p>The patient was informed about the expected effects of ketamine, the monitoring "
    "during and after each session, dissociation, raised blood pressure, nausea and the "
    "need for an escort home, and had the opportunity to ask questions.</p>"
)


@shared_task(name="bench.seal_one")
def seal_one(n: int) -> None:
    from records.render import render_pdf
    from records.sealing import seal_pdf

    if os.environ.get("BENCH_FRESH_FONTS") == "1":  # the old way: a font configuration a render
        from records import fonts

        fonts._cached.clear()
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>'
        f"<h1>Consent record {n}</h1>{_PARAGRAPH * 40}</body></html>"
    )
    pdf = render_pdf(html, title=f"Consent record {n}")
    key = Path(os.environ["BENCH_SEAL_KEY"]).read_bytes()
    cert = Path(os.environ["BENCH_SEAL_CERT"]).read_bytes()
    seal_pdf(pdf, key_pem=key, cert_pem=cert, reason="Bench", location="Loopback")
    with Path(os.environ["BENCH_DONE_FILE"]).open("a") as done:
        done.write(f"{n}\n")
