"""Print (or write) a case as a FHIR R4 Bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interop.fhir.bundle import case_bundle
from planning.pathway.models import Case


class Command(BaseCommand):
    help = "Export a case as a FHIR R4 Bundle (JSON) to stdout or --out FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_id", type=int)
        parser.add_argument("--out", type=Path, help="Write here instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.select_related("patient").filter(pk=options["case_id"]).first()
        if case is None:
            raise CommandError(f"There is no case {options['case_id']}.")
        text = json.dumps(case_bundle(case), indent=2, ensure_ascii=False)
        if options["out"]:
            options["out"].write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote {options['out']}")
        else:
            self.stdout.write(text)
