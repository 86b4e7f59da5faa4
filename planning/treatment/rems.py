"""The esketamine REMS Patient Monitoring Form as a PDF (rendered, not sealed: it is a copy
of data kept in the session record, submitted to the REMS by staff)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from consent.pdf import render_pdf
from planning.treatment.models import TreatmentSession
from planning.treatment.selectors import rems_form_data


def rems_pdf_bytes(session: TreatmentSession) -> bytes:
    html = render_to_string(
        "treatment/pdf/rems_form.html",
        {
            "session": session,
            "form": rems_form_data(session),
            "clinic_name": settings.CLINIC_NAME,
            "patient": session.case.patient,
        },
    )
    return render_pdf(
        html,
        title=f"REMS monitoring form · session {session.number}",
        metadata={"author": settings.CLINIC_NAME},
    )
