from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionsConfig(AppConfig):
    name = "subsidia.conventions"
    verbose_name = _("Conventions")
    label = "conventions"

    def ready(self) -> None:
        # Organisations and grants ask what conventions know (conventionnée, overlapping funding) without
        # importing this app, which builds on both: it answers here.
        from subsidia.grants import overlaps
        from subsidia.organisations import standing

        from . import selectors

        standing.register(standing.Standing(
            conventioned_organisations=selectors.conventioned_organisations,
            is_conventioned=selectors.is_conventioned,
            conventions_in_force_visible_to=selectors.conventions_in_force_visible_to,
        ))
        overlaps.register(lambda user, application: selectors.overlaps_for_application(application)
                          if selectors.sees_all_conventions(user) else [])
