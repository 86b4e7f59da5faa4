"""Open a case from a FHIR Patient or Bundle file (see interop.fhir.importer for what comes in
and what is kept as imported history)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ValidationFailed
from core.models import User
from interop.fhir.importer import fhir_import, import_actor


class Command(BaseCommand):
    help = "Import a FHIR R4 Patient (or a Bundle with one) and open a case; prints the case id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as", dest="username", help="Record the import as this user (default: system)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = json.loads(options["file"].read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['file']} as JSON: {exc}") from exc
        actor = import_actor()
        if options["username"]:
            found = User.objects.filter(username=options["username"], is_active=True).first()
            if found is None:
                raise CommandError(f"There is no active user {options['username']!r}.")
            actor = found
        try:
            case = fhir_import(data, actor=actor)
        except ValidationFailed as exc:
            details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} ({details})") from exc
        self.stdout.write(f"case {case.pk}")
