"""The outbox: every message to a patient or to staff goes through here, once.

Enqueue (`message_enqueue`) renders the template triple now and stores the message in the
caller's transaction under a unique `dedupe_key`, so a retried service call never sends twice;
on commit it nudges the `core.tasks.outbox_deliver` task (beat runs it every minute too: the
database says what is due, the broker only nudges).

Delivery (`outbox_deliver_due`) claims due rows with a token and an expiring lease
(`skip_locked` on PostgreSQL), then sends each in its own transaction holding its row lock. A
failure touches only that message: `attempts` counts it and `next_attempt_at` moves out
exponentially (`OUTBOX_RETRY_BASE_SECONDS`, doubling, at most `OUTBOX_RETRY_MAX_SECONDS`); at
`OUTBOX_MAX_ATTEMPTS` failures it is marked failed and listed on the staff page. A worker
killed mid-send leaves its lease to expire and another worker sends the message; the hand-over
to the mail server is therefore at-least-once, and the stable Message-ID lets the receiving
server drop a repeat.

A patient link in a message is never stored in clear: the text holds a placeholder, and the
link itself is kept encrypted (key derived from SECRET_KEY) only until the message is sent or
given up.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import conditional_escape

from core.bulk import bulk_insert
from core.claims import claim_rows
from core.models import ClinicSettings, DemoMessage, MessageChannel, MessageStatus, OutboundMessage
from core.sms import send_sms

logger = logging.getLogger(__name__)

LINK_PLACEHOLDER = "@@pathway-link@@"
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9.\-]{1,180}$")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def lease() -> timedelta:
    return timedelta(seconds=_setting("OUTBOX_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return _setting("OUTBOX_MAX_ATTEMPTS", 6)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: base, 2x base, 4x base ... capped."""
    base = _setting("OUTBOX_RETRY_BASE_SECONDS", 60)
    delay = base * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(delay, _setting("OUTBOX_RETRY_MAX_SECONDS", 3600)))


# ---- enqueue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_message(
    template: str,
    *,
    channel: str,
    context: dict[str, Any],
    contact: ClinicSettings | None = None,
) -> Rendered:
    """E-mail: `emails/<name>-subject.txt`, `-body.txt`, `-body.html`; SMS: `sms/<name>.txt`.
    `contact` (the clinic settings) is read here unless a batch passes the one it read."""
    return _tidy(_render_raw(template, channel, context, contact), channel)


def _render_raw(
    template: str, channel: str, context: dict[str, Any], contact: ClinicSettings | None
) -> Rendered:
    ctx = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_contact": contact or _contact(),
        **context,
    }
    if channel == MessageChannel.SMS:
        return Rendered("", render_to_string(f"sms/{template}.txt", ctx), "")
    return Rendered(
        render_to_string(f"emails/{template}-subject.txt", ctx),
        render_to_string(f"emails/{template}-body.txt", ctx),
        render_to_string(f"emails/{template}-body.html", ctx),
    )


def _tidy(raw: Rendered, channel: str) -> Rendered:
    """Subjects and SMS texts on one line, single-spaced."""
    if channel == MessageChannel.SMS:
        return Rendered("", " ".join(raw.text.split()), "")
    return Rendered(" ".join(raw.subject.split()), raw.text, raw.html)


@dataclass(frozen=True)
class SharedRendering:
    """How a batch's drafts share one rendering (`messages_enqueue`): drafts of the same
    template, channel and language whose `key` is equal render the template once, with
    `context` holding marker values where they differ; each draft's text is that rendering
    with every marker replaced by the draft's value (`fills()`, called in the draft's language:
    [(marker text as rendered, this draft's text)]), escaped as the template escapes a
    variable. The batch checks its first draft of each kind against a full rendering of its own
    `MessageDraft.context` and renders every draft fully if the two differ."""

    key: tuple[Any, ...]
    context: dict[str, Any]
    fills: Callable[[], list[tuple[str, str]]]


def _contact() -> ClinicSettings:
    """How a patient reaches the clinic, printed in every message to a patient."""
    return ClinicSettings.current()


@dataclass(frozen=True)
class MessageDraft:
    """One message to enqueue; the arguments of `message_enqueue`."""

    template: str
    to: str
    dedupe_key: str
    context: dict[str, Any]
    channel: str = MessageChannel.EMAIL
    link: str = ""
    attachment: tuple[str, bytes, str] | None = None
    case_id: int | None = None
    patient_id: int | None = None
    language: str = ""  # the patient's preferred language; empty: the active one
    shared: SharedRendering | None = None  # (messages_enqueue only)


def message_enqueue(
    *,
    template: str,
    to: str,
    dedupe_key: str,
    context: dict[str, Any],
    channel: str = MessageChannel.EMAIL,
    link: str = "",
    attachment: tuple[str, bytes, str] | None = None,
    case_id: int | None = None,
    patient_id: int | None = None,
    language: str = "",
) -> OutboundMessage:
    """Store one message (or return the one already stored under `dedupe_key`).

    `dedupe_key` names the decision (`consent-invitation-12`), letters, digits, dots and
    hyphens only; it also makes the stable Message-ID. `link`, if given, is shown where the
    template says `{{ link }}`. `language` (a patient's preferred language) is the language
    the message is written in; empty means the active language (staff messages: English)."""
    draft = MessageDraft(
        template, to, dedupe_key, context, channel, link, attachment, case_id, patient_id, language
    )
    existing = OutboundMessage.objects.filter(dedupe_key=_checked(draft).dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = _build(draft)
            message.save(force_insert=True)
    except IntegrityError:  # enqueued concurrently under the same key: keep the first
        return OutboundMessage.objects.get(dedupe_key=dedupe_key)
    transaction.on_commit(_nudge)
    return message


def messages_enqueue(drafts: list[MessageDraft]) -> list[OutboundMessage]:
    """Store many messages in one INSERT (a batch job's), skipping keys already stored; returns
    the new ones. Call inside the transaction that decides them: a key enqueued concurrently
    raises IntegrityError and the caller's whole batch rolls back (no second message). Drafts
    with a `shared` rendering render their template once per kind (SharedRendering)."""
    for draft in drafts:
        _checked(draft)
    keys = [draft.dedupe_key for draft in drafts]
    stored = set(
        OutboundMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    contact = _contact()  # once per batch, not once per message
    shared: dict[tuple[Any, ...], Rendered | None] = {}
    new = [_build(draft, contact, shared) for draft in drafts if draft.dedupe_key not in stored]
    if not new:
        return []
    created = bulk_insert(new)
    transaction.on_commit(_nudge)
    return created


def _checked(draft: MessageDraft) -> MessageDraft:
    if not _KEY_SHAPE.match(draft.dedupe_key):
        raise ValueError(f"dedupe_key {draft.dedupe_key!r}: letters, digits, dots and hyphens only")
    if not draft.to:
        raise ValueError("A message needs a recipient.")
    return draft


def _build(
    draft: MessageDraft,
    contact: ClinicSettings | None = None,
    shared: dict[tuple[Any, ...], Rendered | None] | None = None,
) -> OutboundMessage:
    """The unsaved message: templates rendered now, the link sealed."""
    context = {**draft.context, "link": LINK_PLACEHOLDER} if draft.link else draft.context
    with translation.override(draft.language or translation.get_language()):
        rendered = None
        if draft.shared is not None and shared is not None:
            rendered = _shared_rendering(draft, draft.shared, contact, shared)
        if rendered is None:
            rendered = render_message(
                draft.template, channel=draft.channel, context=context, contact=contact
            )
    name, data, mime = draft.attachment or ("", None, "")
    return OutboundMessage(
        channel=draft.channel,
        dedupe_key=draft.dedupe_key,
        template=draft.template,
        to=draft.to,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        attachment_name=name,
        attachment_mime=mime,
        attachment=data,
        sealed_link=_seal(draft.link) if draft.link else "",
        message_id=f"<{draft.dedupe_key}@{_domain()}>",
        case_id=draft.case_id,
        patient_id=draft.patient_id,
    )


def _shared_rendering(
    draft: MessageDraft,
    spec: SharedRendering,
    contact: ClinicSettings | None,
    cache: dict[tuple[Any, ...], Rendered | None],
) -> Rendered | None:
    """This draft's text from its kind's one rendering, or None: render it fully."""
    key = (draft.template, draft.channel, translation.get_language(), bool(draft.link), spec.key)
    if key in cache:
        raw = cache[key]
        return None if raw is None else _filled(raw, spec.fills(), draft.channel)
    context = {**spec.context, "link": LINK_PLACEHOLDER} if draft.link else spec.context
    raw = _render_raw(draft.template, draft.channel, context, contact)
    filled = _filled(raw, spec.fills(), draft.channel)
    full_context = {**draft.context, "link": LINK_PLACEHOLDER} if draft.link else draft.context
    full = render_message(
        draft.template, channel=draft.channel, context=full_context, contact=contact
    )
    if filled != full:  # the template uses something the markers do not carry
        logger.warning("Shared rendering of %s differs from a full one; rendering each.", key[:3])
        cache[key] = None
        return full
    cache[key] = raw
    return filled


def _filled(raw: Rendered, fills: list[tuple[str, str]], channel: str) -> Rendered:
    values = {marker: conditional_escape(value) for marker, value in fills}
    pattern = re.compile("|".join(re.escape(marker) for marker in values))

    def fill(text: str) -> str:  # (one pass: a value is never searched for markers)
        return pattern.sub(lambda found: values[found.group(0)], text) if values else text

    return _tidy(Rendered(fill(raw.subject), fill(raw.text), fill(raw.html)), channel)


def _domain() -> str:
    return str(getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "pathway.invalid"))


def _nudge() -> None:
    from core.tasks import outbox_deliver

    try:
        outbox_deliver.delay()
    except Exception:  # the broker is down: beat's minute run delivers it
        logger.warning("Could not nudge outbox delivery; the scheduled run will.", exc_info=True)


_fernets: dict[str, Fernet] = {}


def _fernet() -> Fernet:
    """The link key, derived from SECRET_KEY (once per key, not once per message)."""
    fernet = _fernets.get(settings.SECRET_KEY)
    if fernet is None:
        digest = hashlib.sha256(b"pathway-outbox-link:" + settings.SECRET_KEY.encode()).digest()
        fernet = _fernets[settings.SECRET_KEY] = Fernet(base64.urlsafe_b64encode(digest))
    return fernet


def _seal(link: str) -> str:
    return _fernet().encrypt(link.encode()).decode()


def _unseal(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode()


# ---- delivery ----------------------------------------------------------------------------


@dataclass
class DeliveryRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def outbox_deliver_due(*, now: datetime | None = None, batch: int = 200) -> DeliveryRun:
    """Send every due pending message this run can claim; each on its own."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    run = DeliveryRun()
    for message_pk in _claim(now, token, batch):
        outcome = _deliver_one(message_pk, token, now)
        if outcome:
            setattr(run, outcome, getattr(run, outcome) + 1)
    return run


def _due(now: datetime) -> Q:
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now)


def _claim(now: datetime, token: str, batch: int) -> list[int]:
    return claim_rows(
        OutboundMessage,
        _due(now),
        now=now,
        lease=lease(),
        token=token,
        batch=batch,
        order=("next_attempt_at", "pk"),
    )


def _deliver_one(message_pk: int, token: str, now: datetime) -> str:
    """'sent', 'retried', 'failed', or '' when the claim was lost to another run."""
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update()
            .filter(pk=message_pk, claim_token=token, status=MessageStatus.PENDING)
            .first()
        )
        if message is None:
            return ""
        try:
            _send(message)
        except Exception as exc:  # one refused address must never stop the others
            logger.warning("Message %s to %s failed: %s", message.pk, message.to, exc)
            return _record_failure(message, exc, now)
        message.status, message.sent_at = MessageStatus.SENT, timezone.now()
        if getattr(settings, "PATHWAY_DEMO_MAILBOX", False):
            _keep_demo_copy(message)
        message.sealed_link, message.attachment = "", None
        message.claimed_until, message.claim_token = None, ""
        message.save()
    return "sent"


def _record_failure(message: OutboundMessage, exc: Exception, now: datetime) -> str:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]
    message.claimed_until, message.claim_token = None, ""
    gave_up = message.attempts >= max_attempts()
    if gave_up:
        message.status, message.failed_at = MessageStatus.FAILED, now
        message.sealed_link, message.attachment = "", None
    else:
        message.next_attempt_at = now + backoff(message.attempts)
    message.save()
    return "failed" if gave_up else "retried"


def _sent_text(message: OutboundMessage) -> str:
    """The text as the backend receives it, the patient's link filled in."""
    link = _unseal(message.sealed_link) if message.sealed_link else ""
    return message.body_text.replace(LINK_PLACEHOLDER, link)


def _keep_demo_copy(message: OutboundMessage) -> None:
    """The demo's readable copy (`PATHWAY_DEMO_MAILBOX`, refused in production by settings)."""
    DemoMessage.objects.update_or_create(
        message=message,
        defaults={
            "channel": message.channel,
            "to": message.to,
            "subject": message.subject,
            "body_text": _sent_text(message),
            "sent_at": message.sent_at or timezone.now(),
        },
    )


def _send(message: OutboundMessage) -> None:
    link = _unseal(message.sealed_link) if message.sealed_link else ""
    text = _sent_text(message)
    if message.channel == MessageChannel.SMS:
        send_sms(to=message.to, text=text, message_id=message.message_id)
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Message-ID": message.message_id},
    )
    if message.body_html:
        email.attach_alternative(
            message.body_html.replace(LINK_PLACEHOLDER, html.escape(link)), "text/html"
        )
    if message.attachment is not None and message.attachment_name:
        email.attach(message.attachment_name, bytes(message.attachment), message.attachment_mime)
    email.send()
