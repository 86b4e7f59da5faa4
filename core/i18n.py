"""The patient's language: recorded on the patient, chosen by staff or by the patient, and
used for every patient-facing page, message and PDF (`translation.override`). Staff pages stay
in the default language (English): there is no LocaleMiddleware.

A browser that has not yet confirmed whose link it holds may choose a language for the pages it
sees (kept in its session only); the choice is saved on the patient once the date of birth is
confirmed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from core.audit import audit_record
from core.errors import ValidationFailed
from core.models import Patient, User

SESSION_KEY = "pathway_language"
# The signed-in user's patient language, cached in the session ([user id, stamp, code]; "" for
# staff), so a page costs no query for it. `User.language_stamp` is raised whenever the user's
# patient record is saved with a language (core.signals); the user row is loaded on every
# request anyway (request.user), so comparing the stamps is free, and a change made by staff
# reaches a signed-in patient on their next request, in every session of theirs, at the cost of
# one query then.
SIGNED_IN_KEY = "pathway_signed_in_language"


def supported(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


def session_language(session: SessionBase) -> str:
    value = session.get(SESSION_KEY, "")
    return value if isinstance(value, str) and supported(value) else ""


def page_language(session: SessionBase, patient: Patient) -> str:
    """A link page's language: this browser's choice, else the patient's preference."""
    return session_language(session) or patient.preferred_language


def patient_language_set(*, patient_id: int, language: str, actor: User | None, via: str) -> bool:
    """Record the patient's preferred language (audited). False when it was already that."""
    if not supported(language):
        raise ValidationFailed({"language": "Please choose one of the languages offered."})
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient_id)
        if patient.preferred_language == language:
            return False
        old, patient.preferred_language = patient.preferred_language, language
        patient.save(update_fields=["preferred_language", "updated_at"])
        audit_record(
            action="patient.language.set",
            actor=actor,
            actor_label="" if actor is not None else via,
            patient_id=patient.pk,
            target=f"patient:{patient.pk}",
            data={"from": old, "to": language, "via": via},
        )
    return True


class PatientLanguageMiddleware:
    """A signed-in patient sees every page in their preferred language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = signed_in_language(request)
        if not language:
            return self.get_response(request)
        with translation.override(language):
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", language)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response


def signed_in_language(request: HttpRequest, *, refresh: bool = False) -> str:
    """The signed-in patient's preferred language ("" for staff and visitors), cached in the
    session and re-read when the user's language stamp has moved since."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    cached = request.session.get(SIGNED_IN_KEY)
    if (
        not refresh
        and isinstance(cached, list)
        and len(cached) == 3
        and cached[0] == user.pk
        and cached[1] == user.language_stamp
    ):
        return str(cached[2])
    return remember_signed_in_language(request.session, user)


def remember_signed_in_language(session: SessionBase, user: User) -> str:
    """Read the user's patient language and the current stamp into the session (one query; at
    sign-in, and after a change)."""
    row = (
        Patient.objects.filter(user_id=user.pk)
        .values_list("preferred_language", "user__language_stamp")
        .first()
    )
    language, stamp = row if row is not None else ("", user.language_stamp)
    session[SIGNED_IN_KEY] = [user.pk, stamp, language or ""]
    return language or ""
