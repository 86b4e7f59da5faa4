"""Refusals: each with a clear message and nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentRequest, ConsentSignature
from consent.services import consent_request_revoke
from core.models import AuditEntry, ClinicSettings, PatientLink
from planning.pathway.models import Case
from planning.pathway.states import CaseState
from tests.consent.flow import Patient, invite

pytestmark = pytest.mark.django_db

BORN = "1985-05-20"  # PatientFactory's date of birth


def _answers(document) -> dict[int, int]:
    return {q.pk: q.correct_choice for q in document.questions.all()}


@pytest.fixture
def at_review(consent_case, desk, document):
    req, link = invite(consent_case, desk)
    patient = Patient(link)
    review = patient.through_review(BORN, _answers(document))
    assert review.status_code == 200
    return req, patient, review


def _nothing_saved(req: ConsentRequest, case) -> None:
    assert not ConsentSignature.objects.exists()
    assert ConsentRequest.objects.get(pk=req.pk).status == "pending"
    assert Case.objects.get(pk=case.pk).state == CaseState.CONSENT_PENDING


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"signature": "", "strokes": ""}, b"Please draw your signature in the box."),
        (
            {"strokes": '[{"points": [{"x": 10, "y": 10}, {"x": 11, "y": 10}]}]'},
            b"Your signature is too short.",
        ),
        (
            {
                "strokes": '[{"points": '
                + str([{"x": 10 + i % 3, "y": 10, "time": i} for i in range(40)]).replace("'", '"')
                + "}]"
            },
            b"Your signature is very small.",
        ),
        ({"signature": "data:image/png;base64,AAAA"}, b"could not be read"),
        ({"strokes": "not json"}, b"could not be read"),
    ],
    ids=["blank", "too-few-points", "tiny-box", "not-a-png", "bad-strokes"],
)
def test_implausible_signature_is_refused(at_review, consent_case, overrides, message) -> None:
    req, patient, review = at_review
    response = patient.sign(review, name="Zoë O'Hara-Lindqvist", **overrides)
    assert response.status_code == 400
    assert message in response.content
    assert b"Your signature was not recorded" in response.content
    _nothing_saved(req, consent_case)
    assert AuditEntry.objects.filter(action="consent.sign.refused").count() == 1


def test_blank_png_with_plausible_strokes_is_refused(at_review, consent_case) -> None:
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (600, 240), (0, 0, 0, 0)).save(buffer, format="PNG")
    blank = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    req, patient, review = at_review
    response = patient.sign(review, name="Zoë O'Hara-Lindqvist", signature=blank)
    assert response.status_code == 400
    assert b"Your signature is blank" in response.content
    _nothing_saved(req, consent_case)


@pytest.mark.parametrize("typed", ["Zoe O'Hara", "Zoey O'Hara-Lindqvist", "   "])
def test_name_mismatch_is_refused(at_review, consent_case, typed) -> None:
    req, patient, review = at_review
    response = patient.sign(review, name=typed)
    assert response.status_code == 400
    assert b"does not match the name the clinic has for you" in response.content or (
        b"Please type your full name." in response.content
    )
    _nothing_saved(req, consent_case)


@pytest.mark.parametrize(
    "typed", ["ZOE O'HARA LINDQVIST", "zoë  o’hara-lindqvist", "Zoe OHara Lindqvist"]
)
def test_name_ignores_case_accents_and_punctuation(at_review, typed) -> None:
    _, patient, review = at_review
    assert patient.sign(review, name=typed).status_code == 302
    assert ConsentSignature.objects.count() == 1


def test_missing_intent_checkbox_is_refused(at_review, consent_case) -> None:
    req, patient, review = at_review
    response = patient.sign(review, name="Zoë O'Hara-Lindqvist", intent=False)
    assert response.status_code == 400
    assert b"Please tick the box to confirm that you intend to sign." in response.content
    _nothing_saved(req, consent_case)


def test_document_hash_not_reviewed_is_refused(at_review, consent_case) -> None:
    req, patient, review = at_review
    response = patient.sign(review, name="Zoë O'Hara-Lindqvist", document_sha256="0" * 64)
    assert response.status_code == 302
    _nothing_saved(req, consent_case)


def test_signing_before_review_is_refused(consent_case, desk, document) -> None:
    req, link = invite(consent_case, desk)
    patient = Patient(link)
    assert patient.dob(BORN).status_code == 302
    fake_review = type("R", (), {"content": b'name="document_sha256" value="' + b"a" * 64 + b'"'})
    patient.sign(fake_review, name="Zoë O'Hara-Lindqvist")
    _nothing_saved(req, consent_case)


def test_pages_need_the_date_of_birth_first(consent_case, desk, document) -> None:
    _req, link = invite(consent_case, desk)
    patient = Patient(link)
    for step in ("read/", "questions/", "review/", "disclosure/"):
        response = patient.get(step)
        assert response.status_code == 302 and response["Location"] == link
    assert b"No driving" not in patient.get("").content


def test_expired_link_is_refused(consent_case, desk, document) -> None:
    req, link = invite(consent_case, desk)
    PatientLink.objects.filter(pk=req.link_id).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = Patient(link).get()
    assert response.status_code == 410
    assert b"This link has expired" in response.content
    assert AuditEntry.objects.filter(action="consent.link.refused", data__reason="expired").exists()


def test_expiry_comes_from_clinic_settings(consent_case, desk, document) -> None:
    ClinicSettings.objects.update_or_create(pk=1, defaults={"consent_link_days": 3})
    req, _ = invite(consent_case, desk)
    assert timedelta(days=2, hours=23) < req.expires_at - req.created_at <= timedelta(days=3)


def test_expired_during_signing_is_refused(at_review, consent_case) -> None:
    req, patient, review = at_review
    PatientLink.objects.filter(pk=req.link_id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = patient.sign(review, name="Zoë O'Hara-Lindqvist")
    assert response.status_code == 410
    _nothing_saved(req, consent_case)


def test_revoked_link_is_refused(at_review, consent_case, desk) -> None:
    req, patient, review = at_review
    consent_request_revoke(request_id=req.pk, actor=desk)
    response = patient.sign(review, name="Zoë O'Hara-Lindqvist")
    assert response.status_code == 410
    assert b"withdrawn this link" in response.content
    assert not ConsentSignature.objects.exists()


def test_new_invitation_revokes_the_old_link(consent_case, desk, document) -> None:
    old, old_link = invite(consent_case, desk)
    invite(consent_case, desk)
    assert ConsentRequest.objects.get(pk=old.pk).status == "revoked"
    assert Patient(old_link).get().status_code == 410


def test_five_wrong_dates_of_birth_lock_the_link(consent_case, desk, document) -> None:
    req, link = invite(consent_case, desk)
    patient = Patient(link)
    for tries_left in (4, 3, 2, 1):
        response = patient.dob("1999-01-01")
        assert response.status_code == 400
        assert f"{tries_left} tr".encode() in response.content
    locked = patient.dob("1999-01-01")
    assert locked.status_code == 403
    assert b"locked" in locked.content
    # Even the right date no longer opens it, from any browser, and is not counted again.
    assert Patient(link).dob(BORN).status_code == 403
    req.link.refresh_from_db()
    assert req.link.dob_failures == 5 and req.link.locked_at is not None
    assert AuditEntry.objects.filter(action="consent.link.locked").count() == 1


def test_unknown_token_is_404_and_audited(db) -> None:
    response = Patient(reverse("consent_link", args=["x" * 43])).get()
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").exists()


def test_token_is_stored_only_as_a_hash(consent_case, desk, document) -> None:
    req, link = invite(consent_case, desk)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert len(token) >= 43  # 32 random bytes, base64url: 256 bits
    values = [str(v) for v in ConsentRequest.objects.filter(pk=req.pk).values().first().values()]
    assert not any(token in v for v in values)


def test_refused_transition_rolls_the_signature_back(at_review, consent_case, desk) -> None:
    """The case was put on hold meanwhile: record_consent is impossible, nothing is kept."""
    from planning.pathway.services import case_transition

    req, patient, review = at_review
    case_transition(case_id=consent_case.pk, transition="hold", actor=desk, reason="Travelling")
    response = patient.sign(review, name="Zoë O'Hara-Lindqvist")
    assert response.status_code == 302
    follow = patient.get("review/")
    assert b"Your signature was not recorded" in follow.content
    assert not ConsentSignature.objects.exists()
    assert ConsentRequest.objects.get(pk=req.pk).status == "pending"


def test_wrong_answer_shows_the_passage_to_reread(consent_case, desk, document) -> None:
    _req, link = invite(consent_case, desk)
    patient = Patient(link)
    patient.dob(BORN)
    patient.post("disclosure/", {"choice": "agree", "understood": "on"})
    version_id = document.versions.get(label="v1").pk
    patient.post("read/", {"version_id": version_id})
    wrong = {f"q{q.pk}": q.correct_choice for q in document.questions.filter(language="en")}
    driving = document.questions.get(position=1, language="en")
    wrong[f"q{driving.pk}"] = 1
    response = patient.post("questions/", {"version_id": version_id, **wrong})
    assert response.status_code == 400
    assert b'data-testid="reread"' in response.content
    assert b"Do not drive, cycle or operate machinery" in response.content
    assert patient.get("review/").status_code == 302  # not past the questions yet
