from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "subsidia.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from subsidia.core import availability

        from .errors import API_PREFIX, server_error

        # An error nobody handled answers the API's JSON 500 under /api/, never a page (core's handler500).
        availability.register_server_error(API_PREFIX, server_error)
