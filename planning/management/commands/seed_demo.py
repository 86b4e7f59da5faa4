from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from planning.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create fictional demo logins and patients (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.role.label:<18} {login.username}")
