from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "subsidia.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from . import reauth  # noqa: F401  (connects the sign-in signal)
