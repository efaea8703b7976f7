"""Periodic work run by the background worker (``subsidia run_huey``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import heads


@db_periodic_task(crontab(hour="0", minute="15"))
def export_audit_chain_head() -> str:
    """Every day: the audit chain's head to storage and to the auditors (see audit.heads)."""
    return heads.export_head()
