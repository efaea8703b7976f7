"""The demo loader (`subsidia load-demo`) and the demo two-factor code (`subsidia demo-totp`)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from subsidia.accounts.management.commands.demo_totp import DEMO_TOTP_KEY_HEX
from subsidia.accounts.models import RoleGrant, User
from subsidia.accounts.roles import STAFF_ROLES, Role
from subsidia.audit.models import AuditEvent
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
    "finance@demo.subsidia.lu": Role.FINANCE,
    "moderator@demo.subsidia.lu": Role.MODERATOR,
    "auditor@demo.subsidia.lu": Role.AUDITOR,
    "admin@demo.subsidia.lu": Role.ADMIN,
}
PARTNER_ACCOUNTS = {
    "gestionnaire@demo.subsidia.lu": (Role.PARTNER_ADMIN, "Femmes en détresse"),
    "membre@demo.subsidia.lu": (Role.PARTNER_MEMBER, "Femmes en détresse"),
    "gestionnaire.asti@demo.subsidia.lu": (
        Role.PARTNER_ADMIN, "Association de soutien aux travailleurs immigrés"
    ),
}
COUNTED = [Theme, TargetPublic, Municipality, Organisation, Service, Contact, User, RoleGrant, Membership,
           TOTPDevice, AuditEvent]


@pytest.fixture(autouse=True)
def _fast_demo(settings: Settings) -> None:
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(**options: Any) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.mark.django_db
def test_load_demo_is_idempotent() -> None:
    load()
    first = counts()
    updated_at = dict(Organisation.objects.values_list("name", "updated_at"))
    password_hashes = dict(User.objects.values_list("email", "password"))
    load()
    assert counts() == first
    # A second run changes nothing: no row saved again, no password re-hashed, no audit event.
    assert dict(Organisation.objects.values_list("name", "updated_at")) == updated_at
    assert dict(User.objects.values_list("email", "password")) == password_hashes
    assert first["Organisation"] >= 21
    assert first["Theme"] == 8


@pytest.mark.django_db
def test_load_demo_restores_changed_data() -> None:
    load()
    Organisation.objects.filter(name="Femmes en détresse").update(website="https://changed.example.org")
    Organisation.objects.get(name="Rosa Lëtzebuerg").themes.clear()
    events = AuditEvent.objects.count()
    load()
    assert Organisation.objects.get(name="Femmes en détresse").website == "https://www.fed.lu"
    assert Organisation.objects.get(name="Rosa Lëtzebuerg").themes.count() == 3
    assert AuditEvent.objects.count() == events + 2


@pytest.mark.django_db
def test_mega_and_its_partners() -> None:
    load()
    mega = Organisation.objects.get(name="Ministère de l'Égalité des genres et de la Diversité")
    assert (mega.acronym, mega.legal_form, mega.website) == ("MEGA", LegalForm.ADMINISTRATION,
                                                            "https://mega.public.lu")
    assert mega.municipality is not None
    assert mega.municipality.name == "Luxembourg"
    for name, expected in MEGA_PARTNERS.items():
        organisation = Organisation.objects.get(name=name)
        assert expected <= set(organisation.themes.values_list("code", flat=True)), name
    assert Organisation.objects.get(name="Fondation Caritas Luxembourg").legal_form == LegalForm.FONDATION
    assert Organisation.objects.get(name="Croix-Rouge luxembourgeoise").legal_form == LegalForm.OTHER
    assert Organisation.objects.get(name="Rosa Lëtzebuerg").legal_form == LegalForm.ASBL


@pytest.mark.django_db
def test_department_of_integration_and_its_partners() -> None:
    load()
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


@pytest.mark.django_db
def test_examples_and_verification_dates() -> None:
    load()
    # Invented services and contacts only on organisations flagged as examples.
    assert not Service.objects.filter(organisation__is_example=False).exists()
    assert not Contact.objects.filter(organisation__is_example=False).exists()
    assert Contact.objects.filter(is_public=True).exists()
    assert Contact.objects.filter(is_public=False).exists()
    assert Service.objects.filter(kind="shelter", capacity__gt=0).exists()
    assert all("(exemple)" in name for name in Contact.objects.values_list("name", flat=True))
    # The officer dashboard has entries to verify: never verified, or more than a year ago.
    assert Organisation.objects.filter(last_verified_on__isnull=True).exists()
    from django.utils import timezone

    from subsidia.core.values import years_earlier

    year_ago = years_earlier(timezone.localdate())  # the dashboard's own rule (29 February included)
    assert Organisation.objects.filter(last_verified_on__lt=year_ago).exists()
    assert Organisation.objects.filter(last_verified_on__gte=year_ago).exists()


@pytest.mark.django_db
def test_demo_accounts(settings: Settings) -> None:
    load()
    for email, role in STAFF_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert role in user.roles, email
        assert user.check_password(settings.DEMO_PASSWORD), email
        assert user.requires_two_factor
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.key == DEMO_TOTP_KEY_HEX
    assert User.objects.get(email="admin@demo.subsidia.lu").is_superuser
    for email, (role, organisation) in PARTNER_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert user.roles == {role}, email
        assert user.check_password(settings.DEMO_PASSWORD), email
        assert Membership.objects.get(user=user).organisation.name == organisation
        assert not TOTPDevice.objects.filter(user=user).exists()
    assert set(STAFF_ACCOUNTS.values()) == STAFF_ROLES


@pytest.mark.django_db
def test_existing_totp_device_is_kept() -> None:
    user = User.objects.create_user("officer@demo.subsidia.lu", password=None)
    own = TOTPDevice.objects.create(user=user, name="Mon téléphone", confirmed=True)
    output = load()
    assert list(TOTPDevice.objects.filter(user=user)) == [own]
    assert "officer@demo.subsidia.lu already has its own two-factor device" in output


@pytest.mark.django_db
def test_summary_lists_accounts_password_and_secret(settings: Settings) -> None:
    output = load()
    for email in [*STAFF_ACCOUNTS, *PARTNER_ACCOUNTS]:
        assert email in output
    assert settings.DEMO_PASSWORD in output
    assert "ON2WE43JMRUWCLLEMVWW6LLUN52HAIJB" in output  # base32 of b"subsidia-demo-totp!!"


@pytest.mark.django_db
def test_load_demo_refuses_without_debug_unless_forced(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        load()
    assert not Organisation.objects.exists()
    load(force=True)
    assert Organisation.objects.exists()


def test_demo_totp_refuses_without_debug(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_demo_totp_code_signs_in_a_demo_staff_user() -> None:
    load()
    out = io.StringIO()
    call_command("demo_totp", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    device = TOTPDevice.objects.get(user__email="officer@demo.subsidia.lu", confirmed=True)
    assert device.verify_token(code)
