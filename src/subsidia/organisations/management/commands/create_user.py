"""subsidia create-user EMAIL --role ROLE [--organisation ORG_ID] [--password-stdin] [--name NAME]

It lives in organisations, not accounts: a partner role is held through a membership of an organisation, and
organisations builds on accounts, never the reverse."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from subsidia.accounts import services
from subsidia.accounts.roles import PARTNER_ROLES, Role
from subsidia.core.errors import RuleViolation
from subsidia.organisations.models import Organisation
from subsidia.organisations.services import add_membership


class Command(BaseCommand):
    help = "Create or update an account with a role (idempotent). Partner roles need --organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", required=True, help="one of: " + ", ".join(Role.values))
        parser.add_argument("--organisation", type=int, help="organisation id, for partner roles")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        email: str = options["email"].strip().lower()
        role: str = options["role"]
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Invalid e-mail address: {email}") from exc
        if role not in Role.values:
            raise CommandError(f"Unknown role '{role}'. Roles: {', '.join(Role.values)}")
        organisation = self._organisation(role, options["organisation"])
        password = self._password() if options["password_stdin"] else None

        try:
            with transaction.atomic():
                user, created = services.provision_user(None, email, full_name=options["name"], password=password)
                if organisation is not None:
                    add_membership(None, user, organisation, role)
                else:
                    services.grant_role(None, user, role)
        except RuleViolation as exc:
            raise CommandError(str(exc)) from exc
        where = f" in organisation {organisation.pk} ({organisation.name})" if organisation else ""
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.email} with role {role}{where}.")
        if created and password is None:
            self.stdout.write("No password set: the person sets one with 'Mot de passe oublié'.")

    @staticmethod
    def _organisation(role: str, organisation_id: int | None) -> Organisation | None:
        """The organisation a partner role is held in (required for those roles, refused for the others)."""
        if role not in PARTNER_ROLES:
            if organisation_id is not None:
                raise CommandError(f"The role '{role}' is not held in an organisation; drop --organisation.")
            return None
        if organisation_id is None:
            raise CommandError(f"The role '{role}' needs --organisation ORG_ID.")
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise CommandError(f"No organisation with id {organisation_id}.")
        return organisation

    @staticmethod
    def _password() -> str:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("No password on standard input.")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        return password
