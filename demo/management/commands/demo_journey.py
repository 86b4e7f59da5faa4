"""Take one fictional patient through the pathway as far as it is built, with the services the
pages use, and write the PDFs it produced into --out (consent.pdf, plan.pdf). Prints the case
id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string
from django.utils.crypto import get_random_string

from consent import services as consent
from consent.documents import current_version, questions_for
from core import request_context
from core.models import User
from demo.consent import DEMO_QUESTIONS, demo_signature
from demo.pathway import advance_to_consent, seed_demo
from planning.pathway import services
from planning.pathway.models import Case
from records.keys import SealNotConfigured, seal_material
from records.selectors import record_content


class Command(BaseCommand):
    help = "Run one fictional patient through the pathway (to an approved plan); write its PDFs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="Folder for the PDFs.")
        parser.add_argument("--mrn", default="", help="Record number (default: a random one).")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing if a patient with --mrn exists (used by seed_demo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seal_material()
        except SealNotConfigured as exc:
            raise CommandError(str(exc)) from exc
        from core.models import Patient

        self._mrn = options["mrn"] or f"JOURNEY-{get_random_string(6, '0123456789')}"
        if options["if_missing"] and Patient.objects.filter(mrn=self._mrn).exists():
            self.stdout.write(f"A patient {self._mrn} exists already: nothing to do.")
            return
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        seed_demo()
        token = request_context.bind(request_context.RequestContext("127.0.0.1", "demo_journey"))
        try:
            case = self._journey()
        finally:
            request_context.unbind(token)
        self.stdout.write(f"case {case.pk}")
        (out / "consent.pdf").write_bytes(self._pdf)
        (out / "plan.pdf").write_bytes(self._plan_pdf)
        self.stdout.write(f"Wrote {out / 'consent.pdf'} and {out / 'plan.pdf'}")

    def _journey(self) -> Case:
        desk, nurse, doctor = (
            User.objects.get(username=name) for name in ("desk.rivera", "nurse.lind", "dr.okafor")
        )
        from datetime import date

        patient = services.patient_create(
            given_name="Juniper",
            family_name="Ó Faoláin",
            date_of_birth=date(1990, 2, 11),
            mrn=self._mrn,
            email="juniper.journey@example.invalid",
            actor=desk,
            # Every run is a new fictional patient of the same name (the drill runs it twice).
            confirm_duplicate=True,
        )
        case = services.case_open(patient=patient, actor=desk, physician=doctor)
        advance_to_consent(case.pk, clinician=nurse, physician=doctor)
        request, link_token = consent.consent_request_create(case_id=case.pk, actor=desk)
        del link_token  # the patient would open it from the e-mail; the steps follow
        self._sign(request.pk, patient.date_of_birth, patient.full_name)
        self._approve_plan(Case.objects.get(pk=case.pk), doctor)
        case.refresh_from_db()
        return case

    def _approve_plan(self, case: Case, doctor: User) -> None:
        """The physician writes and signs a plan; the dose is the demo physician's choice."""
        from decimal import Decimal

        from django.utils import timezone

        from demo.pathway import demo_esignature
        from planning.treatment.pdf import plan_pdf_ensure
        from planning.treatment.services import plans as plan_services

        draft = plan_services.plan_draft_save(
            case=case,
            actor=doctor,
            data=plan_services.PlanInput(
                route="iv",
                dose_value=Decimal("0.5"),
                sessions=6,
                frequency="twice weekly",
                start_date=timezone.localdate(),
                concurrent_psychotherapy="Weekly CBT continues",
            ),
        )
        plan = plan_services.plan_approve(
            case=case, plan_id=draft.pk, actor=doctor, signature=demo_esignature(doctor)
        )
        record = plan_pdf_ensure(plan_id=plan.pk)
        assert record is not None  # approved just above
        self._plan_pdf = record_content(record)

    def _sign(self, request_id: int, born: Any, name: str) -> None:
        from consent.models import ConsentRequest

        req = ConsentRequest.objects.select_related("document").get(pk=request_id)
        version = current_version(req.document)
        assert version is not None
        consent.consent_dob_check(request_id=request_id, date_of_birth=born)
        consent.consent_disclosure_agree(
            request_id=request_id, disclosure_text=render_to_string("consent/_disclosure_text.html")
        )
        consent.consent_read_record(request_id=request_id, version_id=version.pk)
        right = {q.prompt: q for q in questions_for(req.document)}
        answers = {right[p].pk: right[p].correct_choice for p, *_ in DEMO_QUESTIONS if p in right}
        consent.consent_answers_submit(
            request_id=request_id, version_id=version.pk, answers=answers
        )
        doc = consent.consent_review_record(request_id=request_id)
        image, strokes = demo_signature()
        signature = consent.consent_sign(
            request_id=request_id,
            document_sha256=doc.sha256,
            typed_name=name,
            intent_confirmed=True,
            signature_data_url=image,
            strokes_json=strokes,
        )
        self._pdf = record_content(consent.consent_pdf_ensure(signature_id=signature.pk))
