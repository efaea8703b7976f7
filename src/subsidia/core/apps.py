from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "subsidia.core"
    label = "core"
    verbose_name = "Subsidia"

    def ready(self) -> None:
        from . import bench, checks  # noqa: F401 - registers the deploy checks
