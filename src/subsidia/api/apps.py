from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "subsidia.api"
    label = "api"
    verbose_name = "API"
