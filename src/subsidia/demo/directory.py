"""The directory and the accounts of the demo (``data/directory.toml``, ``data/accounts.toml``).

The reference data (themes, target publics, municipalities, activity domains) has no service: it is kept
in the admin, and written here directly, matched on its code or name. The rest is told: on the day the
ministry started to use Subsidia, the system provisions the staff accounts (as ``subsidia create-user``
does), each sets up the published demo two-factor key, the officer enters the organisations with their
services and contacts, the system provisions the partners' accounts; the officer then checks each entry
on the day the data says. Readers join on their own day.

Loading again restores what was changed since (an organisation's website, its themes, a password) through
the same services, now, and leaves alone what is already right: no row saved again, no password re-hashed,
nothing audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from subsidia.accounts import services as account_services
from subsidia.accounts.actors import Actor
from subsidia.accounts.management.commands.demo_totp import (
    DEMO_TOTP_DEVICE_NAME,
    DEMO_TOTP_DIGITS,
    DEMO_TOTP_KEY,
    DEMO_TOTP_KEY_HEX,
    DEMO_TOTP_STEP,
)
from subsidia.accounts.models import User
from subsidia.accounts.roles import PARTNER_ROLES, STAFF_ROLES, Role
from subsidia.audit.services import snapshot
from subsidia.organisations import services as organisation_services
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

from .data import check_keys, one, read, upsert
from .story import Story, account

OFFICER = "officer@demo.subsidia.lu"

# Organisation fields an entry may give, with the value used when it gives none.
ORGANISATION_DEFAULTS: dict[str, Any] = {
    "acronym": "", "register_number": "", "description": "", "street": "", "postal_code": "", "country": "LU",
    "website": "", "email": "", "phone": "", "listed_in_directory": True,
}
ORGANISATION_KEYS = {*ORGANISATION_DEFAULTS, "name", "legal_form", "parent", "municipality", "themes",
                     "target_publics", "verified", "is_example", "service", "contact"}
SERVICE_KEYS = {"kind", "name", "capacity", "municipality", "phone", "is_public"}
CONTACT_KEYS = {"name", "function", "email", "phone", "is_public"}
ACCOUNT_KEYS = {"email", "full_name", "role", "organisation", "joined"}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    organisation: str


# --- Reference data ------------------------------------------------------------------------------------

def load_reference(story: Story, data: dict[str, Any]) -> None:
    tables: list[tuple[str, str, type[Theme] | type[TargetPublic] | type[Municipality] | type[ActivityDomain],
                       str, dict[str, str]]] = [
        ("theme", "Themes", Theme, "code", {"name": ""}),
        ("target_public", "Target publics", TargetPublic, "code", {"name": ""}),
        ("municipality", "Municipalities", Municipality, "name", {"canton": ""}),
        ("activity_domain", "Activity domains", ActivityDomain, "code", {"name": "", "description": ""}),
    ]
    for key, label, model, natural, fields in tables:
        for entry in data.get(key, []):
            check_keys(key.replace("_", " "), entry, {natural, *fields})
            values = {name: entry.get(name, default) for name, default in fields.items()}
            _row, status = upsert(model, {natural: entry[natural]}, values)
            story.count(label, status)


# --- Organisations -------------------------------------------------------------------------------------

def _values(entry: dict[str, Any], today: date, story: Story) -> dict[str, Any]:
    """What the services keep of an entry: its fields, themes and publics, and the day it was last checked."""
    name = entry["name"]
    check_keys(f"organisation {name!r}", entry, ORGANISATION_KEYS)
    if entry.get("legal_form") not in LegalForm.values:
        raise CommandError(f"Organisation {name!r}: unknown legal form {entry.get('legal_form')!r}.")
    values = {key: entry.get(key, default) for key, default in ORGANISATION_DEFAULTS.items()}
    parent = None
    if entry.get("parent"):
        parent = Organisation.objects.filter(name=entry["parent"]).first()
        if parent is None:
            raise CommandError(f"Organisation {name!r}: its parent {entry['parent']!r} must come before it.")
    municipality = entry.get("municipality")
    values.update(
        name=name, legal_form=entry["legal_form"], parent=parent,
        municipality=one(Municipality, "municipality", name=municipality) if municipality else None,
        themes=[one(Theme, "theme", code=code) for code in entry.get("themes", [])],
        target_publics=[one(TargetPublic, "target public", code=code) for code in entry.get("target_publics", [])],
        last_verified_on=story.day(entry["verified"]) if "verified" in entry else None,
    )
    return values


def _part(model: type[Service] | type[Contact], entry: dict[str, Any]) -> dict[str, Any]:
    if model is Service:
        check_keys(f"service {entry.get('name')!r}", entry, SERVICE_KEYS)
        if entry.get("kind") not in ServiceKind.values:
            raise CommandError(f"Service {entry.get('name')!r}: unknown kind {entry.get('kind')!r}.")
        town = entry.get("municipality")
        return {"kind": entry["kind"], "capacity": entry.get("capacity"), "phone": entry.get("phone", ""),
                "municipality": one(Municipality, "municipality", name=town) if town else None,
                "is_public": entry.get("is_public", True)}
    check_keys(f"contact {entry.get('name')!r}", entry, CONTACT_KEYS)
    return {"function": entry.get("function", ""), "email": entry.get("email", ""), "phone": entry.get("phone", ""),
            "is_public": entry.get("is_public", False)}


def _save_parts(story: Story, officer: Actor, organisation: Organisation, entry: dict[str, Any]) -> None:
    """The organisation's services and contacts, saved through the service when new or changed."""
    for key, label, model in (("service", "Services", Service), ("contact", "Contacts", Contact)):
        for item in entry.get(key, []):
            values = _part(model, item)
            part = model._default_manager.filter(organisation=organisation, name=item["name"]).first()
            if part is not None and all(getattr(part, k) == v for k, v in values.items()):
                story.count(label, "unchanged")
                continue
            status = "created" if part is None else "updated"
            part = part or model(organisation=organisation, name=item["name"])
            for k, v in values.items():
                setattr(part, k, v)
            organisation_services.save_part(officer, organisation, part)
            story.count(label, status)


def flag_as_example(organisation: Organisation, is_example: bool) -> None:
    """The "example" flag of an organisation whose details were invented. Written to the model directly: the
    flag belongs to the demo, no service sets it."""
    if organisation.is_example != is_example:
        Organisation.objects.filter(pk=organisation.pk).update(is_example=is_example)


def _enter(story: Story, entry: dict[str, Any], officer: Actor | None) -> None:
    assert officer is not None
    values = _values(entry, story.today, story)
    verified = values.pop("last_verified_on")
    organisation = organisation_services.create_organisation(officer, values)
    flag_as_example(organisation, entry.get("is_example", False))
    _save_parts(story, officer, organisation, entry)
    if verified is not None:
        story.add(story.at(entry["verified"]), OFFICER, f"verification of {organisation.name}",
                  partial(_verify, organisation.pk))


def _verify(pk: int, officer: Actor | None) -> None:
    assert officer is not None
    organisation_services.mark_verified(officer, Organisation.objects.get(pk=pk))


def _restore(story: Story, entry: dict[str, Any], organisation: Organisation) -> None:
    """Loading again: what was changed since is set back, now, by the officer through the service."""
    values = _values(entry, story.today, story)
    before = snapshot(organisation, organisation_services.AUDITED)
    wanted = snapshot(Organisation(**{k: v for k, v in values.items() if k not in {"themes", "target_publics"}}),
                      organisation_services.ORGANISATION_FIELDS)
    wanted.update(themes=sorted(str(t.pk) for t in values["themes"]),
                  target_publics=sorted(str(p.pk) for p in values["target_publics"]))
    changed = {key: values[key] for key in wanted if wanted[key] != before.get(key)}
    officer = account(OFFICER)
    if changed:
        organisation_services.update_organisation(officer, organisation, changed)
    flag_as_example(organisation, entry.get("is_example", False))
    story.count("Organisations", "updated" if changed else "unchanged")
    _save_parts(story, officer, organisation, entry)


def load_organisations(story: Story, data: dict[str, Any], since: date) -> None:
    for n, entry in enumerate(data.get("organisation", [])):
        existing = Organisation.objects.filter(name=entry.get("name", "")).first()
        if existing is not None:
            _restore(story, entry, existing)
            continue
        # After the staff accounts of that morning, one a minute, parents before their departments.
        story.add(story.at(since.isoformat(), f"10:{n:02d}"), OFFICER, f"organisation {entry.get('name')!r}",
                  partial(_enter, story, entry))
        story.count("Organisations", "created")


# --- Accounts ------------------------------------------------------------------------------------------

def _provision(story: Story, entry: dict[str, Any], _system: Actor | None) -> None:
    email, role = entry["email"], entry.get("role", "")
    password = settings.DEMO_PASSWORD
    existing = User.objects.filter(email__iexact=email).first()
    # Set the password only when needed: setting it again would re-hash it and audit a change.
    needs_password = existing is None or not existing.check_password(password)
    user, created = account_services.provision_user(None, email, full_name=entry.get("full_name", ""),
                                                    password=password if needs_password else None)
    if role in PARTNER_ROLES:
        organisation = Organisation.objects.filter(name=entry.get("organisation", "")).first()
        if organisation is None:
            raise CommandError(f"User {email!r}: unknown organisation {entry.get('organisation')!r}.")
        organisation_services.add_membership(None, user, organisation, role)
    elif role:
        account_services.grant_role(None, user, role)
    label = "Users" if role else "Public demo accounts"
    story.count(label, "created" if created else ("updated" if needs_password else "unchanged"))
    if role in STAFF_ROLES:
        _set_up_demo_totp(story, user)


def _set_up_demo_totp(story: Story, user: User) -> None:
    """The staff account sets up its second factor with the published demo key, as a person would with an
    authenticator app: a pending device, confirmed with the app's current code."""
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True)
    if confirmed.exists():
        story.count("TOTP devices", "unchanged")
        if not confirmed.filter(key=DEMO_TOTP_KEY_HEX).exists():
            story.notes.append(f"{user.email} already has its own two-factor device: the demo key does not apply.")
        return
    device = account_services.pending_totp_device(user)
    use_demo_key(device)
    code = TOTP(DEMO_TOTP_KEY, step=DEMO_TOTP_STEP, t0=0, digits=DEMO_TOTP_DIGITS).token()
    if not account_services.confirm_totp_device(user, device, f"{code:0{DEMO_TOTP_DIGITS}d}"):
        raise CommandError(f"User {user.email!r}: the demo two-factor code was refused.")
    story.count("TOTP devices", "created")


def use_demo_key(device: TOTPDevice) -> None:
    """The pending device takes the published demo key instead of its random one (what scanning the demo's
    QR code does in a person's app). Written to the model directly: no service sets a chosen key."""
    device.name, device.key, device.step, device.digits = (DEMO_TOTP_DEVICE_NAME, DEMO_TOTP_KEY_HEX,
                                                           DEMO_TOTP_STEP, DEMO_TOTP_DIGITS)
    device.save(update_fields=["name", "key", "step", "digits"])


def load_accounts(story: Story, data: dict[str, Any], *, partners: bool) -> list[DemoAccount]:
    """Add the provisioning of the staff and public accounts (``partners=False``) or of the partners'."""
    accounts = []
    since = story.day(data["joined"])
    for n, entry in enumerate(data.get("account", [])):
        check_keys(f"user {entry.get('email')!r}", entry, ACCOUNT_KEYS)
        role = entry.get("role", "")
        if role and role not in Role.values:
            raise CommandError(f"User {entry['email']!r}: unknown role {role!r}.")
        if (role in PARTNER_ROLES) != partners:
            continue
        joined = story.day(entry["joined"]) if "joined" in entry else since
        # Staff accounts first thing that morning, partners once their organisation is entered. An account
        # that exists is provisioned again at the same moment: only what differs from the data changes.
        moment = story.at(joined.isoformat(), f"{11 if partners else 9}:{n:02d}")
        story.add(moment, "", f"account {entry['email']!r}", partial(_provision, story, entry))
        if role:
            accounts.append(DemoAccount(entry["email"], role, entry.get("organisation", "")))
    return accounts


def partner_admin_of(organisation: str) -> str:
    """The demo account that acts in the name of ``organisation`` (its first partner admin in accounts.toml)."""
    for entry in read("accounts.toml").get("account", []):
        if entry.get("role") == Role.PARTNER_ADMIN and entry.get("organisation") == organisation:
            return str(entry["email"])
    raise CommandError(f"The demo needs a partner admin account of {organisation!r} (accounts.toml).")


def load_directory(story: Story) -> list[DemoAccount]:
    """The reference data now; the accounts and organisations as acts of the story. Returns the accounts
    that have a role, for the summary."""
    directory, accounts = read("directory.toml"), read("accounts.toml")
    load_reference(story, directory)
    story.labels("Organisations", "Services", "Contacts", "Users", "TOTP devices", "Public demo accounts")
    staff = load_accounts(story, accounts, partners=False)
    load_organisations(story, directory, story.day(accounts["joined"]))
    partners = load_accounts(story, accounts, partners=True)
    return [*staff, *partners]
