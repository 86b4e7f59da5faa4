"""Create a self-signed seal certificate and key for the demo (or a clinic without a CA)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.sealing import make_self_signed_certificate


class Command(BaseCommand):
    help = "Write a self-signed clinic seal key and certificate to the configured paths."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-missing", action="store_true", help="Do nothing if both exist.")
        parser.add_argument("--force", action="store_true", help="Replace an existing pair.")
        parser.add_argument(
            "--test-pki",
            action="store_true",
            help="Issue the seal certificate from the demo/test CA (records/testpki), not "
            "self-signed. Demo only.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key_path = Path(settings.SEAL_KEY_PATH)
        cert_path = Path(settings.SEAL_CERT_PATH)
        if key_path.exists() and cert_path.exists() and options["if_missing"]:
            self.stdout.write(f"Clinic certificate already at {cert_path}.")
            return
        if (key_path.exists() or cert_path.exists()) and not options["force"]:
            raise CommandError(
                f"{key_path} or {cert_path} already exists. Existing sealed PDFs verify only "
                "against the certificate that sealed them: use --force only if you mean it."
            )
        if options["test_pki"]:
            from records.testpki import seal_pems

            pems = seal_pems(settings.TESTPKI_DIR / "keys", settings.PATHWAY_TESTPKI_PORT)
            key_pem, cert_pem = pems.key_pem, pems.cert_pem  # seal certificate + test root CA
        else:
            key_pem, cert_pem = make_self_signed_certificate(
                common_name=f"{settings.CLINIC_NAME} records seal",
                organization=settings.CLINIC_NAME,
            )
        for path in (key_path, cert_path):
            path.parent.mkdir(parents=True, exist_ok=True)
        key_path.write_bytes(key_pem)
        os.chmod(key_path, 0o600)
        cert_path.write_bytes(cert_pem)
        self.stdout.write(self.style.SUCCESS(f"Wrote {cert_path} and {key_path} (keep it secret)."))
