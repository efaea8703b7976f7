"""Access policies named after the roles themselves, shared by the apps that serve those roles.

The role vocabulary belongs to accounts (see :mod:`subsidia.accounts.roles`); an app whose rule is
just "the officers" or "every partner" uses these, and declares its own policy in its own
``access.py`` when the rule is about its domain.
"""

from __future__ import annotations

from subsidia.core.access import roles

from .roles import PARTNER_ROLES, STAFF_ROLES, Role

PARTNERS = roles(*PARTNER_ROLES, name="partners")
PARTNER_ADMINS = roles(Role.PARTNER_ADMIN, name="partner_admins")
STAFF = roles(*STAFF_ROLES, name="staff")
OFFICERS = roles(Role.OFFICER, name="officers")
APPROVERS = roles(Role.APPROVER, name="approvers")
FINANCE = roles(Role.FINANCE, name="finance")
# The technical administrators: accounts, roles and second factors of other people.
ADMINS = roles(Role.ADMIN, name="admins")
