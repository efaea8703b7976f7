from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The home page and each role's dashboard: the one app that reads every domain, so that none of them,
    and not core, has to know the others."""

    name = "subsidia.dashboard"
    label = "dashboard"
    verbose_name = _("Tableaux de bord")
