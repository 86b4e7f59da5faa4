"""Check a sealed record PDF (consent, dosing plan, REMS form): intact, sealed by this clinic,
and which record it is.

Exit status 0 only when the file is genuine and unchanged; 1 when it is modified, unsealed or
sealed by someone else; 2 when the file cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.keys import SealNotConfigured
from records.verification import RecordIdentity, record_identify


class Command(BaseCommand):
    help = "Verify a sealed PDF against the clinic certificate (exit 1 if not genuine)."

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
            identity = record_identify(data)
        except SealNotConfigured as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self._report(path, identity)
        if not identity.check.ok:
            self.stdout.write(self.style.ERROR("NOT GENUINE: do not rely on this file."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("GENUINE: intact and sealed by this clinic."))

    def _report(self, path: Path, identity: RecordIdentity) -> None:
        result, record = identity.check, identity.record
        lines = [
            f"File:      {path} (SHA-256 {identity.sha256})",
            f"Sealed:    {'yes' if result.sealed else 'no'}",
            f"Intact:    {'yes' if result.intact else 'no'}",
            f"Trusted:   {'yes, by this clinic' if result.trusted else 'no'}",
            f"Unchanged: {'yes' if result.covers_whole_file else 'no'}",
            f"Level:     {result.level or 'none'}",
        ]
        if result.timestamp_at is not None:
            lines.append(
                f"Time-stamp: {result.timestamp_at:%Y-%m-%d %H:%M:%S %Z} "
                f"by {result.timestamp_authority}"
            )
        if record is not None:
            lines.append(
                f"Record:    {record.get_kind_display()} #{record.owner_id} v{record.version}: "
                f"{record.owner_label} (sealed {record.created_at:%Y-%m-%d %H:%M %Z})"
            )
        else:
            lines.append("Record:    no stored record has exactly this file")
        lines += [f"Problem:   {problem}" for problem in result.problems]
        for line in lines:
            self.stdout.write(line)
