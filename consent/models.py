"""Consent documents and their immutable versions, invitations (signing links), signatures and
withdrawals. The sealed PDF of a signature is a `records.SealedRecord` (kind "consent").

A case is referred to by its number only (`case_id`): consent sits below planning and never
imports it. Records that must never change (a published version, a signature, a sealed PDF)
refuse updates and deletes in `save()`/`delete()` and in their querysets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import Patient, PatientLink
from records.models import ImmutableRecordError, InsertOnly, InsertOnlyQuerySet


class Countersignature(models.TextChoices):
    """Who signs a consent after the patient (or their representative), in the clinic."""

    NONE = "none", "None: the patient's signature completes the consent"
    WITNESS = "witness", "A witness (printed name and drawn signature, captured by staff)"
    CLINICIAN = "clinician", "A clinician (a physician or nurse e-signs)"


class SignerRole(models.TextChoices):
    PATIENT = "patient", "The patient"
    REPRESENTATIVE = "representative", "A legally authorised representative"


class ConsentDocument(models.Model):
    """A consent document the clinic maintains (e.g. treatment consent); text is in versions.

    Who may sign and who countersigns are settings of the document; each signature copies
    them as they were when it was signed, so changing them never changes a signed record.
    """

    KIND_TREATMENT = "treatment"
    KIND_CHOICES: ClassVar = [(KIND_TREATMENT, "Ketamine / esketamine treatment")]

    kind = models.CharField(max_length=32, choices=KIND_CHOICES, unique=True)
    title = models.CharField(max_length=200)
    allow_representative = models.BooleanField(
        default=True,
        help_text="A legally authorised representative may sign for a patient who cannot "
        "sign for themselves (their name, relationship and authority are recorded).",
    )
    countersignature = models.CharField(
        max_length=16,
        choices=Countersignature.choices,
        default=Countersignature.NONE,
        help_text="When set, a signed consent is complete (and the case moves on) only once a "
        "witness or clinician has countersigned it in the clinic.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


class ConsentVersionQuerySet(models.QuerySet["ConsentVersion"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(published_at__isnull=False).exists():
            raise ImmutableRecordError("A published consent version can never change.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(published_at__isnull=False).exists():
            raise ImmutableRecordError("A published consent version can never be deleted.")
        return super().delete()

    def published(self) -> ConsentVersionQuerySet:
        return self.filter(published_at__isnull=False)

    def sources(self) -> ConsentVersionQuerySet:
        """Versions written in the source language (not translations)."""
        return self.filter(source_version__isnull=True)


class ConsentVersion(models.Model):
    """One version of a document's text. A draft can be edited; once published, never.

    A translation is a version of its own (its own text, hash and publication) that renders
    `source_version` in `language`; the patient signs the version they read.
    """

    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(
        max_length=40, help_text="Shown to patients and on every page of the PDF, e.g. “v2”."
    )
    body_markdown = models.TextField(
        help_text="Markdown. Start each section with a “## ” heading; comprehension questions "
        "point to sections by their heading. Raw HTML is removed when shown."
    )
    material_change = models.BooleanField(
        default=False,
        help_text="Tick when the change matters to what patients agreed to: on publishing, "
        "every case that signed an older version must consent again.",
    )
    change_summary = models.CharField(max_length=500, blank=True)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language this version is written in.",
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="For a translation: the document's title in its language.",
    )
    source_version = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="translations",
        help_text="For a translation: the published source version it renders. Empty for a "
        "source version.",
    )
    body_sha256 = models.CharField(
        "SHA-256 of the canonical text", max_length=64, blank=True, editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsentVersionQuerySet.as_manager()

    class Meta:
        ordering = ("document", "-published_at", "-created_at")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["document", "label"], name="consent_version_label_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True) | ~models.Q(body_sha256=""),
                name="consent_version_published_has_hash",
            ),
            models.UniqueConstraint(
                fields=["source_version", "language"],
                condition=models.Q(source_version__isnull=False),
                name="consent_version_one_translation_per_language",
            ),
        ]

    def __str__(self) -> str:
        state = "published" if self.is_published else "draft"
        return f"{self.document.title} {self.label} [{self.language}] ({state})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse any write to a row that is published in the database."""
        if self.pk is not None and not self._state.adding:
            stored = type(self)._base_manager.filter(pk=self.pk).values("published_at").first()
            if stored is not None and stored["published_at"] is not None:
                raise ImmutableRecordError("A published consent version can never change.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if type(self)._base_manager.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ImmutableRecordError("A published consent version can never be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def source(self) -> ConsentVersion:
        """The source version this one renders (itself for a source version)."""
        return self.source_version or self


class ComprehensionQuestion(models.Model):
    """A short question the patient must answer correctly before signing (clinic-editable).

    The answers a patient gave are copied into the signature record, so editing a question
    later never changes what an old record says.
    """

    document = models.ForeignKey(
        ConsentDocument, on_delete=models.CASCADE, related_name="questions"
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="Asked of patients who read the document in this language; its section "
        "heading is one of that translation's headings.",
    )
    position = models.PositiveSmallIntegerField(default=1)
    prompt = models.CharField(max_length=300)
    choices = models.TextField(help_text="One answer per line.")
    correct_choice = models.PositiveSmallIntegerField(
        help_text="The number of the right answer (1 = first line)."
    )
    section_heading = models.CharField(
        max_length=200,
        help_text="The heading of the section to re-read after a wrong answer, exactly as "
        "written after “## ” in the document.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("document", "position", "pk")

    def __str__(self) -> str:
        return self.prompt

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class SigningChannel(models.TextChoices):
    """How a consent request reaches its patient."""

    LINK = "link", "Personal signing link"
    TABLET = "tablet", "In the clinic, on a clinic tablet"


class ConsentRequest(models.Model):
    """One invitation to sign, reached through a single link.

    The link's token is never stored, only its SHA-256. Progress through the signing steps is
    recorded here so the server, not the browser, decides when signing is allowed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the patient"
        SIGNED = "signed", "Signed"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consent_requests")
    case_id = models.PositiveBigIntegerField(db_index=True)
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    # The signing link: token hash, expiry, revocation and the date-of-birth lock (core.links).
    link = models.OneToOneField(
        PatientLink, on_delete=models.PROTECT, related_name="consent_request"
    )
    sent_to = models.EmailField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Signing progress, all bound to the version the patient was shown.
    read_version = models.ForeignKey(
        ConsentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    answers_version = models.ForeignKey(
        ConsentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_attempts = models.PositiveSmallIntegerField(default=0)
    reviewed_version = models.ForeignKey(
        ConsentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_sha256 = models.CharField(max_length=64, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=2000, blank=True)
    # Where the patient signs: their personal link, or a clinic tablet started by staff.
    channel = models.CharField(
        max_length=16, choices=SigningChannel.choices, default=SigningChannel.LINK
    )

    class Meta:
        ordering = ("-created_at",)
        indexes: ClassVar = [models.Index(fields=["case_id", "status"])]
        permissions: ClassVar = [
            ("manage_requests", "Can send and revoke consent invitations and paper copies"),
        ]

    def __str__(self) -> str:
        return f"Consent request #{self.pk} (case {self.case_id})"

    @property
    def audit_target(self) -> str:
        return f"consent_request:{self.pk}"

    @property
    def expires_at(self) -> datetime:
        return self.link.expires_at

    @property
    def locked_at(self) -> datetime | None:
        return self.link.locked_at

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.link.is_expired(now)


class DisclosureAgreement(InsertOnly):
    """The patient agreed to electronic records and signatures (ESIGN 7001(c))."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(ConsentRequest, on_delete=models.PROTECT, related_name="+")
    disclosure_sha256 = models.CharField(max_length=64)
    agreed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    objects = InsertOnlyQuerySet["DisclosureAgreement"].as_manager()

    class Meta:
        ordering = ("-agreed_at",)


class PaperCopyRequest(models.Model):
    """A patient asked for paper instead of (or as well as) electronic records: a staff task."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        ConsentRequest, on_delete=models.PROTECT, related_name="paper_copy_requests"
    )
    case_id = models.PositiveBigIntegerField(db_index=True)
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)


class ConsentSignature(InsertOnly):
    """The signature record. Never edited: it holds the facts as they were at signing,
    including the exact HTML the patient reviewed and its SHA-256."""

    request = models.OneToOneField(
        ConsentRequest, on_delete=models.PROTECT, related_name="signature"
    )
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="signatures")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    case_id = models.PositiveBigIntegerField(db_index=True)
    document_html = models.TextField(help_text="Exactly what the patient reviewed and signed.")
    document_sha256 = models.CharField(max_length=64)
    typed_name = models.CharField(max_length=200)
    meaning = models.CharField(max_length=500)
    intent_statement = models.CharField(max_length=1000)
    comprehension = models.JSONField(default=list)
    image_png = models.BinaryField()
    strokes = models.JSONField()
    signed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    # The channel, as it was: a tablet signing names the staff member who started it.
    channel = models.CharField(
        max_length=16, choices=SigningChannel.choices, default=SigningChannel.LINK
    )
    channel_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel_started_by_name = models.CharField(max_length=200, blank=True)
    # Who signed: the patient, or a legally authorised representative on their behalf
    # (consent.representatives); the representative's facts as they entered them.
    signer_role = models.CharField(
        max_length=16, choices=SignerRole.choices, default=SignerRole.PATIENT
    )
    representative_name = models.CharField(max_length=150, blank=True)
    representative_relationship = models.CharField(max_length=150, blank=True)
    representative_authority = models.CharField(max_length=32, blank=True)
    representative_authority_detail = models.CharField(max_length=200, blank=True)
    # The document's countersignature setting when this was signed: the consent is complete
    # (sealed, and the case moves on) only once a `ConsentCountersignature` exists.
    countersignature_required = models.CharField(
        max_length=16, choices=Countersignature.choices, default=Countersignature.NONE
    )

    objects = InsertOnlyQuerySet["ConsentSignature"].as_manager()

    class Meta:
        ordering = ("-signed_at",)
        permissions: ClassVar = [
            ("view_signature_pdf", "Can download any signed consent PDF"),
            ("view_own_signature_pdf", "Can download own signed consent PDFs"),
            ("verify_pdf", "Can check a sealed PDF and see whose record it is"),
            ("verify_own_pdf", "Can check a sealed PDF and recognise own records"),
            ("withdraw_own_consent", "Can withdraw consent for own case"),
        ]

    def __str__(self) -> str:
        return f"Consent signature #{self.pk} · {self.typed_name} · {self.version.label}"

    @property
    def audit_target(self) -> str:
        return f"consent_signature:{self.pk}"

    @property
    def by_representative(self) -> bool:
        return self.signer_role == SignerRole.REPRESENTATIVE

    @property
    def needs_countersignature(self) -> bool:
        return self.countersignature_required != Countersignature.NONE


class ConsentCountersignature(InsertOnly):
    """A witness's or clinician's countersignature of a consent signature, captured in the
    clinic. Never edited; the consent is sealed once it exists (`consent.countersign`)."""

    signature = models.OneToOneField(
        ConsentSignature, on_delete=models.PROTECT, related_name="countersignature"
    )
    kind = models.CharField(max_length=16, choices=Countersignature.choices)
    case_id = models.PositiveBigIntegerField(db_index=True)
    # The clinician who e-signed, or the staff member who captured the witness's signature.
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    staff_name = models.CharField(max_length=200)
    witness_name = models.CharField(max_length=150, blank=True)
    image_png = models.BinaryField(blank=True, default=b"")
    strokes = models.JSONField(default=list, blank=True)
    meaning = models.CharField(max_length=500)
    statement = models.CharField(max_length=1000)
    signed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    objects = InsertOnlyQuerySet["ConsentCountersignature"].as_manager()

    class Meta:
        ordering = ("-signed_at",)
        permissions: ClassVar = [
            ("countersign_clinician", "Can countersign a consent as the clinician (e-signature)"),
            ("capture_witness", "Can capture a witness's countersignature in the clinic"),
        ]

    def __str__(self) -> str:
        return (
            f"Countersignature #{self.pk} ({self.kind}) of consent signature #{self.signature_id}"
        )

    @property
    def audit_target(self) -> str:
        return f"consent_countersignature:{self.pk}"


class ConsentWithdrawal(InsertOnly):
    """A signed-in patient withdrew consent after signing."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    case_id = models.PositiveBigIntegerField(db_index=True)
    signature = models.ForeignKey(
        ConsentSignature, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=2000)
    withdrawn_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    objects = InsertOnlyQuerySet["ConsentWithdrawal"].as_manager()

    class Meta:
        ordering = ("-withdrawn_at",)


class TabletSession(models.Model):
    """In-clinic signing on a clinic tablet, started by a signed-in staff member on that device.

    It owns one consent request (channel "tablet") whose link token is never stored, sent or
    shown: the tablet reaches the request through the staff member's browser session, bound
    by `binding_sha256` (the hash of a random value kept only in that session). It expires with
    its link, and is used once: it ends when the patient signs or declines (the tablet shows
    "hand it back") and closes when the staff member leaves tablet mode with their password.
    """

    request = models.OneToOneField(ConsentRequest, on_delete=models.PROTECT, related_name="tablet")
    case_id = models.PositiveBigIntegerField(db_index=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    binding_sha256 = models.CharField(max_length=64)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-started_at",)
        permissions: ClassVar = [
            ("start_tablet_signing", "Can start in-clinic signing on a clinic tablet"),
        ]

    def __str__(self) -> str:
        return f"Tablet session #{self.pk} (case {self.case_id})"

    @property
    def audit_target(self) -> str:
        return f"tablet_session:{self.pk}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at
