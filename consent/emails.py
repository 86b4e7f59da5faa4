"""E-mails as template triples: templates/emails/<name>-subject.txt, -body.txt, -body.html."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_mail(
    name: str,
    *,
    to: str,
    context: dict[str, Any],
    attachment: tuple[str, bytes, str] | None = None,
) -> None:
    ctx = {"clinic_name": settings.CLINIC_NAME, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", ctx).split())
    text = render_to_string(f"emails/{name}-body.txt", ctx)
    html = render_to_string(f"emails/{name}-body.html", ctx)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    if attachment is not None:
        message.attach(*attachment)
    message.send()
