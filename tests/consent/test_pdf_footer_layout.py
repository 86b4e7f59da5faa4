"""The sealed PDF's running header and footer never print one box over another (QA pass: in
the Spanish consent PDF the long left footer "… · v1-es (Español, traducción de v1)" ran under
the centred "SHA-256 del texto de la versión <hash>" on every page). A -center margin box is
always centred, so templates/pdf/record.css gives the side boxes at most half of what is left,
and every box wraps. Checked on the words' boxes as pdftotext reads them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from consent.documents import questions_for
from consent.models import ConsentSignature
from consent.services import consent_pdf_ensure
from core.models import Patient
from records.render import render_pdf
from records.selectors import record_content
from tests.consent.flow import Patient as Browser
from tests.consent.flow import invite

HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
RUNNING = {
    "patient-name": "Zoë Alejandra O'Hara-Lindqvist de la Fuente y Montesinos",
    "patient-dob": "Nacido/a 1985-05-20",
    "patient-record": "Historia MRN-000123",
    "doc-version": "Consentimiento al tratamiento con ketamina y esketamina · v1-es "
    "(Español, traducción de v1)",
    "doc-hash": f"SHA-256 del texto de la versión {HASH}",
}

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

Box = tuple[float, float, float, float]


def _words(pdf: bytes, folder: Path) -> list[tuple[str, Box]]:
    (folder / "r.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(folder / "r.pdf"), str(folder / "r.html")],  # noqa: S607
        check=True,
    )
    html = (folder / "r.html").read_text(encoding="utf-8")
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        (text, (float(a), float(b), float(c), float(d)))
        for a, b, c, d, text in re.findall(pattern, html)
    ]


def _overlap(one: Box, other: Box) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def test_long_running_values_do_not_overlap(tmp_path: Path) -> None:
    spans = "".join(f'<span class="running-{k}">{v}</span>' for k, v in RUNNING.items())
    html = (
        '<!doctype html><html lang="es"><head><meta charset="utf-8"></head><body>'
        f'<div class="running" aria-hidden="true">{spans}</div>'
        "<h1>Consentimiento</h1><p>Texto.</p></body></html>"
    )
    words = _words(render_pdf(html, title="t"), tmp_path)
    owner: dict[str, list[Box]] = {k: [] for k in RUNNING}
    for text, box in words:
        keys = [key for key, value in RUNNING.items() if text in value.split()]
        if len(keys) == 1:  # a word of one value only ("de" is in two)
            owner[keys[0]].append(box)
    assert all(owner.values()), owner
    keys = list(owner)
    clashes = [
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if any(_overlap(x, y) for x in owner[a] for y in owner[b])
    ]
    assert clashes == []
    assert any(HASH[:16] in text for text, _ in words)  # the hash is printed, not cut off


@pytest.mark.django_db
def test_the_spanish_consent_pdf_footer_does_not_overlap(
    consent_case: Any, desk: Any, document: Any, tmp_path: Path
) -> None:
    """The real record: a Spanish patient signs the translation (v1-es), and the sealed PDF's
    footer (version with its translation note, then the text's hash) reads apart."""
    Patient.objects.filter(pk=consent_case.patient_id).update(preferred_language="es")
    _, link = invite(consent_case, desk)
    browser = Browser(link)
    answers = {q.pk: q.correct_choice for q in questions_for(document, "es")}
    review = browser.through_review("1985-05-20", answers)
    assert browser.sign(review, name="Zoë O'Hara-Lindqvist").status_code == 302
    signature = ConsentSignature.objects.get(case_id=consent_case.pk)
    pdf = record_content(consent_pdf_ensure(signature_id=signature.pk))
    words = _words(pdf, tmp_path)
    page_height = max(box[3] for _, box in words)
    footer = [(text, box) for text, box in words if box[1] > page_height - 60]
    hash_words = [box for text, box in footer if text == signature.version.body_sha256]
    left_words = [box for text, box in footer if text in {"v1-es", "(Español,", "traducción"}]
    assert hash_words and left_words, footer
    assert not any(_overlap(a, b) for a in left_words for b in hash_words)
    assert all(a[2] <= b[0] for a in left_words for b in hash_words if a[1] == b[1])
