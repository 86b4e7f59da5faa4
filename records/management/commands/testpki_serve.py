"""Serve the demo/test PKI (Certomancer: time-stamping authority, OCSP, CRL) on 127.0.0.1.

For `make demo` only: a production clinic points PATHWAY_TSA_URL at a real TSA and seals with
a CA-issued certificate.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from records.testpki import Services, tsa_url


class Command(BaseCommand):
    help = "Serve the TEST time-stamping authority, OCSP responder and CRL (demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The test PKI is for the demo and the tests, never production.")
        port = settings.PATHWAY_TESTPKI_PORT
        services = Services(settings.TESTPKI_DIR / "keys", port)
        self.stdout.write(f"Test PKI (NOT FOR PRODUCTION) on 127.0.0.1:{port}; TSA {tsa_url(port)}")
        try:
            services.serve_forever()
        except KeyboardInterrupt:
            services.stop()
