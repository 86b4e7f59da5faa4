"""Signed-in pages: staff actions from the case page, downloads, verification, and a patient's
withdrawal of consent. Each view: access check, form, one service call, response."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from consent import services
from consent.access import (
    access_case_as_staff,
    access_own_case,
    access_signature_pdf,
    own_patient,
)
from consent.downloads import signed_in_download
from consent.forms import VerifyForm, WithdrawForm
from consent.models import ConsentRequest, PaperCopyRequest
from core.access import request_user, require_staff, staff_required
from core.audit import audit_record
from core.errors import DomainError, NotFound
from core.models import Patient
from core.roles import is_staff_member
from records.verification import record_identify


@staff_required
@require_POST
def invite(request: HttpRequest, case_id: int) -> HttpResponse:
    access_case_as_staff(request.user, case_id)
    try:
        req, _ = services.consent_request_create(case_id=case_id, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, f"No invitation was sent: {exc.message} {_fields(exc)}".strip())
    else:
        to = req.sent_to or "nobody (the patient has no e-mail address on file)"
        messages.success(
            request, f"Invitation sent to {to}. The link expires on {req.expires_at:%d %b %Y}."
        )
    return redirect("pathway:case_detail", case_id=case_id)


def _fields(exc: DomainError) -> str:
    fields = exc.details.get("fields")
    return " ".join(str(v) for v in fields.values()) if isinstance(fields, dict) else ""


@staff_required
@require_POST
def revoke(request: HttpRequest, request_id: int) -> HttpResponse:
    req = ConsentRequest.objects.filter(pk=request_id).first()
    if req is None:
        raise NotFound("No such consent request.")
    try:
        services.consent_request_revoke(
            request_id=req.pk, actor=request_user(request), reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The link was revoked; it no longer opens.")
    return redirect("pathway:case_detail", case_id=req.case_id)


@staff_required
@require_POST
def paper_copy_done(request: HttpRequest, paper_id: int) -> HttpResponse:
    paper = PaperCopyRequest.objects.filter(pk=paper_id).first()
    if paper is None:
        raise NotFound("No such paper-copy request.")
    services.consent_paper_copy_complete(paper_request_id=paper.pk, actor=request_user(request))
    messages.success(request, "Marked as done: the paper copy was sent.")
    return redirect("pathway:case_detail", case_id=paper.case_id)


@login_required
def signature_pdf(request: HttpRequest, signature_id: int) -> HttpResponse:
    record = access_signature_pdf(request.user, signature_id)
    return signed_in_download(record, actor=request_user(request))


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    """A patient withdraws consent for their own case, after a confirmation page."""
    patient = access_own_case(request.user, case_id)
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


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Upload a PDF: is it intact, sealed by this clinic, and which record is it?"""
    if not is_staff_member(request.user) and own_patient(request.user) is None:
        require_staff(request.user, what="consent verification")
    form = VerifyForm(request.POST or None, request.FILES or None)
    result: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        result = _verify_upload(request, form.cleaned_data["file"].read())
    status = 400 if form.errors else 200
    return render(request, "consent/verify.html", {"form": form, "result": result}, status=status)


def _verify_upload(request: HttpRequest, data: bytes) -> dict[str, Any]:
    found = record_identify(data)
    record = found.record
    visible = record is not None and (
        is_staff_member(request.user)
        or Patient.objects.filter(pk=record.patient_id or 0, user=request_user(request)).exists()
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
