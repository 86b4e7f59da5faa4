"""The esketamine REMS Patient Monitoring Form as a sealed record.

Sealed when the session is signed off (a task queued on commit). The form's content comes from
`selectors.rems_form_data(session)`; the page layout is `templates/treatment/pdf/rems_form.html`,
whose version is `LAYOUT_VERSION` and is recorded on each record. Asked again (after a correction
to the data the form draws on, or a new layout), a new version is sealed that points at the
previous one; an unchanged form returns the existing record. No version is ever overwritten, so
the clinic can always show exactly what it submitted and what changed since.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from core.errors import NotFound
from planning.treatment.models import TreatmentSession
from planning.treatment.rems_form import FORM_VERSION
from planning.treatment.selectors import rems_form_data
from records.models import RecordKind, SealedRecord
from records.pipeline import RenderRequest
from records.services import RecordOwner, sealed_record_current

LAYOUT_VERSION = FORM_VERSION  # the form layout, versioned with its fields (rems_form.py)
SEAL_REASON = "REMS patient monitoring form, sealed by the clinic"


def rems_form_html(session: TreatmentSession) -> str:
    return render_to_string(
        "treatment/pdf/rems_form.html",
        {
            "session": session,
            "form": rems_form_data(session),
            "clinic_name": settings.CLINIC_NAME,
            "patient": session.case.patient,
            "layout_version": LAYOUT_VERSION,
        },
    )


def rems_form_seal(*, session_id: int) -> SealedRecord:
    """The current sealed REMS form of a signed-off esketamine session: the latest record when
    its content and layout are unchanged, otherwise a new version superseding it."""
    session = _signed_off_session(session_id)
    patient = session.case.patient
    treated = timezone.localtime(session.dosing_started_at or session.signed_off_at)
    record, _ = sealed_record_current(
        kind=RecordKind.REMS,
        owner_id=session.pk,
        owner=lambda version: RecordOwner(
            kind=RecordKind.REMS,
            owner_id=session.pk,
            label=(
                f"REMS monitoring form, session {session.number} (#{session.pk}) of "
                f"{treated:%Y-%m-%d}, case #{session.case_id}, "
                f"{patient.full_name} ({patient.mrn})"
            ),
            file_name=f"rems-{session.case_id}-{session.number}-v{version}.pdf",
            case_id=session.case_id,
            patient_id=patient.pk,
        ),
        render=RenderRequest(
            html=rems_form_html(session),
            title=f"REMS patient monitoring form · session {session.number}",
            subject=f"Treatment session #{session.pk}, case #{session.case_id}",
            reason=SEAL_REASON,
            metadata={"PathwaySession": str(session.pk)},
        ),
        layout_version=LAYOUT_VERSION,
    )
    return record


def _signed_off_session(session_id: int) -> TreatmentSession:
    session = (
        TreatmentSession.objects.select_related("case__patient", "plan", "signed_off_by")
        .filter(pk=session_id, status=TreatmentSession.Status.SIGNED_OFF)
        .exclude(rems_due_at=None)
        .first()
    )
    if session is None:
        raise NotFound("Only signed-off esketamine sessions have a REMS monitoring form.")
    return session
