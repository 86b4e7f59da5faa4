"""Where a consent request is signed: the patient's personal link, or a clinic tablet that a
staff member started (`consent.tablet`). The signing services ask this module for the facts to
store on the signature and the words for the audit trail, so the signing code stays one."""

from __future__ import annotations

from typing import Any

from consent.models import ConsentRequest, ConsentSignature, SigningChannel, TabletSession
from core.audit import audit_record


def _tablet(req: ConsentRequest) -> TabletSession | None:
    if req.channel != SigningChannel.TABLET:
        return None
    return TabletSession.objects.select_related("started_by").filter(request=req).first()


def patient_label(req: ConsentRequest) -> str:
    """Who acted, for an audit entry written by the patient on this request's pages."""
    name = req.patient.full_name
    if req.channel == SigningChannel.TABLET:
        return f"patient on a clinic tablet ({name})"
    return f"patient via consent link ({name})"


def channel_fields(req: ConsentRequest) -> dict[str, Any]:
    """The channel facts a new signature stores, as they are now (the staff member's name as
    it reads today, not only a reference that may change)."""
    tablet = _tablet(req)
    if tablet is None:
        return {"channel": SigningChannel.LINK}
    return {
        "channel": SigningChannel.TABLET,
        "channel_started_by": tablet.started_by,
        "channel_started_by_name": tablet.started_by.display_name,
    }


def channel_signed(req: ConsentRequest, signature: ConsentSignature) -> None:
    """After a signature on a tablet, say so on the request's trail (the sealed PDF's audit page
    and the case timeline read it); nothing for a link."""
    if signature.channel != SigningChannel.TABLET:
        return
    audit_record(
        action="consent.tablet.signed",
        actor_label=patient_label(req),
        case_id=req.case_id,
        patient_id=req.patient_id,
        target=req.audit_target,
        data={
            "signature": signature.pk,
            "started_by": signature.channel_started_by_name,
            "started_by_id": signature.channel_started_by_id,
        },
    )
