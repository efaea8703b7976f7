"""Who may read conventions: the partner its own (the selector scopes them), and the ministry's readers."""

from __future__ import annotations

from subsidia.accounts.roles import PARTNER_ROLES, Role
from subsidia.core.access import roles

CONVENTION_VIEWERS = roles(*PARTNER_ROLES, Role.OFFICER, Role.APPROVER, Role.FINANCE, Role.AUDITOR, Role.ADMIN,
                           name="convention_viewers")
