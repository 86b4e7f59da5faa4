"""The patient's own consent panel and the "signed by" line (the staff case page's consent
panel gets its reads from the page: `planning.pathway.consent_bridge.consent_panel_of`)."""

from __future__ import annotations

from typing import Any

from django import template

from consent import selectors
from consent.access import may_see_signature
from consent.models import ConsentSignature
from consent.representatives import signed_by_line

register = template.Library()


@register.simple_tag
def consent_patient_panel(case_id: int, user: Any) -> selectors.CasePanel | None:
    """Only the patient's own case (the page already shows own cases only; checked again)."""
    panel = selectors.case_panel(case_id)
    if panel.latest_signature is not None and not may_see_signature(user, panel.latest_signature):
        return None
    return panel


@register.simple_tag
def consent_signed_by(signature: ConsentSignature) -> str:
    """ "Signed by <name>, <relationship>, as the patient's legally authorised representative
    (<authority>) on behalf of <patient>", in the active language; empty for the patient."""
    return signed_by_line(signature)
