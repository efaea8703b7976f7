"""The roles of Subsidia (the README's access section says what each may do). Staff roles are granted to a
user; partner roles are held through a Membership in one organisation. Anonymous visitors are the public.

The vocabulary stays here, not in core: it is this ministry's organisation chart (officers, approvers,
finance…), not platform machinery. Core's access policies hold role names as plain strings, and each app
that grants or checks a role imports it from here, one layer above core."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARTNER_MEMBER = "partner_member", _("Membre d'une organisation partenaire")
    PARTNER_ADMIN = "partner_admin", _("Gestionnaire d'une organisation partenaire")
    OFFICER = "officer", _("Agent gestionnaire")
    REVIEWER = "reviewer", _("Expert évaluateur")
    APPROVER = "approver", _("Ordonnateur")
    FINANCE = "finance", _("Service financier")
    MODERATOR = "moderator", _("Modérateur")
    AUDITOR = "auditor", _("Contrôle interne")
    ADMIN = "admin", _("Administrateur technique")


PARTNER_ROLES: frozenset[str] = frozenset({Role.PARTNER_MEMBER, Role.PARTNER_ADMIN})
STAFF_ROLES: frozenset[str] = frozenset(set(Role.values) - PARTNER_ROLES)
# Roles that see every organisation's records (the auditor reads, and never writes).
ALL_ORGANISATIONS_ROLES: frozenset[str] = frozenset({Role.OFFICER, Role.APPROVER, Role.FINANCE, Role.AUDITOR,
                                                     Role.ADMIN})
