from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "subsidia.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from subsidia.core import ratelimit

        from . import reauth  # noqa: F401  (connects the sign-in signal)
        from .models import ApiToken

        # The API's writes are counted per token owner (core knows no token model).
        ratelimit.register_bearer_owner(ApiToken.owner_id_of)
