from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_sequence
from core.audit.trail import verify_trail


class Command(BaseCommand):
    help = (
        "Chain pending entries, recompute the audit trail's hash chain and check it against the "
        "newest signed checkpoint; exit non-zero naming the first bad entry."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        audit_sequence()
        report = verify_trail()
        if not report.ok:
            raise CommandError("\n".join(str(problem) for problem in report.problems))
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.chain.checked} entries.")
        )
        anchor = report.anchor
        if anchor is not None:
            self.stdout.write(
                f"Matches the signed checkpoint at #{anchor.seq} of "
                f"{anchor.created_at:%Y-%m-%d %H:%M:%S} UTC."
            )
