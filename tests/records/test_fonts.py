"""One WeasyPrint font configuration per process, shared by every render."""

from __future__ import annotations

from records.fonts import font_config
from records.render import render_pdf


def test_every_render_shares_the_process_font_configuration() -> None:
    shared = font_config()
    for n in range(2):
        pdf = render_pdf(f"<html><body><p>Record {n}</p></body></html>", title=f"R{n}")
        assert pdf.startswith(b"%PDF")
    assert font_config() is shared
