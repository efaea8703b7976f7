from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "subsidia.dialogue"
    label = "dialogue"
    verbose_name = _("Dialogue avec les partenaires")
