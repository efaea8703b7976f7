"""Who takes part in the dialogue: every partner (their organisations' series) and every member of
staff (the selector scopes what each sees)."""

from __future__ import annotations

from subsidia.accounts.roles import PARTNER_ROLES, STAFF_ROLES
from subsidia.core.access import roles

DIALOGUE_PARTICIPANTS = roles(*PARTNER_ROLES, *STAFF_ROLES, name="dialogue_participants")
