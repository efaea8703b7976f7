"""subsidia issue-token EMAIL [--name NAME]: print a new personal API token (shown once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsidia.accounts import services
from subsidia.accounts.models import User


class Command(BaseCommand):
    help = "Print a new personal API token for the account EMAIL. Only its digest is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="cli", help="a label to recognise the token by")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account with e-mail {options['email']}.")
        if not user.is_active:
            raise CommandError(f"The account {user.email} is deactivated.")
        self.stdout.write(services.issue_api_token(None, user, name=options["name"]))
