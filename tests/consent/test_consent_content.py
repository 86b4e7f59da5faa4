"""What the consent text tells the patient: the demo document's safety sections, and the
electronic-records disclosure naming the clinic in the text that is agreed (and hashed)."""

from __future__ import annotations

import pytest
from django.conf import settings

from consent.text import sha256_hex
from consent.views import _disclosure_text
from demo.consent import DEMO_BODY


@pytest.mark.parametrize(
    "heading",
    [
        "## Pregnancy and breast-feeding",
        "## Suicidal thoughts and how we watch for them",
        "## Dependence and misuse",
        "## Bladder effects with repeated use",
    ],
)
def test_the_demo_document_has_the_safety_sections(heading: str) -> None:
    assert heading in DEMO_BODY


def test_the_demo_document_says_iv_ketamine_is_off_label() -> None:
    assert "**Off-label use.**" in DEMO_BODY and "**not approved**" in DEMO_BODY


def test_the_disclosure_names_the_clinic_in_the_text_agreed_to() -> None:
    text = _disclosure_text()
    assert f"Your agreement lets {settings.CLINIC_NAME} give you" in text
    assert "lets  give" not in " ".join(text.split("\n")) and "lets give" not in text
    assert sha256_hex(text) == sha256_hex(_disclosure_text())  # stable: same hash each time
