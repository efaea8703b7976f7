"""The probes. The root URLconf serves them with the dashboard's pages under the ``core`` namespace."""

from django.urls import path

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
