"""The countersigning pages, started by staff on the case page and used in the clinic: a
clinician e-signs, or a witness prints their name and draws their signature on the page a
staff member opened (recorded with that staff member). Each view: access check, form, one
service call, response."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consent import countersign
from consent.access import access_signature
from consent.forms_countersign import ClinicianCountersignForm, WitnessCountersignForm
from consent.models import ConsentSignature, Countersignature
from consent.representatives import signed_by_line
from consent.services import awaiting_countersignature
from core.access import access_action, current_action, request_user
from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_error, form_errors


def _context(signature: ConsentSignature, form: Any, kind: str) -> dict[str, Any]:
    return {
        "signature": signature,
        "form": form,
        "kind": kind,
        "signed_by": signed_by_line(signature, "en"),
        "due": awaiting_countersignature(signature) and signature.countersignature_required == kind,
        "countersignature": getattr(signature, "countersignature", None),
    }


@access_action("consent.countersign_clinician")
@never_cache
@require_http_methods(["GET", "POST"])
def clinician(request: HttpRequest, signature_id: int) -> HttpResponse:
    signature = access_signature(request.user, signature_id, action=current_action(request))
    form = ClinicianCountersignForm(request.POST or None, esign_request=request)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationFailed(form_errors(form))
            countersign.consent_countersign(
                signature_id=signature.pk,
                actor=request_user(request),
                esignature=form.esignature(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            context = _context(signature, form, Countersignature.CLINICIAN)
            return render(request, "consent/countersign.html", context, status=exc.status)
        messages.success(request, "Consent countersigned. The sealed record is being prepared.")
        return redirect("pathway:case_detail", case_id=signature.case_id)
    context = _context(signature, form, Countersignature.CLINICIAN)
    return render(request, "consent/countersign.html", context)


@access_action("consent.countersign_witness")
@never_cache
@require_http_methods(["GET", "POST"])
def witness(request: HttpRequest, signature_id: int) -> HttpResponse:
    signature = access_signature(request.user, signature_id, action=current_action(request))
    form = WitnessCountersignForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()
        try:
            countersign.consent_countersign(
                signature_id=signature.pk, actor=request_user(request), witness=form.witness()
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            context = _context(signature, form, Countersignature.WITNESS)
            return render(request, "consent/countersign.html", context, status=exc.status)
        messages.success(
            request,
            "The witness's countersignature is recorded. The sealed record is being prepared.",
        )
        return redirect("pathway:case_detail", case_id=signature.case_id)
    context = _context(signature, form, Countersignature.WITNESS)
    return render(request, "consent/countersign.html", context)
