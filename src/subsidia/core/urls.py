from django.urls import path

from . import health, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/partenaire/", views.partner_dashboard, name="partner_dashboard"),
    path("tableau-de-bord/ministere/", views.staff_dashboard, name="staff_dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
