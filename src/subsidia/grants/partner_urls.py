"""Public call pages and the partners' side of applications (owned by views_partner.py)."""

from django.urls import path

from . import views_partner

urlpatterns = [
    path("demandes/<int:pk>/", views_partner.application_detail, name="application_detail"),
]
