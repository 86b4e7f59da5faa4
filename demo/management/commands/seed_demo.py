from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.pathway import (
    DEMO_PASSWORD,
    patient_login_shows,
    patient_login_to_active_case,
    seed_demo,
)


class Command(BaseCommand):
    help = "Create fictional demo logins and patients (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo()
        self._active_case()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for login in logins:
            shows = login.shows or patient_login_shows(login.username)
            self.stdout.write(f"  {login.role.label:<18} {login.username:<14} {shows}")

    def _active_case(self) -> None:
        """One patient in active treatment (consent signed, plan approved), when a clinic seal
        exists to sign the records with (`make demo` creates one first); the patient login is
        theirs, with a questionnaire to answer."""
        from django.conf import settings

        from records.keys import SealNotConfigured, seal_material

        try:
            seal_material()
        except SealNotConfigured:
            self.stdout.write("No clinic seal yet: skipping the patient in active treatment.")
            return
        out = Path(settings.VAR_DIR) / "demo-pdfs"
        # The journey's e-mails (invitation, copy ready) are not printed during set-up.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            call_command(
                "demo_journey", out=out, mrn="DEMO-0007", if_missing=True, stdout=self.stdout
            )
        patient_login_to_active_case()
