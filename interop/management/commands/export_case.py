"""Write a case's records for a records request: one zip (see interop.archive)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.audit import audit_record
from interop.archive import build_archive
from planning.pathway.models import Case
from records.keys import SealNotConfigured


class Command(BaseCommand):
    help = "Export a case (FHIR Bundle, sealed PDFs, audit chain) as one verifiable zip."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_id", type=int)
        parser.add_argument("--out", type=Path, required=True, help="The zip file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.select_related("patient").filter(pk=options["case_id"]).first()
        if case is None:
            raise CommandError(f"There is no case {options['case_id']}.")
        try:
            data = build_archive(case)
        except SealNotConfigured as exc:
            raise CommandError(str(exc)) from exc
        out: Path = options["out"]
        out.write_bytes(data)
        audit_record(
            action="case.export",
            case_id=case.pk,
            patient_id=case.patient_id,
            target=f"case:{case.pk}",
            data={"file": out.name, "bytes": len(data)},
        )
        self.stdout.write(f"Wrote {out} ({len(data)} bytes). Check it with verify_export.")
