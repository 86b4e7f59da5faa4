"""People (users, patients) and the append-only, hash-chained audit trail."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.crypto import salted_hmac


class User(AbstractUser):
    """A person who signs in. Roles are Django groups (see core.roles)."""

    session_epoch = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised by 'sign out everywhere': every session signed in before ends.",
    )
    language_stamp = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised when this user's patient record changes language: a signed-in "
        "session re-reads the language on its next request (core.i18n).",
    )

    class Meta:
        ordering = ("last_name", "first_name", "username")

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django checks this hash on every request; mixing in `session_epoch` lets
        `user_sessions_end_all` end every session at once, as a password change does."""
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = f"{self.password}:{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class SexAtBirth(models.TextChoices):
    UNKNOWN = "unknown", "Not recorded"
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"


class MessageChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message (SMS)"


NAME_KEY_LENGTH = 400


def name_key(text: str) -> str:
    """`text` for matching and sorting names without regard to accents or case, alike on
    SQLite and PostgreSQL: compatibility-decomposed (NFKD), combining marks dropped,
    case-folded, spaces collapsed. "Ó Faoláin" and "o faolain" have the same key, as do
    "Zoë Brontë" and "ZOE BRONTE"."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    kept = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join(kept.split())[:NAME_KEY_LENGTH]


class NameKeyField(models.CharField[str, str]):
    """`name_key` of another field (`source`) of the row, computed whenever the row is written
    by `save()` or `bulk_create()` (both call `pre_save`); never typed."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", NAME_KEY_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if kwargs.get("max_length") == NAME_KEY_LENGTH:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        if kwargs.get("default") == "":
            del kwargs["default"]
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        key = name_key(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, key)
        return key


class Patient(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    # The names' keys (`name_key`): searches, the duplicate check and sorting by name use them.
    given_key = NameKeyField(source="given_name")
    family_key = NameKeyField(source="family_name")
    date_of_birth = models.DateField()
    mrn = models.CharField("medical record number", max_length=32, unique=True)
    sex_at_birth = models.CharField(
        max_length=10,
        choices=SexAtBirth.choices,
        default=SexAtBirth.UNKNOWN,
        help_text="Needed for the esketamine REMS monitoring form.",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    contact_channel = models.CharField(
        "reminders by",
        max_length=8,
        choices=MessageChannel.choices,
        default=MessageChannel.EMAIL,
        help_text="How the patient prefers reminders; the other is used when this address "
        "is missing.",
    )
    preferred_language = models.CharField(
        "preferred language",
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="Patient pages, messages and consent documents use this language.",
    )
    user = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient_profile",
        help_text="The patient's own login, if they have one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("family_name", "given_name", "mrn")
        indexes: ClassVar = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["family_key", "given_key"], name="core_patient_name_key"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A save of some fields that include a name writes its key too."""
        fields: Iterable[str] | None = kwargs.get("update_fields")
        if fields is not None:
            fields = set(fields)
            for source, key in (("given_name", "given_key"), ("family_name", "family_key")):
                if source in fields:
                    fields.add(key)
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - int(before_birthday)


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only; they cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only; they cannot be deleted.")


class AuditEntry(models.Model):
    """One event. Writers insert it *pending*: `content_hash` = SHA-256 over the canonical
    content, `seq`/`prev_hash`/`entry_hash` empty. The sequencer (core.audit.sequencer) later
    integrates pending entries into the chain: `entry_hash` = SHA-256 over (seq, prev_hash,
    content_hash), so removing or editing any integrated entry breaks every hash after it.
    `hash_version` 1 marks entries written before pending writes existed (one hash over all)."""

    seq = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    # Indexed by a plain b-tree in Meta: `db_index=True` would add a second, pattern-matching
    # index on PostgreSQL that no query uses and every append and chaining would maintain.
    action = models.CharField(max_length=64)
    case_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    patient_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, default="")
    hash_version = models.PositiveSmallIntegerField(default=2)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)
    # Not unique and not indexed: nothing looks an entry up by its hash, `seq` is the unique
    # position, and verification recomputes every hash from the chain (a duplicate could only
    # be a forgery, which breaks the chain after it). Two fewer indexes to maintain on every
    # append and every chaining UPDATE.
    entry_hash = models.CharField(max_length=64, null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("seq",)
        verbose_name_plural = "audit entries"
        indexes: ClassVar = [
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="core_audit_pending"
            ),
            models.Index(fields=["action"], name="core_audit_action"),
        ]

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else f"pending id {self.pk}"
        return f"{where} {self.action} by {self.actor_label or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only; they cannot be deleted.")


class CheckpointQuerySet(models.QuerySet["AuditCheckpoint"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit checkpoints are append-only; they cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit checkpoints are append-only; they cannot be deleted.")


class AuditCheckpoint(models.Model):
    """A signed statement "the chain's head was entry #seq with hash head_hash at created_at",
    also written as a file outside the database (core.audit.checkpoints). Each names the hash
    of the checkpoint before it, so the checkpoints form their own chain."""

    seq = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    prev_checkpoint_hash = models.CharField(max_length=64)
    checkpoint_hash = models.CharField(max_length=64, unique=True)
    payload = models.TextField(help_text="The exact canonical JSON that was signed.")
    signature = models.CharField(max_length=128, help_text="Ed25519 signature, hex.")
    key_id = models.CharField(max_length=64, help_text="SHA-256 of the raw public key, hex.")
    tsa_token = models.TextField(blank=True, help_text="RFC 3161 time-stamp token, base64.")

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"checkpoint at #{self.seq} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit checkpoints are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit checkpoints are append-only; they cannot be deleted.")


class ClinicSettings(models.Model):
    """The clinic's tunable numbers, one row, edited by clinic admins (changes are audited)."""

    bp_systolic_max = models.PositiveSmallIntegerField(
        "highest acceptable systolic pressure (mmHg)", default=140
    )
    bp_diastolic_max = models.PositiveSmallIntegerField(
        "highest acceptable diastolic pressure (mmHg)", default=90
    )
    minimum_age = models.PositiveSmallIntegerField(default=18)
    adequate_trials_for_trd = models.PositiveSmallIntegerField(
        "adequate antidepressant trials for treatment resistance", default=2
    )
    adequate_trial_min_weeks = models.PositiveSmallIntegerField(
        "weeks for a trial to count as adequate", default=6
    )
    consent_link_days = models.PositiveSmallIntegerField(
        "days a consent invitation link stays valid", default=7
    )
    link_max_dob_attempts = models.PositiveSmallIntegerField(
        "wrong date-of-birth tries before a link locks", default=5
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        "minutes without activity before a session ends",
        default=15,
        validators=[MinValueValidator(2), MaxValueValidator(30)],
        help_text="Automatic log-off (HIPAA 164.312(a)(2)(iii)); between 2 and 30 minutes.",
    )
    # Treatment safety (issue 10): the gates before a dose, and who is told about alerts.
    predose_systolic_max = models.PositiveSmallIntegerField(
        "highest systolic pressure before dosing without a physician's clearance (mmHg)",
        default=140,
        help_text="Esketamine label: consider delaying above 140/90.",
    )
    predose_diastolic_max = models.PositiveSmallIntegerField(
        "highest diastolic pressure before dosing without a physician's clearance (mmHg)",
        default=90,
    )
    dose_tolerance_percent = models.DecimalField(
        "dose tolerance (% of the approved dose)",
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        help_text="A dose differing from the plan by more than this needs a physician's "
        "recorded deviation. 0: any difference does.",
    )
    session_early_days = models.PositiveSmallIntegerField(
        "days before its scheduled date a session may be given",
        default=1,
    )
    childbearing_age_min = models.PositiveSmallIntegerField(
        "pregnancy status asked from age", default=12
    )
    childbearing_age_max = models.PositiveSmallIntegerField(
        "pregnancy status asked up to age", default=55
    )
    on_call_email = models.EmailField(
        "on-call address for safety notices",
        blank=True,
        help_text="Told, with the case's physician, when an alert is raised, a link locks or a "
        "patient withdraws.",
    )
    rems_enrolment_number = models.CharField(
        "esketamine REMS healthcare setting enrolment number", max_length=40, blank=True
    )
    rems_certification_number = models.CharField(
        "esketamine REMS certification number", max_length=40, blank=True
    )
    # How patients reach the clinic (issue 13): shown on every patient page and in every
    # message to a patient. Blank fields are left out.
    contact_phone = models.CharField("clinic phone number", max_length=40, blank=True)
    contact_email = models.EmailField("clinic e-mail address patients may write to", blank=True)
    contact_hours = models.CharField("opening hours", max_length=200, blank=True)
    crisis_line = models.CharField(
        "crisis line",
        max_length=200,
        blank=True,
        help_text="Who to call out of hours or in a crisis, e.g. 988 (Suicide & Crisis Lifeline).",
    )
    # What a patient needs to know before a treatment session (the patient's page).
    session_time = models.TimeField("usual arrival time for a session", null=True, blank=True)
    session_place = models.CharField("where sessions take place", max_length=300, blank=True)
    session_escort_rule = models.TextField(
        "escort rule",
        blank=True,
        default="An adult must come with you or collect you; you cannot go home alone.",
    )
    session_driving_rule = models.TextField(
        "no-driving rule",
        blank=True,
        default="Do not drive, cycle or operate machinery until the next day, after a "
        "restful sleep.",
    )
    session_what_to_bring = models.TextField(
        "what to bring",
        blank=True,
        default="A list of the medicines you take now, something to read or listen to, and a "
        "light snack for afterwards. Please do not eat for two hours before the session.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"

    def __str__(self) -> str:
        return "Clinic settings"

    @classmethod
    def current(cls) -> ClinicSettings:
        """The clinic's row. Inside `ClinicSettings.request_scope()` (every web request, see
        core.middleware.IdleTimeoutMiddleware) it is read once per request, not once per
        caller; saving or deleting the row forgets it (`forget_current`). Outside a request
        (workers, shells) every call reads the row."""
        scope = _settings_scope.get()
        if scope is not None and scope.get("row") is not None:
            return scope["row"]
        settings_row, _ = cls.objects.get_or_create(pk=1)
        if scope is not None:
            scope["row"] = settings_row
        return settings_row

    @staticmethod
    @contextmanager
    def request_scope() -> Iterator[None]:
        """Within this block `current()` reads the row at most once (until it is saved)."""
        token = _settings_scope.set({})
        try:
            yield
        finally:
            _settings_scope.reset(token)

    @staticmethod
    def forget_current() -> None:
        scope = _settings_scope.get()
        if scope is not None:
            scope.pop("row", None)


#: The current request's ClinicSettings row (`ClinicSettings.request_scope`); None outside one.
_settings_scope: ContextVar[dict[str, ClinicSettings] | None] = ContextVar(
    "clinic_settings_scope", default=None
)


def _forget_clinic_settings(**_: Any) -> None:
    ClinicSettings.forget_current()


# A save or a delete (also a queryset's) within the request is seen by the rest of it.
post_save.connect(_forget_clinic_settings, sender=ClinicSettings)
post_delete.connect(_forget_clinic_settings, sender=ClinicSettings)


class LinkPurpose(models.TextChoices):
    CONSENT = "consent", "Consent signing"
    FOLLOWUP = "followup", "Follow-up questionnaire"


class PatientLink(models.Model):
    """A link sent to a patient. Only the SHA-256 of its token is stored. It opens nothing
    until the date of birth matches; the wrong tries are counted on this row under a row lock
    (`core.links.link_dob_check`), and at the clinic's limit the link locks for good."""

    purpose = models.CharField(max_length=16, choices=LinkPurpose.choices)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="links")
    case_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dob_failures = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link #{self.pk}"

    @property
    def audit_target(self) -> str:
        return f"link:{self.pk}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return bool((now or timezone.now()) >= self.expires_at)


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"


class OutboundMessage(models.Model):
    """One message to one recipient, rendered when it was decided (the facts as they were).

    `dedupe_key` makes enqueueing idempotent; delivery claims the row with a token and a lease,
    sends it in its own transaction and counts failures in `attempts`, retrying at
    `next_attempt_at` with exponential backoff until the cap marks it failed (core.outbox).
    A link in the text is kept encrypted in `sealed_link` only until it is sent."""

    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=100)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_mime = models.CharField(max_length=100, blank=True)
    attachment = models.BinaryField(null=True, blank=True)
    sealed_link = models.TextField(blank=True)
    message_id = models.CharField(max_length=250, unique=True)
    case_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    patient_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed deliveries so far.")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes: ClassVar = [
            # Delivery reads only pending rows by due time.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_due",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.status})"


class DemoMessage(models.Model):
    """A readable copy of a message as it was handed to the mail or text backend, link
    included: kept only while `PATHWAY_DEMO_MAILBOX` is on (the demo; never in production), for
    the staff page that shows the demo's messages."""

    message = models.OneToOneField(
        OutboundMessage, on_delete=models.CASCADE, related_name="demo_copy"
    )
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-sent_at", "-pk")
        verbose_name = "demo message"
