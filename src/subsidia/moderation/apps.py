from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "subsidia.moderation"
    label = "moderation"
    verbose_name = _("Modération des commentaires")
