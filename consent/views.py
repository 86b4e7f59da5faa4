"""The patient's signing link: date of birth, disclosure, reading, questions, review, signing.

Every page goes through `link_step`: the token must match a request, the link must be open,
and this browser session must have confirmed the date of birth. The order of steps is decided
on the server from what the request records (`next_step`), never by the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from consent import services
from consent.access import (
    LinkClosed,
    access_link,
    link_verified,
    mark_link_verified,
    require_link_open,
)
from consent.documents import document_html, intent_statement, questions_for, version_title
from consent.downloads import link_download, signature_record
from consent.forms import AnswersForm, DeclineForm, DisclosureForm, DobForm, ReadForm, SignForm
from consent.models import ConsentRequest, PaperCopyRequest
from consent.representatives import signer_context
from core.access import access_action
from core.errors import DomainError, ValidationFailed
from core.i18n import SESSION_KEY, page_language, patient_language_set, session_language, supported
from core.views import safe_next

LinkView = Callable[[HttpRequest, ConsentRequest], HttpResponse]


def _request_for(request: HttpRequest, token: str) -> ConsentRequest:
    """The request behind a signing page: the link's token's, or on a clinic tablet the one
    request of the tablet session (set by `consent.tablet_mode`, which checked the session)."""
    tablet_request: ConsentRequest | None = getattr(request, "consent_tablet_request", None)
    return tablet_request if tablet_request is not None else access_link(token)


def _closed(request: HttpRequest, exc: LinkClosed) -> HttpResponse:
    context = {"reason": exc.reason, "message": exc.message, "req": exc.request}
    return render(request, "consent/link_closed.html", context, status=exc.status)


STEP_ORDER = ("consent_disclosure", "consent_read", "consent_questions", "consent_review")


def link_step(step: str) -> Callable[[LinkView], Callable[..., HttpResponse]]:
    """Resolve the token, refuse a closed link, require the date-of-birth check, and send the
    patient back to the first step they have not completed (no skipping ahead)."""

    def decorate(view: LinkView) -> Callable[..., HttpResponse]:
        return _link_step(view, step)

    return decorate


def _link_step(view: LinkView, step: str) -> Callable[..., HttpResponse]:
    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        req = _request_for(request, token)
        with in_patient_language(request, req, token):
            return _step(request, req, token)

    def _step(request: HttpRequest, req: ConsentRequest, token: str) -> HttpResponse:
        if req.status == ConsentRequest.Status.SIGNED and link_verified(request.session, req):
            return _done_page(request, req, token)
        try:
            require_link_open(req)
        except LinkClosed as exc:
            return _closed(request, exc)
        if not link_verified(request.session, req):
            return redirect("consent_link", token=token)
        request.consent_token = token  # type: ignore[attr-defined]
        due = next_step(req)
        if (
            step in STEP_ORDER
            and due in STEP_ORDER
            and STEP_ORDER.index(due) < STEP_ORDER.index(step)
        ):
            return redirect(due, token=token)
        return view(request, req)

    return wrapper


def in_patient_language(
    request: HttpRequest, req: ConsentRequest, token: str
) -> translation.override:
    """Render the link's pages in this browser's chosen language, else the patient's, and
    offer the language switcher (base.html, via core.context_processors)."""
    request.language_switch_url = reverse(  # type: ignore[attr-defined]
        "consent_language", args=[token]
    )
    return translation.override(page_language(request.session, req.patient))


def _token(request: HttpRequest) -> str:
    """The link token of this request, set by `link_step`."""
    return str(request.consent_token)  # type: ignore[attr-defined]


def next_step(req: ConsentRequest) -> str:
    version = services.patient_version(req)
    if req.status == ConsentRequest.Status.SIGNED:
        return "consent_done"
    if services.disclosure_needed(req.patient):
        return "consent_disclosure"
    if version is None or req.read_version_id != version.pk:
        return "consent_read"
    if req.answers_version_id != version.pk:
        return "consent_questions"
    return "consent_review"


def _go_on(request: HttpRequest, req: ConsentRequest) -> HttpResponse:
    """Redirect to the first unfinished step, as the database (not this request) now says."""
    req.refresh_from_db()
    return redirect(next_step(req), token=_token(request))


@access_action("consent.link")
@never_cache
@require_http_methods(["GET", "POST"])
def link_start(request: HttpRequest, token: str) -> HttpResponse:
    """The page the e-mail opens: confirm the date of birth before anything else is shown."""
    req = _request_for(request, token)
    with in_patient_language(request, req, token):
        return _link_start(request, req, token)


def _link_start(request: HttpRequest, req: ConsentRequest, token: str) -> HttpResponse:
    try:
        require_link_open(req)
    except LinkClosed as exc:
        return _closed(request, exc)
    if req.status == ConsentRequest.Status.SIGNED and link_verified(request.session, req):
        return redirect("consent_done", token=token)
    if link_verified(request.session, req):
        return redirect(next_step(req), token=token)
    form = DobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.consent_dob_check(
            request_id=req.pk, date_of_birth=form.cleaned_data["date_of_birth"]
        )
        if result.ok:
            mark_link_verified(request.session, req)
            _keep_language_choice(request, req)
            return redirect(next_step(req), token=token)
        if result.locked or result.closed_reason:
            req.refresh_from_db()
            return _closed(request, _closed_error(req))
        form.add_error("date_of_birth", _dob_message(result.tries_left))
    status = 400 if form.errors else 200
    return render(request, "consent/link_dob.html", {"form": form, "req": req}, status=status)


def _closed_error(req: ConsentRequest) -> LinkClosed:
    try:
        require_link_open(req)
    except LinkClosed as exc:
        return exc
    raise AssertionError("the link should be closed")


def _dob_message(tries_left: int) -> str:
    return ngettext(
        "That date of birth does not match our records. %(count)d try left before this link locks.",
        "That date of birth does not match our records. %(count)d tries left before this "
        "link locks.",
        tries_left,
    ) % {"count": tries_left}


def _keep_language_choice(request: HttpRequest, req: ConsentRequest) -> None:
    """A language chosen before the date of birth was confirmed becomes the patient's."""
    chosen = session_language(request.session)
    if chosen and chosen != req.patient.preferred_language:
        patient_language_set(
            patient_id=req.patient_id, language=chosen, actor=None, via="patient (signing link)"
        )
        req.patient.refresh_from_db()


@access_action("consent.link")
@never_cache
@require_POST
def language(request: HttpRequest, token: str) -> HttpResponse:
    """The switcher on the link's pages. Before the date of birth is confirmed it changes only
    what this browser sees; after, it is the patient's choice and is saved (audited)."""
    req = _request_for(request, token)
    chosen = request.POST.get("language", "")
    if not supported(chosen):
        return HttpResponse(_("Please choose one of the languages offered."), status=400)
    request.session[SESSION_KEY] = chosen
    if link_verified(request.session, req):
        _keep_language_choice(request, req)
    return redirect(safe_next(request, default=reverse("consent_link", args=[token])))


def _disclosure_text() -> str:
    """The text the patient agrees to; stored as agreed, so it names the clinic itself (no
    request context processors here)."""
    return render_to_string("consent/_disclosure_text.html", {"clinic_name": settings.CLINIC_NAME})


@access_action("consent.link")
@link_step("consent_disclosure")
@require_http_methods(["GET", "POST"])
def disclosure(request: HttpRequest, req: ConsentRequest) -> HttpResponse:
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["choice"] == "paper":
            services.consent_paper_copy_request(request_id=req.pk, note=form.cleaned_data["note"])
            context = {"req": req, "token": _token(request)}
            return render(request, "consent/link_paper.html", context)
        services.consent_disclosure_agree(request_id=req.pk, disclosure_text=_disclosure_text())
        return _go_on(request, req)
    context = {
        "form": form,
        "req": req,
        "disclosure_html": _disclosure_text(),
        "paper_requested": PaperCopyRequest.objects.filter(request=req).exists(),
    }
    return render(
        request, "consent/link_disclosure.html", context, status=400 if form.errors else 200
    )


@access_action("consent.link")
@link_step("consent_read")
@require_http_methods(["GET", "POST"])
def read(request: HttpRequest, req: ConsentRequest) -> HttpResponse:
    form = ReadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_read_record(request_id=req.pk, version_id=form.cleaned_data["version_id"])
        return _go_on(request, req)
    version = services.patient_version(req)
    context = {
        "req": req,
        "version": version,
        "title": version_title(version) if version else req.document.title,
        "body_html": document_html(version) if version else "",
    }
    return render(request, "consent/link_read.html", context)


@access_action("consent.link")
@link_step("consent_questions")
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest, req: ConsentRequest) -> HttpResponse:
    version = services.patient_version(req)
    if version is None or req.read_version_id != version.pk:
        return _go_on(request, req)
    form = AnswersForm(
        request.POST or None,
        questions=questions_for(req.document, version.language),
        initial={"version_id": version.pk},
    )
    wrong: dict[int, str] = {}
    if not form.questions or (request.method == "POST" and form.is_valid()):
        answers = form.answers() if form.questions else {}
        result = services.consent_answers_submit(
            request_id=req.pk, version_id=version.pk, answers=answers
        )
        if not result:
            return redirect("consent_review", token=_token(request))
        wrong = {w.question_id: w.passage_html for w in result}
    rows = [{"field": form[f"q{q.pk}"], "passage": wrong.get(q.pk, "")} for q in form.questions]
    context = {"req": req, "form": form, "wrong": wrong, "rows": rows}
    return render(
        request,
        "consent/link_questions.html",
        context,
        status=400 if (wrong or form.errors) else 200,
    )


@access_action("consent.link")
@link_step("consent_review")
@require_http_methods(["GET"])
def review(request: HttpRequest, req: ConsentRequest) -> HttpResponse:
    try:
        doc = services.consent_review_record(request_id=req.pk)
    except services.StepRefused:
        return _go_on(request, req)
    form = SignForm(initial={"document_sha256": doc.sha256})
    return render(request, "consent/link_review.html", _review_context(req, doc, form))


def _review_context(req: ConsentRequest, doc: Any, form: SignForm) -> dict[str, Any]:
    intent = intent_statement(req.patient, doc.version)
    return {
        "req": req,
        "doc": doc,
        "form": form,
        "patient": req.patient,
        "intent": intent,
        "title": version_title(doc.version),
        "sections": section_headings(doc.version.body_markdown),
        "answers": req.answers.get("summary", []),
        **signer_context(req, doc.version, form),
    }


@access_action("consent.link")
@link_step("consent_review")
@require_POST
def sign(request: HttpRequest, req: ConsentRequest) -> HttpResponse:
    form = SignForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.consent_sign(
            request_id=req.pk,
            document_sha256=data.get("document_sha256", ""),
            typed_name=data.get("typed_name", ""),
            intent_confirmed=bool(data.get("intent")),
            signature_data_url=data.get("signature", ""),
            strokes_json=data.get("strokes", ""),
            signer=form.signer(),
        )
    except ValidationFailed as exc:
        return _sign_refused(request, req, form, exc)
    except DomainError as exc:
        messages.error(
            request, _("Your signature was not recorded: %(reason)s") % {"reason": exc.message}
        )
        return _go_on(request, req)
    return redirect("consent_done", token=_token(request))


# Where each refused field sits on the review page (the refusal at the top links to it).
FIELD_ANCHORS = {
    "signature": "signature-canvas",
    "typed_name": "id_typed_name",
    "intent": "id_intent",
    "signer_role": "signer-role",
    "representative_name": "id_representative_name",
    "representative_relationship": "id_representative_relationship",
    "representative_authority": "id_representative_authority",
    "representative_authority_detail": "id_representative_authority_detail",
}


def _sign_refused(
    request: HttpRequest, req: ConsentRequest, form: SignForm, exc: ValidationFailed
) -> HttpResponse:
    problems = []
    for name, message in exc.fields.items():
        form.add_error(name if name in form.fields else None, message)
        problems.append({"field": FIELD_ANCHORS.get(name, "sign-form"), "message": message})
    doc = services.consent_review_record(request_id=req.pk)
    context = {**_review_context(req, doc, form), "refused": exc.message, "problems": problems}
    return render(request, "consent/link_review.html", context, status=400)


def _done_page(request: HttpRequest, req: ConsentRequest, token: str) -> HttpResponse:
    ready = signature_record(req.signature.pk) is not None
    context = {
        "req": req,
        "token": token,
        "copy_ready": ready,
        "awaiting_countersignature": services.awaiting_countersignature(req.signature),
        "title": version_title(req.signature.version),
    }
    return render(request, "consent/link_done.html", context)


@access_action("consent.link")
@never_cache
def done(request: HttpRequest, token: str) -> HttpResponse:
    req = _request_for(request, token)
    if req.status != ConsentRequest.Status.SIGNED or not link_verified(request.session, req):
        return redirect("consent_link", token=token)
    with in_patient_language(request, req, token):
        return _done_page(request, req, token)


@access_action("consent.link")
@never_cache
@require_http_methods(["GET"])
def copy_status(request: HttpRequest, token: str) -> HttpResponse:
    """The done page's copy panel alone, asked for every few seconds until the sealed copy is
    ready (htmx `hx-trigger="every 3s"`; the ready panel has no trigger, so polling
    stops); 404 outside the verified session of a signed link."""
    req = _request_for(request, token)
    if req.status != ConsentRequest.Status.SIGNED or not link_verified(request.session, req):
        return HttpResponse(status=404)
    ready = signature_record(req.signature.pk) is not None
    context = {
        "token": token,
        "copy_ready": ready,
        "awaiting_countersignature": services.awaiting_countersignature(req.signature),
    }
    with in_patient_language(request, req, token):
        return render(request, "consent/_copy_status.html", context)


@access_action("consent.link")
@link_step("")
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, req: ConsentRequest) -> HttpResponse:
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_decline(request_id=req.pk, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(
                request, _("Your answer was not recorded: %(reason)s") % {"reason": exc.message}
            )
            return _go_on(request, req)
        return render(request, "consent/link_declined.html", {"req": req})
    return render(request, "consent/link_decline.html", {"req": req, "form": form})


@access_action("consent.link")
@never_cache
def link_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's copy, from the signing link, once signed and only in the verified session."""
    req = _request_for(request, token)
    if req.status != ConsentRequest.Status.SIGNED or not link_verified(request.session, req):
        return redirect("consent_link", token=token)
    return link_download(req.signature.pk, patient_name=req.signature.patient.full_name)


def section_headings(markdown: str) -> list[str]:
    """The document's "## " headings, for the review page's summary."""
    return [line[3:].strip() for line in markdown.splitlines() if line.startswith("## ")]
