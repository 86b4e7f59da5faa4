"""One WeasyPrint font configuration per process, shared by every render.

Building a `FontConfiguration` loads and indexes the system fonts (fontconfig + Pango), about
30 ms and, measured in a long-lived Celery worker, about 0.45 MiB that is never given back; a
worker that sealed PDFs with a fresh one per render grew without bound. Our records use system
fonts only (no `@font-face`, so nothing is added to the shared configuration per document).
Pure like `records.render`: no Django.
"""

from __future__ import annotations

import os

from weasyprint.text.fonts import FontConfiguration

_cached: dict[int, FontConfiguration] = {}


def font_config() -> FontConfiguration:
    """This process's font configuration, built on first use. Keyed by process id, so a child
    forked after the parent rendered (Celery prefork) builds its own instead of sharing
    fontconfig state across a fork."""
    pid = os.getpid()
    config = _cached.get(pid)
    if config is None:
        _cached.clear()
        config = _cached[pid] = FontConfiguration()
    return config
