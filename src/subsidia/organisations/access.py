"""Who may see, edit and manage organisations and their documents."""

from __future__ import annotations

from subsidia.accounts.roles import PARTNER_ROLES, Role
from subsidia.core.access import roles

ORGANISATION_MANAGERS = roles(Role.OFFICER, Role.ADMIN, name="organisation_managers")
ORGANISATION_READERS = roles(Role.OFFICER, Role.APPROVER, Role.FINANCE, Role.AUDITOR, Role.ADMIN,
                             name="organisation_readers")
# Partner admins edit their own organisation, officers any: the view scopes the object (404).
ORGANISATION_EDITORS = roles(Role.PARTNER_ADMIN, Role.OFFICER, Role.ADMIN, name="organisation_editors")
ORGANISATION_VIEWERS = roles(*PARTNER_ROLES, Role.OFFICER, Role.APPROVER, Role.FINANCE, Role.AUDITOR, Role.ADMIN,
                             name="organisation_viewers")
