"""Reads on organisations, always scoped by the user who reads."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from subsidia.accounts.roles import ALL_ORGANISATIONS_ROLES, Role

from .models import (
    Contact,
    Membership,
    Organisation,
    OrganisationDocument,
    OrganisationDocumentQuerySet,
    Service,
)


def sees_all_organisations(user: Any) -> bool:
    return bool(user.is_authenticated and user.staff_roles & ALL_ORGANISATIONS_ROLES)


def manages_all_organisations(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.OFFICER, Role.ADMIN))


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """Organisations whose full record (members, documents, private contacts) the user may read."""
    organisations = Organisation.objects.select_related("municipality", "parent")
    if sees_all_organisations(user):
        return organisations
    if user.is_authenticated:
        return organisations.filter(memberships__user=user).distinct()
    return organisations.none()


def organisations_editable_by(user: Any) -> QuerySet[Organisation]:
    organisations = Organisation.objects.select_related("municipality", "parent")
    if manages_all_organisations(user):
        return organisations
    if user.is_authenticated:
        return organisations.filter(memberships__user=user, memberships__role=Role.PARTNER_ADMIN).distinct()
    return organisations.none()


def organisations_of_member(user: Any) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name").distinct()


def is_partner_admin_of(user: Any, organisation: Organisation) -> bool:
    return bool(
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation=organisation, role=Role.PARTNER_ADMIN).exists()
    )


def can_manage_members(user: Any, organisation: Organisation) -> bool:
    return manages_all_organisations(user) or is_partner_admin_of(user, organisation)


def organisations_readable_by(
    user: Any, *, q: str = "", theme: str = "", legal_form: str = "", municipality: str = ""
) -> QuerySet[Organisation]:
    """What ``user`` may read of organisations: the one visibility rule of the directory pages and of every API
    serialiser.

    Everyone reads the public directory: the listed organisations (``listed_in_directory``) with their public
    contacts and public services. Whoever reads an organisation's full record (:func:`organisations_visible_to`:
    the ministry's readers every organisation, partners their own) also reads it when it is unlisted, with its
    internal contacts and non-public services (e.g. a shelter and its capacity). Each organisation carries what
    may be shown of it in ``visible_contacts`` and ``visible_services``; read nothing else of them."""
    if sees_all_organisations(user):
        organisations = Organisation.objects.all()
        contacts, services = Contact.objects.all(), Service.objects.all()
    else:
        full_record = organisations_visible_to(user).values("pk")
        organisations = Organisation.objects.filter(Q(listed_in_directory=True) | Q(pk__in=full_record))
        contacts = Contact.objects.filter(Q(is_public=True) | Q(organisation__in=full_record))
        services = Service.objects.filter(Q(is_public=True) | Q(organisation__in=full_record))
    organisations = organisations.select_related("municipality").prefetch_related(
        "themes",
        Prefetch("contacts", queryset=contacts.order_by("name", "pk"), to_attr="visible_contacts"),
        Prefetch("services", queryset=services.select_related("municipality").order_by("name", "pk"),
                 to_attr="visible_services"),
    )
    if q:
        organisations = organisations.filter(
            Q(name__icontains=q) | Q(acronym__icontains=q) | Q(description__icontains=q)
        )
    if theme:
        organisations = organisations.filter(themes__code=theme)
    if legal_form:
        organisations = organisations.filter(legal_form=legal_form)
    if municipality:
        organisations = organisations.filter(
            Q(municipality__pk=municipality) | Q(services__municipality__pk=municipality)
        ) if municipality.isdigit() else organisations.none()
    return organisations.distinct().order_by("name")


def directory(
    *, q: str = "", theme: str = "", legal_form: str = "", municipality: str = ""
) -> QuerySet[Organisation]:
    """The public directory of competent bodies: what the public may read (:func:`organisations_readable_by`)."""
    return organisations_readable_by(AnonymousUser(), q=q, theme=theme, legal_form=legal_form,
                                     municipality=municipality)


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__email")


def documents_visible_to(user: Any) -> OrganisationDocumentQuerySet:
    return OrganisationDocument.objects.filter(organisation__in=organisations_visible_to(user)).select_related(
        "organisation"
    )
