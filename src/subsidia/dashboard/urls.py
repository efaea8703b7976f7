"""The home page and the dashboards.

Their URL names stay in the ``core`` namespace (``core:home``, ``core:dashboard``, …) that every template
and redirect already uses: the root URLconf serves these patterns and core's probes under that one namespace.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/partenaire/", views.partner_dashboard, name="partner_dashboard"),
    path("tableau-de-bord/ministere/", views.staff_dashboard, name="staff_dashboard"),
]
