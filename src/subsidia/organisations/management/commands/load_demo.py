"""subsidia load-demo [--force]: load the demo directory and one demo account per role (idempotent).

The data lives in ``subsidia/fixtures/demo/*.json``. Rows are matched on natural keys (theme, public and
activity domain codes, municipality and organisation names, service and contact names within an
organisation, e-mail addresses), so running the command again creates no duplicates, and a row whose data
did not change is not saved again. The loader acts as the system: it writes the models directly, and
records in the audit trail the organisations it creates or changes. The grants, conventions and dialogue
parts follow (``subsidia.grants.demo``, ``subsidia.conventions.demo``, ``subsidia.dialogue.demo``).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

import subsidia
from subsidia.accounts import services as account_services
from subsidia.accounts.management.commands.demo_totp import (
    DEMO_TOTP_DEVICE_NAME,
    DEMO_TOTP_DIGITS,
    DEMO_TOTP_KEY_HEX,
    DEMO_TOTP_SECRET_B32,
    DEMO_TOTP_STEP,
)
from subsidia.accounts.models import User
from subsidia.accounts.roles import PARTNER_ROLES, STAFF_ROLES, Role
from subsidia.audit.services import record, snapshot
from subsidia.conventions.demo import load_conventions_demo
from subsidia.core.errors import RuleViolation
from subsidia.dialogue.demo import load_dialogue_demo
from subsidia.events.demo import load_events_demo
from subsidia.grants.demo import load_grants_demo
from subsidia.knowledge.demo import load_knowledge_demo, rebuild_search_index
from subsidia.moderation.demo import load_moderation_demo
from subsidia.organisations.models import (
    ActivityDomain,
    Contact,
    LegalForm,
    Municipality,
    Organisation,
    Service,
    ServiceKind,
    TargetPublic,
    Theme,
)
from subsidia.organisations.services import AUDITED, add_membership

DEMO_DIR = Path(subsidia.__file__).resolve().parent / "fixtures" / "demo"
AUDIT_NOTE = "load-demo"

M = TypeVar("M", bound=models.Model)

# Organisation fields a demo entry may give, with the value used when it gives none.
ORGANISATION_DEFAULTS: dict[str, Any] = {
    "acronym": "", "register_number": "", "description": "", "street": "", "postal_code": "",
    "country": "LU", "website": "", "email": "", "phone": "", "listed_in_directory": True,
    "is_example": False,
}
ORGANISATION_KEYS = {
    *ORGANISATION_DEFAULTS, "name", "legal_form", "parent", "municipality", "themes", "target_publics",
    "last_verified_days_ago", "services", "contacts",
}
SERVICE_KEYS = {"kind", "name", "capacity", "municipality", "phone", "is_public"}
CONTACT_KEYS = {"name", "function", "email", "phone", "is_public"}


def read_demo_file(name: str) -> Any:
    path = DEMO_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read the demo data {path}: {exc}") from exc


def _check_keys(what: str, entry: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise CommandError(f"{what}: unknown key(s) {', '.join(unknown)} in the demo data.")


class _Lookup:
    """Resolves the codes and names an organisation's entry refers to, naming it in errors."""

    def __init__(self, organisation: str) -> None:
        self.organisation = organisation

    def __call__(self, table: dict[str, M], key: str | None, what: str) -> M | None:
        return None if key is None else self.one(table, key, what)

    def one(self, table: dict[str, M], key: str, what: str) -> M:
        if key not in table:
            raise CommandError(
                f"Organisation {self.organisation!r}: unknown {what} {key!r} in the demo data."
            )
        return table[key]


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[M, str]:
    """Like ``update_or_create``, but a row whose values are already right is not saved again (its
    ``updated_at`` stays). Returns the row and "created", "updated" or "unchanged"."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        status = "created"
    else:
        changed = [key for key, value in values.items() if getattr(obj, key) != value]
        if not changed:
            return obj, "unchanged"
        for key in changed:
            setattr(obj, key, values[key])
        status = "updated"
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise CommandError(f"Invalid demo {model._meta.verbose_name} {lookup}: {exc.messages}") from exc
    obj.save()
    return obj, status


class Command(BaseCommand):
    help = (
        "Load the demo directory (themes, municipalities, organisations of the ministries' partners) and one "
        "demo account per role. Idempotent. The accounts share a published password and TOTP key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true",
            help="load even though DEBUG is off. The demo accounts (an administrator among them) have a "
                 "published password and two-factor key: never do this on a production database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError(
                "load-demo creates accounts with a published password and two-factor key, administrator "
                "included. Run it with DEBUG on, or pass --force on a demo server (never in production)."
            )
        if not settings.DEMO_PASSWORD:
            raise CommandError("settings.DEMO_PASSWORD is empty.")
        self.counts: Counter[tuple[str, str]] = Counter()
        self.notes: list[str] = []
        with transaction.atomic():
            themes, publics = self.load_themes(read_demo_file("themes.json"))
            municipalities = self.load_municipalities(read_demo_file("municipalities.json"))
            self.load_activity_domains(read_demo_file("activity_domains.json"))
            self.load_organisations(read_demo_file("organisations.json"), themes, publics, municipalities)
            accounts = self.load_users(read_demo_file("users.json"))
            load_grants_demo(self.counts)  # calls and applications in every state (subsidia.grants.demo)
            load_conventions_demo(self.counts)  # conventions with their history (subsidia.conventions.demo)
            load_dialogue_demo(self.counts)  # the MEGA's meetings with its partners (subsidia.dialogue.demo)
            load_events_demo(self.counts)  # the 2017 conference in Mersch, events around today (subsidia.events.demo)
            load_knowledge_demo(self.counts)  # good practices, FAQ, news (subsidia.knowledge.demo)
            load_moderation_demo(self.counts)  # public accounts, comments to moderate (subsidia.moderation.demo)
            rebuild_search_index(self.counts)  # when the search app has an index (subsidia.search.index)
        self.print_summary(accounts)

    # --- Reference data ------------------------------------------------------------------------

    def load_themes(self, data: dict[str, Any]) -> tuple[dict[str, Theme], dict[str, TargetPublic]]:
        themes: dict[str, Theme] = {}
        for entry in data["themes"]:
            _check_keys("theme", entry, {"code", "name"})
            themes[entry["code"]], status = upsert(Theme, {"code": entry["code"]}, {"name": entry["name"]})
            self.counts["Themes", status] += 1
        publics: dict[str, TargetPublic] = {}
        for entry in data["target_publics"]:
            _check_keys("target public", entry, {"code", "name"})
            publics[entry["code"]], status = upsert(
                TargetPublic, {"code": entry["code"]}, {"name": entry["name"]}
            )
            self.counts["Target publics", status] += 1
        return themes, publics

    def load_municipalities(self, data: list[dict[str, Any]]) -> dict[str, Municipality]:
        municipalities: dict[str, Municipality] = {}
        for entry in data:
            _check_keys("municipality", entry, {"name", "canton"})
            municipalities[entry["name"]], status = upsert(
                Municipality, {"name": entry["name"]}, {"canton": entry.get("canton", "")}
            )
            self.counts["Municipalities", status] += 1
        return municipalities

    def load_activity_domains(self, data: list[dict[str, Any]]) -> None:
        for entry in data:
            _check_keys("activity domain", entry, {"code", "name", "description"})
            _domain, status = upsert(ActivityDomain, {"code": entry["code"]},
                                     {"name": entry["name"], "description": entry.get("description", "")})
            self.counts["Activity domains", status] += 1

    # --- Organisations -------------------------------------------------------------------------

    def load_organisations(
        self, data: list[dict[str, Any]], themes: dict[str, Theme], publics: dict[str, TargetPublic],
        municipalities: dict[str, Municipality],
    ) -> None:
        today = timezone.localdate()
        for entry in data:
            name = entry.get("name", "")
            _check_keys(f"organisation {name!r}", entry, ORGANISATION_KEYS)
            lookup = _Lookup(name)
            if entry.get("legal_form") not in LegalForm.values:
                raise CommandError(f"Organisation {name!r}: unknown legal form {entry.get('legal_form')!r}.")
            parent = None
            if entry.get("parent"):
                parent = Organisation.objects.filter(name=entry["parent"]).first()
                if parent is None:
                    raise CommandError(
                        f"Organisation {name!r}: its parent {entry['parent']!r} must come before it."
                    )
            values = {key: entry.get(key, default) for key, default in ORGANISATION_DEFAULTS.items()}
            values.update(
                legal_form=entry["legal_form"],
                parent=parent,
                municipality=lookup(municipalities, entry.get("municipality"), "municipality"),
                last_verified_on=self._verified_on(entry, today),
            )
            organisation_themes = [lookup.one(themes, code, "theme") for code in entry.get("themes", [])]
            organisation_publics = [lookup.one(publics, code, "target public")
                                    for code in entry.get("target_publics", [])]

            existing = Organisation.objects.filter(name=name).first()
            before = snapshot(existing, AUDITED) if existing else None
            organisation, _status = upsert(Organisation, {"name": name}, values)
            organisation.themes.set(organisation_themes)
            organisation.target_publics.set(organisation_publics)
            after = snapshot(organisation, AUDITED)
            if before is None:
                record(None, "organisation.create", organisation, after=after, note=AUDIT_NOTE)
                self.counts["Organisations", "created"] += 1
            elif after != before:
                record(None, "organisation.update", organisation, before=before, after=after, note=AUDIT_NOTE)
                self.counts["Organisations", "updated"] += 1
            else:
                self.counts["Organisations", "unchanged"] += 1

            for service in entry.get("services", []):
                _check_keys(f"service of {name!r}", service, SERVICE_KEYS)
                if service.get("kind") not in ServiceKind.values:
                    raise CommandError(f"Service of {name!r}: unknown kind {service.get('kind')!r}.")
                _service, status = upsert(
                    Service, {"organisation": organisation, "name": service["name"]},
                    {
                        "kind": service["kind"], "capacity": service.get("capacity"),
                        "municipality": lookup(municipalities, service.get("municipality"), "municipality"),
                        "phone": service.get("phone", ""), "is_public": service.get("is_public", True),
                    },
                )
                self.counts["Services", status] += 1
            for contact in entry.get("contacts", []):
                _check_keys(f"contact of {name!r}", contact, CONTACT_KEYS)
                _contact, status = upsert(
                    Contact, {"organisation": organisation, "name": contact["name"]},
                    {
                        "function": contact.get("function", ""), "email": contact.get("email", ""),
                        "phone": contact.get("phone", ""), "is_public": contact.get("is_public", False),
                    },
                )
                self.counts["Contacts", status] += 1

    @staticmethod
    def _verified_on(entry: dict[str, Any], today: date) -> date | None:
        # Relative to today, so that the officer dashboard always has a few entries to verify
        # (those verified more than a year ago, or never).
        days = entry.get("last_verified_days_ago")
        return None if days is None else today - timedelta(days=int(days))

    # --- Accounts ------------------------------------------------------------------------------

    def load_users(self, data: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        password = settings.DEMO_PASSWORD
        accounts = []
        for entry in data:
            _check_keys(f"user {entry.get('email')!r}", entry, {"email", "full_name", "role", "organisation"})
            email, role = entry["email"], entry["role"]
            if role not in Role.values:
                raise CommandError(f"User {email!r}: unknown role {role!r}.")
            existing = User.objects.filter(email__iexact=email).first()
            # Set the password only when needed: setting it again would re-hash it and audit a change.
            needs_password = existing is None or not existing.check_password(password)
            try:
                user, created = account_services.provision_user(
                    None, email, full_name=entry.get("full_name", ""),
                    password=password if needs_password else None,
                )
                organisation_name = ""
                if role in PARTNER_ROLES:
                    organisation = Organisation.objects.filter(name=entry.get("organisation", "")).first()
                    if organisation is None:
                        raise CommandError(
                            f"User {email!r}: unknown organisation {entry.get('organisation')!r}."
                        )
                    add_membership(None, user, organisation, role)
                    organisation_name = organisation.name
                else:
                    account_services.grant_role(None, user, role)
            except RuleViolation as exc:
                raise CommandError(f"User {email!r}: {exc}") from exc
            status = "created" if created else ("updated" if needs_password else "unchanged")
            self.counts["Users", status] += 1
            if role in STAFF_ROLES:
                self._ensure_demo_totp(user)
            accounts.append((user.email, role, organisation_name))
        return accounts

    def _ensure_demo_totp(self, user: User) -> None:
        confirmed = TOTPDevice.objects.filter(user=user, confirmed=True)
        if not confirmed.exists():
            TOTPDevice.objects.create(
                user=user, name=DEMO_TOTP_DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, step=DEMO_TOTP_STEP,
                digits=DEMO_TOTP_DIGITS, confirmed=True,
            )
            record(None, "two_factor.enable", user, after={"device": DEMO_TOTP_DEVICE_NAME}, note=AUDIT_NOTE)
            self.counts["TOTP devices", "created"] += 1
            return
        self.counts["TOTP devices", "unchanged"] += 1
        if not confirmed.filter(key=DEMO_TOTP_KEY_HEX).exists():
            self.notes.append(
                f"{user.email} already has its own two-factor device: the demo key does not apply."
            )

    # --- Summary -------------------------------------------------------------------------------

    def print_summary(self, accounts: list[tuple[str, str, str]]) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS("Demo data loaded."))
        for label in dict.fromkeys(label for label, _status in self.counts):
            created, updated = self.counts[label, "created"], self.counts[label, "updated"]
            total = created + updated + self.counts[label, "unchanged"]
            write(f"  {label}: {total} ({created} created, {updated} updated)")
        write("")
        write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
        width = max(len(email) for email, _role, _org in accounts)
        for email, role, organisation in accounts:
            where = f" of {organisation}" if organisation else ""
            write(f"  {email:<{width}}  {role}{where}")
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "Subsidia")
        uri = f"otpauth://totp/{quote(issuer)}:{quote('demo')}?" + urlencode(
            {"secret": DEMO_TOTP_SECRET_B32, "issuer": issuer, "digits": DEMO_TOTP_DIGITS,
             "period": DEMO_TOTP_STEP}
        )
        write("")
        write("Staff accounts also ask for a two-factor code. Add this secret to an authenticator app")
        write(f"(TOTP, SHA-1, {DEMO_TOTP_DIGITS} digits, {DEMO_TOTP_STEP} s):")
        write(f"  {DEMO_TOTP_SECRET_B32}")
        write(f"  {uri}")
        write("or, with DEBUG on, print the current code with: subsidia demo-totp")
        for note in self.notes:
            write(self.style.WARNING(note))
