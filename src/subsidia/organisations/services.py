"""Writes on organisations: every change is permission-checked, atomic and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import PARTNER_ROLES, Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.uploads import DOCUMENTS, check_upload, store

from . import selectors
from .models import Contact, LegalForm, Membership, Organisation, OrganisationDocument, Service, Theme

ORGANISATION_FIELDS = [
    "name", "acronym", "legal_form", "register_number", "parent", "description", "street", "postal_code",
    "municipality", "country", "website", "email", "phone", "listed_in_directory", "last_verified_on",
]
# Fields a partner admin may change on its own organisation; the rest is the ministry's.
PARTNER_EDITABLE_FIELDS = {
    "acronym", "description", "street", "postal_code", "municipality", "website", "email", "phone",
    "themes", "target_publics",
}
AUDITED = [*ORGANISATION_FIELDS, "themes", "target_publics"]


def _require_manager(actor: Actor) -> None:
    if not selectors.manages_all_organisations(actor):
        raise PermissionDenied.single("forbidden", _("Seul un agent gestionnaire peut faire cela."))


def _validate(data: dict[str, Any], *, instance: Organisation | None = None) -> None:
    problems = []
    name = data.get("name", instance.name if instance else "")
    if not (name or "").strip():
        problems.append(Violation("required", _("Le nom est obligatoire."), "name"))
    elif (
        Organisation.objects.filter(name__iexact=name.strip())
        .exclude(pk__in=[instance.pk] if instance else [])
        .exists()
    ):
        problems.append(Violation("duplicate", _("Une organisation porte déjà ce nom."), "name"))
    legal_form = data.get("legal_form", instance.legal_form if instance else None)
    if legal_form not in LegalForm.values:
        problems.append(Violation("invalid_choice", _("Forme juridique inconnue : %(v)s.") % {"v": legal_form},
                                  "legal_form"))
    if problems:
        raise RuleViolation(problems)


def _apply(organisation: Organisation, data: dict[str, Any]) -> None:
    m2m = {}
    for key, value in data.items():
        if key in {"themes", "target_publics"}:
            m2m[key] = value
        elif key in ORGANISATION_FIELDS:
            setattr(organisation, key, value.strip() if isinstance(value, str) else value)
    try:
        organisation.full_clean(exclude=["themes", "target_publics"], validate_unique=False)
    except ValidationError as exc:
        raise RuleViolation(
            Violation("invalid", str(message), None if field == "__all__" else field)
            for field, messages in exc.message_dict.items()
            for message in messages
        ) from exc
    organisation.save()
    for key, value in m2m.items():
        getattr(organisation, key).set(value)


@transaction.atomic
def create_organisation(actor: Actor, data: dict[str, Any]) -> Organisation:
    _require_manager(actor)
    _validate(data)
    organisation = Organisation()
    _apply(organisation, data)
    record(actor, "organisation.create", organisation, after=snapshot(organisation, AUDITED))
    return organisation


@transaction.atomic
def update_organisation(actor: Actor, organisation: Organisation, data: dict[str, Any]) -> Organisation:
    if not selectors.organisations_editable_by(actor).filter(pk=organisation.pk).exists():
        raise NotFound.single("not_found", _("Organisation introuvable."))
    if not selectors.manages_all_organisations(actor):
        refused = sorted(set(data) - PARTNER_EDITABLE_FIELDS)
        if refused:
            raise PermissionDenied(
                Violation("forbidden_field", _("Ce champ est géré par le ministère."), field) for field in refused
            )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = snapshot(organisation, AUDITED)
    _validate(data, instance=organisation)
    _apply(organisation, data)
    after = snapshot(organisation, AUDITED)
    if after != before:
        record(actor, "organisation.update", organisation, before=before, after=after)
    return organisation


@transaction.atomic
def mark_verified(actor: Actor, organisation: Organisation, on: date | None = None) -> Organisation:
    """An officer confirms that a directory entry is up to date."""
    _require_manager(actor)
    before = snapshot(organisation, ["last_verified_on"])
    organisation.last_verified_on = on or timezone.localdate()
    organisation.save(update_fields=["last_verified_on", "updated_at"])
    record(actor, "organisation.verify", organisation, before=before,
           after=snapshot(organisation, ["last_verified_on"]))
    return organisation


def _require_editor(actor: Actor, organisation: Organisation) -> None:
    if not selectors.organisations_editable_by(actor).filter(pk=organisation.pk).exists():
        raise NotFound.single("not_found", _("Organisation introuvable."))


@transaction.atomic
def save_part(actor: Actor, organisation: Organisation, part: Contact | Service) -> Contact | Service:
    """Create or update a contact or a service of an organisation the actor may edit, audited."""
    _require_editor(actor, organisation)
    name = part._meta.model_name
    before = None if part.pk is None else snapshot(type(part).objects.get(pk=part.pk))
    part.organisation = organisation
    part.save()
    record(actor, f"{name}.{'create' if before is None else 'update'}", part, before=before, after=snapshot(part))
    return part


@transaction.atomic
def save_contact(actor: Actor, organisation: Organisation, contact: Contact) -> Contact:
    save_part(actor, organisation, contact)
    return contact


@transaction.atomic
def delete_contact(actor: Actor, contact: Contact) -> None:
    _require_editor(actor, contact.organisation)
    record(actor, "contact.delete", contact, before=snapshot(contact))
    contact.delete()


@transaction.atomic
def save_service(actor: Actor, organisation: Organisation, service: Service) -> Service:
    save_part(actor, organisation, service)
    return service


@transaction.atomic
def add_document(
    actor: Actor, organisation: Organisation, *, kind: str, upload: Any, title: str = "",
    valid_from: date | None = None, valid_until: date | None = None,
) -> OrganisationDocument:
    """Store a new document version (earlier versions are kept)."""
    _require_editor(actor, organisation)
    if valid_from and valid_until and valid_until < valid_from:
        raise RuleViolation.single("dates_invalid", _("La fin de validité précède son début."), "valid_until")
    checked = check_upload(upload, DOCUMENTS)
    document = OrganisationDocument(
        organisation=organisation, kind=kind, title=title, content_type=checked.content_type, size=checked.size,
        valid_from=valid_from, valid_until=valid_until, uploaded_by=actor,
    )
    store(document, checked, f"{kind}.{checked.extension}")
    record(actor, "document.add", document, after=snapshot(document, ["organisation", "kind", "title", "file",
                                                                      "valid_from", "valid_until", "size"]))
    return document


# --- Members ------------------------------------------------------------------------------------

def _invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _send_invitation(user_id: int, organisation_id: int, inviter_name: str) -> None:
    user = User.objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    with translation.override(user.preferred_language):
        context = {
            "user": user, "organisation": organisation, "inviter": inviter_name,
            "link": _invitation_link(user) if not user.has_usable_password() else settings.SITE_URL
            + reverse("accounts:login"),
        }
        send_mail(
            subject=_("Invitation à rejoindre %(org)s sur Subsidia") % {"org": organisation.name},
            message=render_to_string("organisations/email/invitation.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )


@transaction.atomic
def invite_member(
    actor: Actor, organisation: Organisation, *, email: str, role: str = Role.PARTNER_MEMBER, full_name: str = ""
) -> Membership:
    """A partner admin (or an officer) adds a person to the organisation and e-mails an invitation."""
    if not selectors.can_manage_members(actor, organisation):
        raise NotFound.single("not_found", _("Organisation introuvable."))
    if role not in PARTNER_ROLES:
        raise RuleViolation.single("unknown_role", _("Rôle inconnu : %(role)s") % {"role": role}, "role")
    email = User.objects.normalize_email(email.strip()).lower()
    if not email or "@" not in email:
        raise RuleViolation.single("invalid_email", _("Saisissez une adresse e-mail valide."), "email")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
        record(actor, "user.create", user, after={"email": email, "via": "invitation"})
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise RuleViolation.single("already_member", _("Cette personne est déjà membre de l'organisation."),
                                   "email")
    membership = Membership.objects.create(user=user, organisation=organisation, role=role, invited_by=actor)
    record(actor, "membership.create", membership, after=snapshot(membership, ["user", "organisation", "role"]))
    inviter = actor.get_full_name()
    transaction.on_commit(lambda: _send_invitation(user.pk, organisation.pk, inviter))
    return membership


def _admins_left_after(membership: Membership) -> int:
    return (
        Membership.objects.filter(organisation=membership.organisation, role=Role.PARTNER_ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def remove_member(actor: Actor, membership: Membership) -> None:
    organisation = membership.organisation
    if not selectors.can_manage_members(actor, organisation):
        raise NotFound.single("not_found", _("Membre introuvable."))
    # Lock the organisation's memberships so two admins cannot remove each other at once.
    list(Membership.objects.select_for_update().filter(organisation=organisation))
    if membership.role == Role.PARTNER_ADMIN and _admins_left_after(membership) == 0:
        raise RuleViolation.single(
            "last_admin", _("L'organisation doit garder au moins un gestionnaire."), "membership"
        )
    record(actor, "membership.delete", membership, before=snapshot(membership, ["user", "organisation", "role"]))
    membership.delete()


@transaction.atomic
def change_member_role(actor: Actor, membership: Membership, role: str) -> Membership:
    if not selectors.can_manage_members(actor, membership.organisation):
        raise NotFound.single("not_found", _("Membre introuvable."))
    if role not in PARTNER_ROLES:
        raise RuleViolation.single("unknown_role", _("Rôle inconnu : %(role)s") % {"role": role}, "role")
    list(Membership.objects.select_for_update().filter(organisation=membership.organisation))
    if membership.role == Role.PARTNER_ADMIN and role != Role.PARTNER_ADMIN and _admins_left_after(membership) == 0:
        raise RuleViolation.single("last_admin", _("L'organisation doit garder au moins un gestionnaire."), "role")
    before = snapshot(membership, ["role"])
    membership.role = role
    membership.save(update_fields=["role"])
    record(actor, "membership.update", membership, before=before, after=snapshot(membership, ["role"]))
    return membership


@transaction.atomic
def add_membership(actor: Actor | None, user: User, organisation: Organisation, role: str) -> Membership:
    """Operators' provisioning (CLI): idempotent, sets the role if the membership exists."""
    if not (actor is None or selectors.manages_all_organisations(actor)):
        raise PermissionDenied.single("forbidden", _("Seul un agent gestionnaire peut faire cela."))
    if role not in PARTNER_ROLES:
        raise RuleViolation.single("unknown_role", _("Rôle inconnu : %(role)s") % {"role": role}, "role")
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if created:
        record(actor, "membership.create", membership, after=snapshot(membership, ["user", "organisation", "role"]))
    elif membership.role != role:
        before = snapshot(membership, ["role"])
        membership.role = role
        membership.save(update_fields=["role"])
        record(actor, "membership.update", membership, before=before, after=snapshot(membership, ["role"]))
    user.__dict__.pop("partner_roles", None)
    return membership


def ensure_themes(codes_and_names: dict[str, str]) -> list[Theme]:
    return [Theme.objects.update_or_create(code=code, defaults={"name": name})[0]
            for code, name in codes_and_names.items()]


# --- Expiry warnings (run by the background worker) --------------------------------------------

def send_document_expiry_warnings(today: date | None = None) -> int:
    """E-mail partner admins and officers about documents that expire soon; once per document."""
    today = today or timezone.localdate()
    due = (
        OrganisationDocument.objects.expiring_within(settings.DOCUMENT_EXPIRY_WARNING_DAYS, today)
        .filter(expiry_warning_sent_on__isnull=True)
        .select_related("organisation")
    )
    officers = list(
        User.objects.filter(role_grants__role=Role.OFFICER, is_active=True).values_list("email", flat=True)
    )
    sent = 0
    for document in due:
        with transaction.atomic():
            claimed = OrganisationDocument.objects.filter(
                pk=document.pk, expiry_warning_sent_on__isnull=True
            ).update(expiry_warning_sent_on=today)
            if not claimed:  # another worker took it
                continue
            admins = list(
                Membership.objects.filter(organisation=document.organisation, role=Role.PARTNER_ADMIN,
                                          user__is_active=True).values_list("user__email", flat=True)
            )
            recipients = sorted(set(admins) | set(officers))
            if not recipients:
                continue
            context = {"document": document, "organisation": document.organisation, "site_url": settings.SITE_URL}
            send_mail(
                subject=_("Un document de %(org)s expire le %(date)s")
                % {"org": document.organisation.name, "date": document.valid_until.strftime("%d/%m/%Y")
                   if document.valid_until else ""},
                message=render_to_string("organisations/email/document_expiry.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
            sent += 1
    return sent
