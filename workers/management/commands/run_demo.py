"""Start web + Celery worker + beat on the embedded database and broker, print how to sign in,
and stop all three together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from demo.pathway import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Run the whole demo system in the foreground (Ctrl-C stops it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("PATHWAY_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PATHWAY_PORT", "8000")))

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        bindir = os.path.dirname(sys.executable)
        commands = {
            "web": [
                os.path.join(bindir, "gunicorn"),
                "config.wsgi",
                "--bind",
                bind,
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
            "worker": [
                os.path.join(bindir, "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
            ],
            "beat": [os.path.join(bindir, "celery"), "-A", "config", "beat", "--loglevel", "INFO"],
            # the demo's TEST time-stamping authority, OCSP responder and CRL (records/testpki)
            "testpki": [sys.executable, "manage.py", "testpki_serve"],
        }
        # The demo is what a clinic tries first: it runs as a clinic would, with DEBUG off (a
        # patient who mistypes an address gets the clinic's 404 page, not Django's list of
        # every route). DEBUG=true in the environment still turns it on for development.
        env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "false")}
        processes = {
            name: subprocess.Popen(cmd, env=env)  # noqa: S603
            for name, cmd in commands.items()
        }
        self._banner(f"http://{bind}/")
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        failed = [n for n, p in processes.items() if p.returncode not in (0, -15, None)]
        if failed and not stopping:
            raise SystemExit(f"Stopped because {', '.join(failed)} exited.")

    def _banner(self, url: str) -> None:
        lines = [
            "",
            "=" * 64,
            f"  Pathway demo is running at {url}",
            "",
            f"  Demo logins (password for all: {DEMO_PASSWORD}):",
        ]
        lines += [f"    {login.role.label:<18} {login.username}" for login in DEMO_LOGINS]
        lines += [
            "",
            "  The physician and the clinic admin also give a one-time code (a second factor):",
            "  `.venv/bin/python manage.py demo_code` prints the current one.",
        ]
        if getattr(settings, "PATHWAY_DEMO_MAILBOX", False):
            lines += [
                "",
                "  No message leaves this computer. Every e-mail and text the demo sends (a",
                "  consent invitation's link too) is readable, signed in as staff, at",
                f'    {url}staff/demo-mailbox/   ("Demo mailbox" in the header)',
            ]
        lines += ["", "  Press Ctrl-C to stop web, worker and beat.", "=" * 64, ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
