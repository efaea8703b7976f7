"""The smoke test of the demo: ``subsidia load-demo`` is loaded once for the module (it is the most expensive
fixture of the suite), then every fact the demo must show is checked on it: the README's promises (its
"Demo accounts" section and the paragraph after it), the directory and the accounts, and the story of each
domain. Each test runs in a savepoint of the loaded demo, so what one test changes (loading again, a changed
website) is gone for the next."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoDbBlocker, Settings

from subsidia.accounts.management.commands.demo_totp import DEMO_TOTP_KEY_HEX, DEMO_TOTP_SECRET_B32
from subsidia.accounts.models import RoleGrant, User
from subsidia.accounts.roles import STAFF_ROLES, Role
from subsidia.audit.models import AuditEvent
from subsidia.core.values import years_earlier
from subsidia.organisations.models import (
    Contact,
    LegalForm,
    Membership,
    Municipality,
    Organisation,
    Service,
    TargetPublic,
    Theme,
)

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
README = Path(django_settings.BASE_DIR) / "README.md"

MEGA = "Ministère de l'Égalité des genres et de la Diversité"
MEGA_PARTNERS = {
    "Fondation Caritas Luxembourg": {"trafficking"},
    "CID Fraen an Gender": {"discrimination-sex", "gender-equality"},
    "Centre d'information gay et lesbien": {"sexual-orientation", "gender-identity", "sex-characteristics"},
    "Conseil national des femmes du Luxembourg": {"discrimination-sex", "gender-equality"},
    "Croix-Rouge luxembourgeoise": {"domestic-violence"},
    "Femmes en détresse": {"domestic-violence", "trafficking"},
    "Fondation Maison de la Porte Ouverte": {"domestic-violence", "trafficking"},
    "Fondation Pro Familia": {"domestic-violence"},
    "InfoMann – Act Together": {"domestic-violence"},  # noqa: RUF001 - the organisation's name
    "Initiativ Rem Schaffen": {"domestic-violence"},
    "Rosa Lëtzebuerg": {"sexual-orientation", "gender-identity", "sex-characteristics"},
}
INTEGRATION_PARTNERS = [
    "Association de soutien aux travailleurs immigrés",
    "Comité de liaison des associations d'étrangers",
    "Centre d'étude et de formation interculturelles et sociales",
    "Fondation Caritas Luxembourg",
]
STAFF_ACCOUNTS = {
    "officer@demo.subsidia.lu": Role.OFFICER,
    "reviewer@demo.subsidia.lu": Role.REVIEWER,
    "approver@demo.subsidia.lu": Role.APPROVER,
    "approver2@demo.subsidia.lu": Role.APPROVER,
    "finance@demo.subsidia.lu": Role.FINANCE,
    "moderator@demo.subsidia.lu": Role.MODERATOR,
    "auditor@demo.subsidia.lu": Role.AUDITOR,
    "admin@demo.subsidia.lu": Role.ADMIN,
}
PARTNER_ACCOUNTS = {
    "gestionnaire@demo.subsidia.lu": (Role.PARTNER_ADMIN, "Femmes en détresse"),
    "membre@demo.subsidia.lu": (Role.PARTNER_MEMBER, "Femmes en détresse"),
    "gestionnaire.asti@demo.subsidia.lu": (Role.PARTNER_ADMIN, "Association de soutien aux travailleurs immigrés"),
}
# What a second load must leave as it is.
COUNTED: list[type[models.Model]] = [
    Theme, TargetPublic, Municipality, Organisation, Service, Contact, User, RoleGrant, Membership, TOTPDevice,
    AuditEvent,
]


@dataclass(frozen=True)
class Loaded:
    output: str
    media: Path


def load(**options: Any) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The demo, loaded once for the module with DEBUG off (``--force``), in a transaction rolled back at the
    end; its files in a media directory of its own."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS,
                                                        DEBUG=False), transaction.atomic():
        yield Loaded(load(force=True), media)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings, demo: Loaded) -> None:
    """Instead of the suite's own: the media directory stays the demo's, where its documents and photos are."""
    settings.MEDIA_ROOT = demo.media
    settings.PASSWORD_HASHERS = FAST_HASHERS
    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()


# --- The command ---------------------------------------------------------------------------------------

def test_loading_again_changes_nothing() -> None:
    first = counts()
    updated_at = dict(Organisation.objects.values_list("name", "updated_at"))
    password_hashes = dict(User.objects.values_list("email", "password"))
    load(force=True)
    assert counts() == first
    # A second run changes nothing: no row saved again, no password re-hashed, no audit event.
    assert dict(Organisation.objects.values_list("name", "updated_at")) == updated_at
    assert dict(User.objects.values_list("email", "password")) == password_hashes
    assert first["Organisation"] >= 21
    assert first["Theme"] == 8


def test_loading_again_restores_changed_data() -> None:
    Organisation.objects.filter(name="Femmes en détresse").update(website="https://changed.example.org")
    Organisation.objects.get(name="Rosa Lëtzebuerg").themes.clear()
    events = AuditEvent.objects.count()
    load(force=True)
    assert Organisation.objects.get(name="Femmes en détresse").website == "https://www.fed.lu"
    assert Organisation.objects.get(name="Rosa Lëtzebuerg").themes.count() == 3
    assert AuditEvent.objects.count() == events + 2


def test_refused_without_debug_unless_forced(settings: Settings) -> None:
    # The module's demo itself was loaded with DEBUG off and --force.
    settings.DEBUG = False
    before = counts()
    with pytest.raises(CommandError, match="DEBUG"):
        load()
    assert counts() == before


def test_an_existing_totp_device_is_kept() -> None:
    user = User.objects.get(email="officer@demo.subsidia.lu")
    TOTPDevice.objects.filter(user=user).delete()
    own = TOTPDevice.objects.create(user=user, name="Mon téléphone", confirmed=True)
    output = load(force=True)
    assert list(TOTPDevice.objects.filter(user=user)) == [own]
    assert "officer@demo.subsidia.lu already has its own two-factor device" in output


def test_the_summary_lists_accounts_password_and_secret(demo: Loaded) -> None:
    for email in [*STAFF_ACCOUNTS, *PARTNER_ACCOUNTS]:
        assert email in demo.output
    assert django_settings.DEMO_PASSWORD in demo.output
    assert "ON2WE43JMRUWCLLEMVWW6LLUN52HAIJB" in demo.output  # base32 of b"subsidia-demo-totp!!"


def test_demo_totp_refuses_without_debug(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_demo_totp_code_signs_in_a_demo_staff_user(settings: Settings) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_totp", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    device = TOTPDevice.objects.get(user__email="officer@demo.subsidia.lu", confirmed=True)
    assert device.verify_token(code)


# --- The README's promises and the accounts --------------------------------------------------------------

def test_the_readme_demo_accounts() -> None:
    """Every account of the README's table signs in with the README's password; the README's secret is the
    demo staff accounts' two-factor key."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Demo accounts", 1)[1].split("\n## ", 1)[0]
    password = re.search(r"password \*\*`([^`]+)`\*\*", section)
    assert password is not None and password.group(1) == django_settings.DEMO_PASSWORD
    table = dict(re.findall(r"^\| `([^`]+@demo\.subsidia\.lu)` \| ([^|]+) \|$", section, re.MULTILINE))
    assert set(table) == {*STAFF_ACCOUNTS, *PARTNER_ACCOUNTS}
    for email, role in table.items():
        user = User.objects.get(email=email)
        assert user.check_password(django_settings.DEMO_PASSWORD), email
        if email in PARTNER_ACCOUNTS:
            organisation = Organisation.objects.get(name=PARTNER_ACCOUNTS[email][1])
            assert organisation.name in role or organisation.acronym in role, email
            assert not user.requires_two_factor, email
        else:
            assert user.requires_two_factor, email
    assert f"`{DEMO_TOTP_SECRET_B32}`" in section


def test_the_demo_accounts() -> None:
    for email, role in STAFF_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert role in user.roles, email
        assert user.check_password(django_settings.DEMO_PASSWORD), email
        assert user.requires_two_factor
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.key == DEMO_TOTP_KEY_HEX
    assert User.objects.get(email="admin@demo.subsidia.lu").is_superuser
    for email, (role, organisation) in PARTNER_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert user.roles == {role}, email
        assert user.check_password(django_settings.DEMO_PASSWORD), email
        assert Membership.objects.get(user=user).organisation.name == organisation
        assert not TOTPDevice.objects.filter(user=user).exists()
    assert set(STAFF_ACCOUNTS.values()) == STAFF_ROLES


# --- The directory ---------------------------------------------------------------------------------------

def test_the_mega_and_its_partners() -> None:
    mega = Organisation.objects.get(name=MEGA)
    assert (mega.acronym, mega.legal_form, mega.website) == ("MEGA", LegalForm.ADMINISTRATION, "https://mega.public.lu")
    assert mega.municipality is not None
    assert mega.municipality.name == "Luxembourg"
    for name, expected in MEGA_PARTNERS.items():
        organisation = Organisation.objects.get(name=name)
        assert expected <= set(organisation.themes.values_list("code", flat=True)), name
    assert Organisation.objects.get(name="Fondation Caritas Luxembourg").legal_form == LegalForm.FONDATION
    assert Organisation.objects.get(name="Croix-Rouge luxembourgeoise").legal_form == LegalForm.OTHER
    assert Organisation.objects.get(name="Rosa Lëtzebuerg").legal_form == LegalForm.ASBL


def test_the_department_of_integration_and_its_partners() -> None:
    department = Organisation.objects.get(name="Département de l'intégration")
    assert department.parent is not None
    assert department.parent.name == "Ministère de la Famille, de l'Intégration et à la Grande Région"
    assert department.parent.legal_form == LegalForm.ADMINISTRATION
    integration = Theme.objects.get(code="integration")
    for name in INTEGRATION_PARTNERS:
        assert integration.organisations.filter(name=name).exists(), name
    assert Organisation.objects.filter(name__icontains="Caritas").count() == 1
    communes = Organisation.objects.filter(legal_form=LegalForm.COMMUNE, themes=integration)
    assert set(communes.values_list("name", flat=True)) >= {
        "Ville de Luxembourg", "Ville d'Esch-sur-Alzette", "Commune de Mersch", "Ville de Differdange",
    }
    assert Municipality.objects.get(name="Ettelbruck").canton == "Diekirch"


def test_examples_and_verification_dates() -> None:
    # Invented services and contacts only on organisations flagged as examples.
    assert not Service.objects.filter(organisation__is_example=False).exists()
    assert not Contact.objects.filter(organisation__is_example=False).exists()
    assert Contact.objects.filter(is_public=True).exists()
    assert Contact.objects.filter(is_public=False).exists()
    assert Service.objects.filter(kind="shelter", capacity__gt=0).exists()
    assert all("(exemple)" in name for name in Contact.objects.values_list("name", flat=True))
    # The officer dashboard has entries to verify: never verified, or more than a year ago.
    assert Organisation.objects.filter(last_verified_on__isnull=True).exists()
    year_ago = years_earlier(timezone.localdate())  # the dashboard's own rule (29 February included)
    assert Organisation.objects.filter(last_verified_on__lt=year_ago).exists()
    assert Organisation.objects.filter(last_verified_on__gte=year_ago).exists()
    # Checked by the officer on that day, through the service (audited).
    verified = AuditEvent.objects.filter(action="organisation.verify", actor__email="officer@demo.subsidia.lu")
    assert verified.count() == Organisation.objects.filter(last_verified_on__isnull=False).count()
