"""English left on a Spanish patient's pages (QA pass): the case state badge and the role in
the header of /me/, the 403 page's reason, the security page and the PDF check page (now
patient-facing templates with every word in translate tags), and the long dates of /me/."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.i18n import patient_language_set
from core.roles import ROLE_LABELS, Role
from planning.pathway.states import CaseState, state_label
from tests.conftest import make_user
from tests.i18n.lint import untranslated_text
from tests.planning.treatment.helpers import active_case

pytestmark = pytest.mark.django_db

NOW_LINTED = ("consent/verify.html", "core/security.html")


@pytest.mark.parametrize("path", NOW_LINTED)
def test_these_patient_templates_have_no_text_outside_translate_tags(path: str) -> None:
    source = (Path(settings.BASE_DIR) / "templates" / path).read_text(encoding="utf-8")
    assert untranslated_text(source) == []


def test_state_and_role_labels_follow_the_language() -> None:
    english = {s: state_label(s) for s in CaseState} | {r: r.label for r in Role}
    assert english[CaseState.ACTIVE] == "Active treatment" and english[Role.PATIENT] == "Patient"
    with translation.override("es"):
        spanish = {s: state_label(s) for s in CaseState} | {r: r.label for r in Role}
    assert spanish[CaseState.ACTIVE] == "Tratamiento activo" and spanish[Role.PATIENT] == "Paciente"
    same = [key for key, text in english.items() if spanish[key] == text]
    assert same == [], f"not translated: {same}"
    assert all(isinstance(label, str) for label in spanish.values())
    assert set(ROLE_LABELS) == set(Role)


@pytest.fixture
def spanish_patient(physician: Any) -> tuple[Any, Client]:
    user = make_user(Role.PATIENT)
    case = active_case(physician, user=user)
    patient_language_set(patient_id=case.patient_id, language="es", actor=physician, via="staff")
    client = Client()
    client.force_login(user)
    return user, client


def test_the_spanish_home_shows_the_state_and_role_in_spanish(
    spanish_patient: tuple[Any, Client],
) -> None:
    _user, client = spanish_patient
    page = client.get(reverse("pathway:patient_home")).content.decode()
    who = re.search(r'data-testid="who">(.*?)</span>', page, flags=re.S)
    assert who and "· Paciente" in who.group(1) and "Patient" not in who.group(1)
    state = re.search(r'<span class="state">(.*?)</span>', page)
    assert state and state.group(1) == "Tratamiento activo"


def test_the_spanish_403_page_gives_the_reason_in_spanish(
    spanish_patient: tuple[Any, Client],
) -> None:
    _user, client = spanish_patient
    response = client.get(reverse("pathway:case_board"))
    assert response.status_code == 403
    page = response.content.decode()
    reason = re.search(r'data-testid="not-allowed">(.*?)</p>', page)
    assert reason and reason.group(1) == "Su función no le permite hacer esto.", page


def test_the_spanish_security_page_is_in_spanish(spanish_patient: tuple[Any, Client]) -> None:
    _user, client = spanish_patient
    page = client.get(reverse("security")).content.decode()
    assert "<h1>Seguridad</h1>" in page and "Segundo factor" in page
    assert "Sign out everywhere" not in page and "Cerrar sesión en todas partes" in page


def test_the_pdf_check_page_in_spanish_says_de_in_dates() -> None:
    when = "2026-11-29T10:00:00+00:00"
    record = {
        "get_kind_display": "Consent",
        "owner_id": 7,
        "version": 1,
        "owner_label": "Case 7",
        "created_at": datetime.fromisoformat(when),
    }
    check = {"ok": True, "sealed": True, "intact": True, "trusted": True}
    context = {"form": None, "result": {"check": check, "sha256": "ab", "record": record}}
    with translation.override("es"):
        html = render_to_string("consent/verify.html", context)
    assert "Auténtico y sin cambios" in html and "29 de noviembre de 2026" in html
    with translation.override("en"):
        html = render_to_string("consent/verify.html", context)
    assert "Genuine and unchanged" in html and "29 November 2026" in html


def test_a_withdrawal_by_a_spanish_patient_notifies_staff_in_the_clinics_language(
    monkeypatch, physician
) -> None:
    """The state labels follow the active language; the staff notice does not follow the
    patient's."""
    from planning.pathway import consent_bridge
    from tests.factories import CaseFactory

    sent: list[str] = []
    monkeypatch.setattr(consent_bridge, "notify_staff", lambda **kw: sent.append(kw["body"]))
    case = CaseFactory(state=CaseState.ACTIVE)
    with translation.override("es"):
        consent_bridge._notify_withdrawn(case, CaseState.ACTIVE, CaseState.WITHDRAWN, physician)
    assert sent and "from Active treatment" in sent[0]
