from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionsConfig(AppConfig):
    name = "subsidia.conventions"
    verbose_name = _("Conventions")
    label = "conventions"
