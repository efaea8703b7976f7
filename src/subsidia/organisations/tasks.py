"""Periodic work run by the background worker (``subsidia run_huey``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="7", minute="0"))
def warn_about_expiring_documents() -> int:
    return services.send_document_expiry_warnings()
