"""Fictional demo data: one login per role and patients at every step of the pathway.

Every name, date and record number here is invented. Cases are moved with the same service the
pages use, so the demo's audit trail is real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from core.esign import ESignature
from core.models import ClinicSettings, Patient, User
from core.roles import Role
from demo.consent import consent_demo_document_seed
from planning.intake import services as intake_services
from planning.intake.models import ContraindicationType
from planning.intake.services import TrialData
from planning.pathway import services
from planning.pathway.models import Case

DEMO_PASSWORD = "pathway-demo-2026"  # noqa: S105 - printed for the demo, never used elsewhere


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    role: Role
    shows: str = ""  # what signing in shows (printed by seed_demo)


DEMO_LOGINS = (
    DemoLogin(
        "clinic.admin", "Maren", "Holt", Role.CLINIC_ADMIN, "settings, users, consent documents"
    ),
    DemoLogin("dr.okafor", "Amara", "Okafor", Role.PHYSICIAN, "every case; approves plans"),
    DemoLogin("nurse.lind", "Tove", "Lind", Role.CLINICIAN, "intake, sessions, questionnaires"),
    DemoLogin("desk.rivera", "Sol", "Rivera", Role.ADMIN_STAFF, "the board, invitations, mailbox"),
    DemoLogin("patient.demo", "Robin", "Ashdown", Role.PATIENT),
)

#: The patient in active treatment (demo_journey, when a clinic seal exists): `patient.demo`
#: signs in as this patient, so a newcomer's first look at the patient's side has something in
#: it (signed consent, approved plan, next session, a questionnaire to answer, sealed records).
ACTIVE_DEMO_MRN = "DEMO-0007"
PATIENT_LOGIN = "patient.demo"

# This demo patient reads Spanish: their consent invitation, signing pages and PDF are in Spanish.
SPANISH_DEMO_MRN = "DEMO-0004"

# (given, family, date of birth, record number, steps to take after opening)
DEMO_PATIENTS = (
    ("Robin", "Ashdown", date(1984, 3, 14), "DEMO-0001", ()),
    ("Priya", "Vellacott", date(1979, 11, 2), "DEMO-0002", ("complete_consultation",)),
    (
        "Tomasz",
        "Brennick",
        date(1991, 6, 23),
        "DEMO-0003",
        ("complete_consultation", "complete_evaluation"),
    ),
    (
        "Ines",
        "Marlowe",
        date(1968, 1, 30),
        "DEMO-0004",
        ("complete_consultation", "complete_evaluation", "complete_medication_review"),
    ),
    ("Felix", "Ondaatje", date(1995, 9, 9), "DEMO-0005", ("hold",)),
    ("Grace", "Tamblyn", date(1973, 4, 17), "DEMO-0006", ("withdraw",)),
)


#: The demo's authenticator key (hex) for the roles that must use a second factor. Fictional and
#: printed on purpose: `python manage.py demo_code USERNAME` shows the current code.
DEMO_TOTP_KEY = "50617468776179206465646d6f20746f74702121"
SECOND_FACTOR_ROLES = (Role.PHYSICIAN, Role.CLINIC_ADMIN)


def seed_demo() -> list[DemoLogin]:
    """Create what is missing; running it again changes nothing."""
    with transaction.atomic():
        users = {login.role: _ensure_user(login) for login in DEMO_LOGINS}
        for role in SECOND_FACTOR_ROLES:
            _ensure_demo_app(users[role])
        consent_demo_document_seed(actor=users[Role.CLINIC_ADMIN])
        _ensure_clinic_contact()
        for given, family, born, mrn, steps in DEMO_PATIENTS:
            _ensure_patient_case(given, family, born, mrn, steps, users)
    return list(DEMO_LOGINS)


#: How patients reach the demo clinic (fictional: 555-01xx numbers are reserved for fiction).
DEMO_CLINIC_CONTACT = {
    "contact_phone": "+1 555 0100",
    "contact_email": "care@harbourlight.example",
    "contact_hours": "Monday to Friday, 8:00 to 18:00",
    "crisis_line": "call or text 988 (Suicide & Crisis Lifeline) at any hour; 911 in an emergency",
    "session_time": time(9, 0),
    "session_place": "Harbour Light Clinic, 12 Quay Street, 2nd floor, Treatment Suite B",
}


def _ensure_clinic_contact() -> None:
    """Fill the clinic's contact and session details the clinic has left blank."""
    row = ClinicSettings.current()
    missing = {name: value for name, value in DEMO_CLINIC_CONTACT.items() if not getattr(row, name)}
    if missing:
        ClinicSettings.objects.filter(pk=row.pk).update(**missing)


def _ensure_demo_app(user: User) -> None:
    """Physicians and clinic admins must sign in with a second factor: the demo gives theirs an
    authenticator app whose codes `demo_code` prints (a clinic's staff enrol their own)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(
        user=user, name="Demo app", defaults={"confirmed": True, "key": DEMO_TOTP_KEY}
    )


def demo_esignature(user: User) -> ESignature:
    """`user` signing from a fresh session of their own: the first signing, user ID and demo
    password (core.esign checks it like any other; a later signing would need a code)."""
    from importlib import import_module

    from django.conf import settings
    from django.http import HttpRequest

    request = HttpRequest()
    request.method, request.user = "POST", user
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    return ESignature(request=request, username=user.username, password=DEMO_PASSWORD)


def demo_code() -> str:
    """The demo authenticator's current one-time code."""
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}"


def _ensure_user(login: DemoLogin) -> User:
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={
            "first_name": login.first_name,
            "last_name": login.last_name,
            "email": f"{login.username}@example.invalid",
            "is_staff": login.role is Role.CLINIC_ADMIN,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=login.role.value))
    return user


def _ensure_patient_case(
    given: str, family: str, born: date, mrn: str, steps: tuple[str, ...], users: dict[Role, User]
) -> None:
    if Patient.objects.filter(mrn=mrn).exists():
        return
    clinician, physician = users[Role.CLINICIAN], users[Role.PHYSICIAN]
    patient = services.patient_create(
        given_name=given,
        family_name=family,
        date_of_birth=born,
        mrn=mrn,
        email=f"{given.lower()}.{family.lower()}@example.invalid",
        preferred_language="es" if mrn == SPANISH_DEMO_MRN else "",
        actor=users[Role.ADMIN_STAFF],
    )
    if mrn == "DEMO-0001":
        patient.user = users[Role.PATIENT]
        patient.save(update_fields=["user"])
    case = services.case_open(patient=patient, actor=users[Role.ADMIN_STAFF], physician=physician)
    for step in steps:
        if step in INTAKE_STEPS:
            record_demo_intake(case.pk, clinician=clinician, step=step)
        reason = "Demo: patient asked to pause for travel" if step == "hold" else ""
        if step == "withdraw":
            reason = "Demo: patient chose psychotherapy alone"
        services.case_transition(case_id=case.pk, transition=step, actor=clinician, reason=reason)


def patient_login_to_active_case(mrn: str = ACTIVE_DEMO_MRN) -> bool:
    """Give `patient.demo` to the patient in active treatment (taking it from the consultation
    patient, who has nothing to see yet) and leave them a PHQ-9 to answer now. Idempotent;
    False when there is no such patient (no clinic seal: the journey did not run)."""
    from django.utils import timezone

    from planning.followups import services as followup_services
    from planning.followups.models import FollowUp, FollowUpKind, FollowUpStatus

    patient = Patient.objects.filter(mrn=mrn).first()
    if patient is None:
        return False
    user = User.objects.get(username=PATIENT_LOGIN)
    with transaction.atomic():
        if patient.user_id != user.pk:
            Patient.objects.filter(user=user).exclude(pk=patient.pk).update(user=None)
            patient.user = user
            patient.save(update_fields=["user"])
            user.first_name, user.last_name = patient.given_name, patient.family_name
            user.save(update_fields=["first_name", "last_name"])
        case = Case.objects.filter(patient=patient).order_by("-pk").first()
        assert case is not None  # the journey opened it
        now = timezone.now()
        open_now = FollowUp.objects.filter(
            case=case,
            kind=FollowUpKind.PHQ9,
            status__in=[FollowUpStatus.SCHEDULED, FollowUpStatus.REMINDED],
            due_at__lte=now,
            window_ends_at__gt=now,
        )
        if not open_now.exists():
            followup_services.followup_add(
                case=case,
                actor=User.objects.get(username="desk.rivera"),
                kind=FollowUpKind.PHQ9,
                due_at=now,
                window_hours=14 * 24,
                title="PHQ-9 check-in before the first session",
            )
    return True


def patient_login_shows(username: str = PATIENT_LOGIN) -> str:
    """What the patient login shows on its home page, for the printed list of logins."""
    patient = Patient.objects.filter(user__username=username).first()
    case = (
        Case.objects.filter(patient=patient).order_by("-pk").first()
        if patient is not None
        else None
    )
    if patient is None or case is None:
        return "no case yet"
    if patient.mrn == ACTIVE_DEMO_MRN:
        return (
            f"{patient.full_name}, in active treatment: signed consent, approved plan, next "
            "session, a PHQ-9 to answer, sealed PDFs to download"
        )
    return f"{patient.full_name}, case in {case.get_state_display().lower()} (little to see yet)"


INTAKE_STEPS = ("complete_consultation", "complete_evaluation", "complete_medication_review")

# Fictional, unremarkable intake answers: PHQ-9 moderately severe with item 9 = 0, a negative
# C-SSRS screen, blood pressure under the threshold, no contraindication.
DEMO_PHQ9 = {f"phq9_{i}": a for i, a in enumerate([2, 2, 2, 2, 1, 2, 2, 3, 0], start=1)}
DEMO_CSSRS = {"cssrs_1": 0, "cssrs_2": 0, "cssrs_6": 0}


def record_demo_intake(case_id: int, *, clinician: User, step: str) -> None:
    """Record the data one intake step needs, through the intake services."""
    case = Case.objects.get(pk=case_id)
    if step == "complete_consultation":
        intake_services.consultation_record(
            case=case,
            actor=clinician,
            symptom_duration_months=30,
            presenting_symptoms="Low mood, anhedonia and poor sleep for over two years.",
            psychotherapy_history="Twelve sessions of CBT in 2024.",
            referral_source="GP",
            trials=[
                TrialData("sertraline", Decimal("150"), 10, "partial"),
                TrialData("venlafaxine", Decimal("225"), 8, "none"),
            ],
        )
    elif step == "complete_evaluation":
        intake_services.evaluation_record(
            case=case,
            actor=clinician,
            pregnancy_status="not_applicable",
            vitals=intake_services.Vitals(128, 82, 74, 98, Decimal("72.5"), Decimal("171")),
            screening={
                ci.code: False
                for ci in ContraindicationType.objects.filter(active=True, derived_from="")
            },
            questionnaires={"phq9": DEMO_PHQ9, "cssrs_screener": DEMO_CSSRS},
        )
    elif step == "complete_medication_review":
        intake_services.medication_add(
            case=case,
            actor=clinician,
            name="Sertraline",
            dose="100 mg",
            frequency="once daily",
            kind="medication",
        )
        intake_services.medication_list_confirm(case=case, actor=clinician)


def advance_to_consent(case_id: int, *, clinician: User, physician: User) -> None:
    """Record fictional intake data and move the case to consent_pending with the same services
    the pages use (used by seed_demo and demo_journey)."""
    for step in INTAKE_STEPS:
        record_demo_intake(case_id, clinician=clinician, step=step)
        services.case_transition(case_id=case_id, transition=step, actor=clinician)
