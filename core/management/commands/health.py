"""Run the readiness checks of /readyz from the command line (container health checks,
monitoring scripts): prints the JSON report, exits 1 if any named check fails."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.health import CHECKS, report, run_checks


class Command(BaseCommand):
    help = "Run readiness checks (all, or those named) and exit 1 if one fails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("checks", nargs="*", metavar="CHECK", help=", ".join(CHECKS))

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = sorted(set(options["checks"]) - set(CHECKS))
        if unknown:
            raise CommandError(f"Unknown check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}")
        body = report(run_checks(options["checks"] or None))
        self.stdout.write(json.dumps(body, indent=2))
        if not body["ok"]:
            raise CommandError(
                "Not ready: " + ", ".join(name for name, r in body["checks"].items() if not r["ok"])
            )
