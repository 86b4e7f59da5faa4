"""Drive the signing link over HTTP, step by step, as the patient's browser would."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from consent.models import ConsentRequest
from consent.services import consent_request_create
from core.outbox import outbox_deliver_due
from demo.consent import demo_signature

LINK = re.compile(r"http://testserver(/consent/s/[A-Za-z0-9_\-]+/)")


def invite_over_http(staff: Any, case: Any, on_commit: Any) -> str:
    """Staff press "Send consent invitation"; return the link path from the e-mail.
    `on_commit` is pytest-django's django_capture_on_commit_callbacks (the mail goes on commit)."""
    client = Client()
    client.force_login(staff)
    before = len(mail.outbox)
    with on_commit(execute=True):
        response = client.post(reverse("consent_invite", args=[case.pk]))
    assert response.status_code == 302, response.content[:500]
    outbox_deliver_due()
    assert len(mail.outbox) == before + 1
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def invite(case: Any, staff: Any) -> tuple[ConsentRequest, str]:
    req, token = consent_request_create(case_id=case.pk, actor=staff)
    return req, reverse("consent_link", args=[token])


class Patient:
    """One browser session on one link."""

    def __init__(self, link: str) -> None:
        self.client = Client()
        self.link = link

    def get(self, step: str = "") -> Any:
        return self.client.get(self.link + step)

    def post(self, step: str, data: dict[str, Any]) -> Any:
        return self.client.post(self.link + step, data)

    def dob(self, value: str) -> Any:
        return self.post("", {"date_of_birth": value})

    def through_review(self, born: str, answers: dict[int, int]) -> Any:
        """DOB, disclosure, read, questions; returns the review page response."""
        assert self.dob(born).status_code == 302
        self.post("disclosure/", {"choice": "agree", "understood": "on"})
        read = self.get("read/")
        version_id = re.search(rb'name="version_id" value="(\d+)"', read.content)
        assert version_id, read.content[:2000]
        read_done = self.post("read/", {"version_id": version_id.group(1).decode()})
        assert read_done["Location"].endswith("/questions/"), read_done
        data = {f"q{q}": a for q, a in answers.items()}
        self.post("questions/", {"version_id": version_id.group(1).decode(), **data})
        return self.get("review/")

    def sign(self, review: Any, *, name: str, intent: bool = True, **overrides: str) -> Any:
        digest = re.search(rb'name="document_sha256" value="([0-9a-f]{64})"', review.content)
        assert digest, review.content[:3000]
        image, strokes = demo_signature()
        data = {
            "document_sha256": digest.group(1).decode(),
            "signature": image,
            "strokes": strokes,
            "typed_name": name,
            **({"intent": "on"} if intent else {}),
            **overrides,
        }
        return self.post("sign/", data)
