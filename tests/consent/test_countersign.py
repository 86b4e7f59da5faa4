"""A consent document that requires a countersignature: the patient's signature alone does not
complete the consent. The case stays at Consent pending (the guard refuses even a manual
transition) and nothing is sealed until a clinician e-signs (core.esign) or staff capture a
witness's signature in the clinic; then the case moves on and ONE sealed record holds both
signatures. A patient cannot countersign; refusals write nothing but their audit entries."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.countersign import WitnessInput, consent_countersign
from consent.models import ConsentCountersignature, ConsentSignature, ConsentWithdrawal
from consent.services import StepRefused, consent_pdf_ensure
from core.errors import AccessDenied, DomainError
from core.models import AuditEntry
from core.roles import Role
from core.timeline import describe
from demo.consent import demo_signature
from planning.pathway.models import Case
from planning.pathway.services import case_transition
from planning.pathway.states import CaseState
from planning.pathway.waiting import filter_waiting_on, waiting_for_case, with_waiting
from records.models import RecordKind
from records.render import pdf_text
from records.validation import verify_pdf
from tests.conftest import make_user
from tests.consent.flow import Patient, invite_over_http
from tests.consent.helpers import awaiting_countersignature_for
from tests.factories import PASSWORD
from tests.support.esign import authenticator, esign, esign_post
from tests.support.records import count, pdf_of

pytestmark = pytest.mark.django_db(transaction=False)


def _signed_awaiting(case: Any, desk: Any, document: Any, on_commit: Any, kind: str) -> Any:
    document.countersignature = kind
    document.save()
    patient = Patient(invite_over_http(desk, case, on_commit))
    review = patient.through_review(
        "1985-05-20", {q.pk: q.correct_choice for q in document.questions.all()}
    )
    with on_commit(execute=True):
        response = patient.sign(review, name="Zoë O'Hara-Lindqvist")
    assert response.status_code == 302
    signature = ConsentSignature.objects.get(case_id=case.pk)
    assert signature.countersignature_required == kind
    return patient, signature


def _state(case: Any) -> str:
    return Case.objects.get(pk=case.pk).state


def _flat(text: str) -> str:
    return " ".join(text.split())


def _fhir_provenance(case: Any) -> dict[str, Any]:
    """The consent's Provenance in the case's FHIR export (validated as R4)."""
    from interop.fhir.bundle import consent_resources, validate

    _, provenance = (validate(r) for r in consent_resources([case.pk]))
    assert len(provenance["signature"]) == 2 and len(provenance["agent"]) == 2
    assert provenance["signature"][0]["type"][0]["code"] == "1.2.840.10065.1.12.1.7"
    return provenance


def _bundle_practitioners(case: Any) -> set[str]:
    from interop.fhir.bundle import case_bundle, unresolved_references

    bundle = case_bundle(case)
    assert unresolved_references(bundle) == []
    return {
        e["resource"]["id"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Practitioner"
    }


def test_a_clinician_countersignature_gates_the_case_and_is_sealed_with_the_consent(
    consent_case, desk, document, physician, django_capture_on_commit_callbacks, artifacts
) -> None:
    patient, signature = _signed_awaiting(
        consent_case, desk, document, django_capture_on_commit_callbacks, "clinician"
    )
    # Signed, but not complete: the case waits, nothing is sealed, the patient is told why.
    assert _state(consent_case) == CaseState.CONSENT_PENDING
    assert count(RecordKind.CONSENT) == 0
    with pytest.raises(StepRefused):
        consent_pdf_ensure(signature_id=signature.pk)
    done = patient.get("done/").content.decode()
    assert 'data-testid="awaiting-countersignature"' in done
    # The gate is the transition's guard, under the case lock: no way around it by hand.
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=consent_case.pk, transition="record_consent", actor=physician)
    assert "countersignature" in str(refused.value.message) + str(refused.value.details)
    assert _state(consent_case) == CaseState.CONSENT_PENDING

    # The case page tells staff, and offers the physician the countersigning page.
    authenticator(physician)  # signers need a second factor (core.esign)
    staff = Client()
    staff.force_login(physician)
    case_page = staff.get(reverse("pathway:case_detail", args=[consent_case.pk])).content.decode()
    assert 'data-testid="awaiting-countersignature"' in case_page
    assert "Countersign the signed consent (clinician e-signature)" in case_page  # next step
    url = reverse("consent_countersign_clinician", args=[signature.pk])
    assert url in case_page
    page = staff.get(url)
    assert page.status_code == 200 and b"Sign as the clinician" in page.content

    # A wrong password: refused on its field, audited, nothing written.
    wrong = staff.post(url, {"username": physician.username, "password": "not-it"})
    assert wrong.status_code == 400
    assert b"password is not correct" in wrong.content
    assert ConsentCountersignature.objects.count() == 0
    assert _state(consent_case) == CaseState.CONSENT_PENDING
    assert AuditEntry.objects.filter(action="esign.failed", actor=physician).exists()
    assert AuditEntry.objects.filter(action="consent.countersign.refused").exists()

    # The physician e-signs: the consent is complete, the case moves on, one record is sealed.
    with django_capture_on_commit_callbacks(execute=True):
        signed = staff.post(url, esign_post(staff, physician))
    assert signed.status_code == 302, signed.content[:3000]
    counter = ConsentCountersignature.objects.get()
    assert (counter.kind, counter.staff, counter.signature) == ("clinician", physician, signature)
    assert "Amara Okafor" in counter.statement
    assert _state(consent_case) == CaseState.PLAN_PENDING
    moved = AuditEntry.objects.filter(case_id=consent_case.pk, action="case.transition").latest(
        "seq"
    )
    assert moved.data["to"] == CaseState.PLAN_PENDING
    assert moved.actor == physician
    assert count(RecordKind.CONSENT) == 1
    pdf = pdf_of(RecordKind.CONSENT, signature.pk)
    (artifacts / "consent-countersigned-clinician.pdf").write_bytes(pdf)
    text = _flat(pdf_text(pdf))
    assert "Countersignature of the clinician" in text
    assert "Amara Okafor" in text
    assert "Signed by (typed name) Zoë O'Hara-Lindqvist" in text  # the patient's, too
    assert "countersigned the consent as the clinician" in text  # the audit page
    trust = Path(settings.SEAL_CERT_PATH).read_bytes()
    assert verify_pdf(pdf, trust_root_pem=trust).problems == []
    entry = AuditEntry.objects.get(action="consent.countersigned.clinician")
    assert (
        describe(entry) == "Amara Okafor countersigned the consent as the clinician (e-signature)"
    )
    # The FHIR export carries both signatures: the patient's, and the physician's as verifier.
    provenance = _fhir_provenance(consent_case)
    verifier, element = provenance["agent"][1], provenance["signature"][1]
    assert verifier["type"]["coding"][0]["code"] == "verifier"
    assert verifier["who"]["reference"] == f"Practitioner/user-{physician.pk}"
    assert element["type"][0]["code"] == "1.2.840.10065.1.12.1.5"  # Verification Signature
    assert element["who"] == verifier["who"] and "data" not in element
    assert provenance["recorded"] == element["when"]
    assert f"user-{physician.pk}" in _bundle_practitioners(consent_case)

    # Once is enough: a second countersignature is refused, nothing changes.
    with pytest.raises(DomainError, match="already countersigned"):
        consent_countersign(signature_id=signature.pk, actor=physician, esignature=esign(physician))
    assert ConsentCountersignature.objects.count() == 1
    assert b"already-countersigned" in staff.get(url).content


def test_a_patient_cannot_countersign_and_a_non_clinician_cannot_e_sign(
    consent_case, desk, document, patient_user, django_capture_on_commit_callbacks
) -> None:
    consent_case.patient.user = patient_user
    consent_case.patient.save()
    _, signature = _signed_awaiting(
        consent_case, desk, document, django_capture_on_commit_callbacks, "clinician"
    )
    url = reverse("consent_countersign_clinician", args=[signature.pk])
    as_patient = Client()
    as_patient.force_login(patient_user)
    assert as_patient.get(url).status_code == 403
    assert as_patient.post(url, {"password": PASSWORD}).status_code == 403
    # Even past the page, the service refuses the patient.
    with pytest.raises(AccessDenied, match="patient cannot countersign"):
        consent_countersign(
            signature_id=signature.pk, actor=patient_user, esignature=esign(patient_user)
        )
    # Admin staff may capture a witness but not countersign as the clinician.
    as_desk = Client()
    as_desk.force_login(desk)
    assert as_desk.post(url, {"password": PASSWORD}).status_code == 403
    with pytest.raises(AccessDenied, match="physician or nurse"):
        consent_countersign(signature_id=signature.pk, actor=desk, esignature=esign(desk))
    assert ConsentCountersignature.objects.count() == 0
    assert _state(consent_case) == CaseState.CONSENT_PENDING
    assert AuditEntry.objects.filter(action="consent.countersign.refused").count() == 2


def test_a_witness_countersignature_is_captured_by_staff_in_the_clinic(
    consent_case, desk, document, django_capture_on_commit_callbacks, artifacts
) -> None:
    _, signature = _signed_awaiting(
        consent_case, desk, document, django_capture_on_commit_callbacks, "witness"
    )
    staff = Client()
    staff.force_login(desk)
    url = reverse("consent_countersign_witness", args=[signature.pk])
    # The clinician page is not this consent's kind: it says so and offers no form.
    other = staff.get(reverse("consent_countersign_clinician", args=[signature.pk]))
    assert other.status_code == 403  # admin staff do not e-sign as clinicians
    page = staff.get(url)
    assert page.status_code == 200 and b'data-testid="signature-pad"' in page.content
    image, strokes = demo_signature()

    # Bad input: each problem on its field, nothing written.
    for data, problem in [
        (
            {"witness_name": " ", "attest": "on", "signature": image, "strokes": strokes},
            "full name",
        ),
        (
            {
                "witness_name": "Zoe O'Hara-Lindqvist",
                "attest": "on",
                "signature": image,
                "strokes": strokes,
            },
            "someone other than",
        ),
        (
            {"witness_name": "W" * 151, "attest": "on", "signature": image, "strokes": strokes},
            "At most 150",
        ),
        ({"witness_name": "Petra Holm", "signature": image, "strokes": strokes}, "ticking the box"),
        ({"witness_name": "Petra Holm", "attest": "on"}, "signature"),
    ]:
        refused = staff.post(url, data)
        assert refused.status_code == 400, problem
        assert problem.lower() in refused.content.decode().lower(), problem
    assert ConsentCountersignature.objects.count() == 0
    assert _state(consent_case) == CaseState.CONSENT_PENDING

    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            url,
            {"witness_name": "Petra  Holm", "attest": "on", "signature": image, "strokes": strokes},
        )
    assert done.status_code == 302
    counter = ConsentCountersignature.objects.get()
    assert (counter.kind, counter.witness_name, counter.staff) == ("witness", "Petra Holm", desk)
    assert bytes(counter.image_png).startswith(b"\x89PNG")
    assert _state(consent_case) == CaseState.PLAN_PENDING
    pdf = pdf_of(RecordKind.CONSENT, signature.pk)
    (artifacts / "consent-countersigned-witness.pdf").write_bytes(pdf)
    text = _flat(pdf_text(pdf))
    assert "Countersignature of the witness" in text
    assert "Witness (printed name) Petra Holm" in text
    assert f"Captured by {desk.display_name}" in text
    entry = AuditEntry.objects.get(action="consent.countersigned.witness")
    assert describe(entry).endswith("captured the countersignature of the witness “Petra Holm”")
    # The FHIR export: the witness as attester, named with who captured it, and the drawing.
    provenance = _fhir_provenance(consent_case)
    attester, element = provenance["agent"][1], provenance["signature"][1]
    assert attester["type"]["coding"][0]["code"] == "attester"
    assert attester["who"] == {"display": f"Petra Holm (witness, captured by {desk.display_name})"}
    assert element["type"][0]["code"] == "1.2.840.10065.1.12.1.11"  # Consent Witness Signature
    assert base64.b64decode(element["data"]) == bytes(counter.image_png)


def test_a_consent_needing_no_countersignature_refuses_one(
    consent_case, desk, document, clinician, django_capture_on_commit_callbacks
) -> None:
    _, signature = _signed_awaiting(
        consent_case, desk, document, django_capture_on_commit_callbacks, "none"
    )
    assert _state(consent_case) == CaseState.PLAN_PENDING  # complete at signing, as before
    with pytest.raises(DomainError, match="needs no countersignature"):
        consent_countersign(
            signature_id=signature.pk,
            actor=clinician,
            witness=WitnessInput(
                name="A Witness", attested=True, signature_data_url="", strokes_json=""
            ),
        )
    assert ConsentCountersignature.objects.count() == 0


def test_changing_the_document_setting_later_does_not_change_a_signed_consent(
    consent_case, desk, document, django_capture_on_commit_callbacks
) -> None:
    _, signature = _signed_awaiting(
        consent_case, desk, document, django_capture_on_commit_callbacks, "clinician"
    )
    document.countersignature = "none"
    document.save()
    assert _state(consent_case) == CaseState.CONSENT_PENDING
    with pytest.raises(DomainError):
        case_transition(
            case_id=consent_case.pk,
            transition="record_consent",
            actor=make_user(Role.PHYSICIAN),
        )
    signature.refresh_from_db()
    assert signature.countersignature_required == "clinician"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_countersignatures_at_once_one_wins_under_the_case_lock(document) -> None:
    """Two staff members capture a witness at the same moment: the case lock serialises them;
    one countersignature, one case transition, one sealed record; the other is told."""
    import threading

    from django.db import connections

    from core.audit import verify_chain
    from tests.consent.helpers import awaiting_countersignature_for
    from tests.factories import CaseFactory

    case = CaseFactory(state=CaseState.CONSENT_PENDING)
    signature = awaiting_countersignature_for(case, "witness")
    staff = [make_user(Role.CLINICIAN), make_user(Role.ADMIN_STAFF)]
    image, strokes = demo_signature()
    barrier = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def act(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = consent_countersign(
                signature_id=signature.pk,
                actor=staff[i],
                witness=WitnessInput(
                    name=f"Witness {i}",
                    attested=True,
                    signature_data_url=image,
                    strokes_json=strokes,
                ),
            )
        except Exception as exc:  # recorded: anything but the refusal fails the assertions
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    won = [o for o in outcomes.values() if isinstance(o, ConsentCountersignature)]
    lost = [o for o in outcomes.values() if isinstance(o, DomainError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert "no longer awaits" in lost[0].message or "already countersigned" in lost[0].message
    assert ConsentCountersignature.objects.count() == 1
    assert _state(case) == CaseState.PLAN_PENDING
    assert AuditEntry.objects.filter(action="case.transition", case_id=case.pk).count() == 1
    assert count(RecordKind.CONSENT) == 1
    assert verify_chain().ok


def test_a_consent_awaiting_its_countersignature_waits_on_the_nurse_not_on_an_invitation(
    consent_case, document, admin_staff, clinician
) -> None:
    """The workspace reads the same fact: the board says the case waits for a countersignature
    (not for an invitation to be sent), admin staff's invitations queue leaves it out and the
    nurse's queue lists it, until the countersignature exists."""

    def section(user: Any, queue: str, key: str) -> list[int]:
        staff = Client()
        staff.force_login(user)
        html = staff.get(reverse("pathway:work_queue"), {"queue": queue}).content.decode()
        part = html.split(f'data-testid="queue-{key}"')[1].split("</section>")[0]
        return [int(pk) for pk in re.findall(r'data-testid="queue-item" data-case="(\d+)"', part)]

    assert waiting_for_case(consent_case).step == "send_invitation"
    assert section(admin_staff, "admin_staff", "invitations") == [consent_case.pk]
    signature = awaiting_countersignature_for(consent_case, "witness")

    waiting = waiting_for_case(consent_case)
    assert (waiting.step, waiting.who) == ("countersign_consent", "nurse")
    cases = with_waiting(Case.objects.all(), now=timezone.now())
    found = filter_waiting_on(cases, "nurse", now=timezone.now())
    assert list(found.values_list("pk", flat=True)) == [consent_case.pk]
    assert section(admin_staff, "admin_staff", "invitations") == []
    assert section(clinician, "nurse", "countersignatures") == [consent_case.pk]

    ConsentWithdrawal.objects.create(
        patient=consent_case.patient, case_id=consent_case.pk, signature=signature, reason="x"
    )
    assert waiting_for_case(consent_case).step == "send_invitation"  # withdrawn: none due
