"""Issue an API token for a staff member. The token is printed once; only its hash is kept."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.services import api_token_issue
from core.errors import ValidationFailed
from core.models import User


class Command(BaseCommand):
    help = "Issue an API token for a staff user (printed once; only its SHA-256 is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="The system that will use it.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user {options['username']!r}.")
        try:
            record, token = api_token_issue(user=user, name=options["name"], actor=None)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(f"Token #{record.pk} for {user.username} ({record.name}). Keep it safe:")
        self.stdout.write(token)
