"""Signed-in pages: staff actions from the case page, downloads, verification, and a patient's
withdrawal of consent. Each view: access check, form, one service call, response."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from consent import services
from consent.access import (
    access_consent_case,
    access_consent_request,
    access_paper_copy,
    access_signature_pdf,
    may_see_record,
)
from consent.forms import VerifyForm, WithdrawForm
from core.access import access_action, current_action, request_user
from core.audit import audit_record
from core.dates import day
from core.errors import DomainError
from records.downloads import record_response
from records.verification import record_identify


@access_action("consent.invite")
@require_POST
def invite(request: HttpRequest, case_id: int) -> HttpResponse:
    access_consent_case(request.user, case_id, action=current_action(request))
    try:
        req, _ = services.consent_request_create(
            case_id=case_id, actor=request_user(request), must_reach=True
        )
    except DomainError as exc:
        messages.error(request, f"No invitation was sent: {exc.message} {_fields(exc)}".strip())
    else:
        messages.success(
            request,
            f"Invitation sent to {req.sent_to}. The link expires on {day(req.expires_at)}.",
        )
    return redirect("pathway:case_detail", case_id=case_id)


def _fields(exc: DomainError) -> str:
    fields = exc.details.get("fields")
    return " ".join(str(v) for v in fields.values()) if isinstance(fields, dict) else ""


@access_action("consent.revoke")
@require_POST
def revoke(request: HttpRequest, request_id: int) -> HttpResponse:
    req = access_consent_request(request.user, request_id, action=current_action(request))
    try:
        services.consent_request_revoke(
            request_id=req.pk, actor=request_user(request), reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The link was revoked; it no longer opens.")
    return redirect("pathway:case_detail", case_id=req.case_id)


@access_action("consent.paper_copy")
@require_POST
def paper_copy_done(request: HttpRequest, paper_id: int) -> HttpResponse:
    paper = access_paper_copy(request.user, paper_id, action=current_action(request))
    services.consent_paper_copy_complete(paper_request_id=paper.pk, actor=request_user(request))
    messages.success(request, "Marked as done: the paper copy was sent.")
    return redirect("pathway:case_detail", case_id=paper.case_id)


@access_action("consent.pdf")
def signature_pdf(request: HttpRequest, signature_id: int) -> HttpResponse:
    return record_response(access_signature_pdf(request.user, signature_id))


@access_action("consent.withdraw")
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    """A patient withdraws consent for their own case, after a confirmation page."""
    patient = access_consent_case(request.user, case_id, action=current_action(request)).patient
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                patient=patient,
                case_id=case_id,
                reason=form.cleaned_data["reason"],
                actor=request_user(request),
            )
        except DomainError as exc:
            messages.error(request, f"Nothing was changed: {exc.message}")
        else:
            messages.success(request, "You have withdrawn your consent. The clinic has been told.")
        return redirect("pathway:patient_home")
    return render(
        request,
        "consent/withdraw.html",
        {"form": form, "case_id": case_id},
        status=400 if form.errors else 200,
    )


@access_action("consent.verify")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Upload a PDF: is it intact, sealed by this clinic, and which record is it?"""
    form = VerifyForm(request.POST or None, request.FILES or None)
    result: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        result = _verify_upload(request, form.cleaned_data["file"].read())
    status = 400 if form.errors else 200
    return render(request, "consent/verify.html", {"form": form, "result": result}, status=status)


def _verify_upload(request: HttpRequest, data: bytes) -> dict[str, Any]:
    found = record_identify(data)
    record = found.record
    visible = record is not None and may_see_record(
        request.user, record, action=current_action(request)
    )
    audit_record(
        action="consent.pdf.verify",
        actor=request_user(request),
        case_id=record.case_id if record else None,
        patient_id=record.patient_id if record else None,
        target=record.audit_target if record else "",
        data={
            "sha256": found.sha256,
            "ok": found.check.ok,
            "problems": found.check.problems,
            "known": found.known,
        },
    )
    return {
        "check": found.check,
        "sha256": found.sha256,
        "record": record if visible else None,
        "known": found.known,
        "clinic": settings.CLINIC_NAME,
    }
