"""Check a sealed consent PDF: intact, sealed by this clinic, and which record it is.

Exit status 0 only when the file is genuine and unchanged; 1 when it is modified, unsealed or
sealed by someone else; 2 when the file cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.record import SealNotConfigured
from consent.verification import pdf_identify


class Command(BaseCommand):
    help = "Verify a consent PDF's seal against the clinic certificate (exit 1 if not genuine)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"Cannot read {path}: {exc.strerror}")
            sys.exit(2)
        try:
            identity = pdf_identify(data)
        except SealNotConfigured as exc:
            raise CommandError(str(exc), returncode=2) from exc
        result, digest, record = identity.check, identity.sha256, identity.record
        self.stdout.write(f"File:      {path} (SHA-256 {digest})")
        self.stdout.write(f"Sealed:    {'yes' if result.sealed else 'no'}")
        self.stdout.write(f"Intact:    {'yes' if result.intact else 'no'}")
        self.stdout.write(f"Trusted:   {'yes, by this clinic' if result.trusted else 'no'}")
        self.stdout.write(f"Unchanged: {'yes' if result.covers_whole_file else 'no'}")
        if record is not None:
            sig = record.signature
            self.stdout.write(
                f"Record:    consent signature #{sig.pk}, case #{sig.case_id}, "
                f"{sig.patient.full_name} ({sig.patient.mrn}), {sig.version.label}, "
                f"signed {sig.signed_at:%Y-%m-%d %H:%M %Z}"
            )
        elif identity.other is not None:
            self.stdout.write(f"Record:    {identity.other.description}")
        else:
            self.stdout.write("Record:    no stored record has exactly this file")
        for problem in result.problems:
            self.stdout.write(f"Problem:   {problem}")
        if not result.ok:
            self.stdout.write(self.style.ERROR("NOT GENUINE: do not rely on this file."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("GENUINE: intact and sealed by this clinic."))
