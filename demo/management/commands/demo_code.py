"""Print the demo authenticator's current one-time code (physicians and the clinic admin sign in
with it in the demo; a clinic's staff enrol their own app)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from demo.pathway import demo_code


class Command(BaseCommand):
    help = "Print the current one-time code of the demo's authenticator app."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(demo_code())
