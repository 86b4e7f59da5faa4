"""Check a records-request archive with nothing but the archive (no database).

Exit 0 when every check passes, 1 when anything is wrong, 2 when the file cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from interop.archive import verify_archive


class Command(BaseCommand):
    help = "Verify an export_case archive offline: digests, PDF seals, audit chain, checkpoint."
    requires_system_checks: list[str] = []  # runs without a database or the project's config

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--trust-root", type=Path, help="The clinic certificate (PEM) the PDFs must chain to."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = options["file"].read_bytes()
            root = options["trust_root"].read_bytes() if options["trust_root"] else None
        except OSError as exc:
            self.stderr.write(f"Cannot read: {exc}")
            sys.exit(2)
        check = verify_archive(data, trust_root=root)
        for note in check.notes:
            self.stdout.write(f"Note:    {note}")
        for problem in check.problems:
            self.stdout.write(f"Problem: {problem}")
        if not check.ok:
            self.stdout.write(self.style.ERROR("NOT INTACT: do not rely on this archive."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("INTACT: every member verified."))
