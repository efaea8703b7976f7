from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "subsidia.audit"
    label = "audit"
    verbose_name = _("Journal d'audit")

    def ready(self) -> None:
        from subsidia.core import auditing

        from .services import record, snapshot

        auditing.register(record, snapshot)
