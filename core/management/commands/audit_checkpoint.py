from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.audit import keys
from core.audit.checkpoints import audit_checkpoint


class Command(BaseCommand):
    help = (
        "Sign a checkpoint of the audit chain's head now (the beat does it every "
        "AUDIT_CHECKPOINT_INTERVAL_SECONDS). --make-key writes a new Ed25519 key pair."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--make-key",
            action="store_true",
            help="write AUDIT_CHECKPOINT_KEY_FILE (mode 0600) and the public key, then stop",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["make_key"]:
            self._make_key()
            return
        try:
            row = audit_checkpoint()
        except keys.CheckpointKeyMissing as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Checkpoint at #{row.seq}: {row.checkpoint_hash[:16]}…")
        )

    def _make_key(self) -> None:
        if not settings.AUDIT_CHECKPOINT_KEY_FILE:
            raise CommandError("Set AUDIT_CHECKPOINT_KEY_FILE first.")
        private = Path(settings.AUDIT_CHECKPOINT_KEY_FILE)
        if private.exists():
            raise CommandError(f"{private} exists; refusing to replace a signing key.")
        public = settings.AUDIT_CHECKPOINT_PUBLIC_KEY_FILE
        keys.make_key(private, Path(public) if public else None)
        self.stdout.write(self.style.SUCCESS(f"Wrote {private} (mode 0600) and {public or '-'}."))
