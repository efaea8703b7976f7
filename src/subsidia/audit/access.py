"""Who may read the audit trail: internal control and the technical administrators."""

from __future__ import annotations

from subsidia.accounts.roles import Role
from subsidia.core.access import roles

AUDIT_READERS = roles(Role.AUDITOR, Role.ADMIN, name="audit_readers")
