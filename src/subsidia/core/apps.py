from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "subsidia.core"
    label = "core"
    verbose_name = "Subsidia"
