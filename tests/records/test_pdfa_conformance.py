"""PDF/A-3b holds after sealing (B-LTA revisions included), for every kind of record."""

from __future__ import annotations

import pytest

from records.selectors import record_content
from tests.support.pdfa import _object_problems, pdfa_problems

pytestmark = pytest.mark.django_db


def test_every_sealed_record_kind_stays_pdfa(owner) -> None:
    record = owner.seal()
    assert record.seal_level == "B-LTA"
    assert pdfa_problems(record_content(record)) == []


def test_the_checks_catch_what_they_check() -> None:
    from pyhanko.pdf_utils import generic
    from weasyprint import HTML

    plain = HTML(string="<p>Not an archive</p>").write_pdf()  # no PDF/A variant
    problems = pdfa_problems(plain)
    assert any("output intent" in p for p in problems)
    assert any("pdfaid" in p for p in problems)
    font = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )
    assert _object_problems(font) == ["font /Helvetica is not embedded"]
