"""The demo app: no models, only the story (``data/``), its loader and the ``load-demo`` command."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "subsidia.demo"
    label = "demo"
