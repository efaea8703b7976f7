"""Pages a partner and the ministry share: conventions, yearly reports (views.py, views_partner.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.convention_detail, name="detail"),
    path("rapports/<int:pk>/", views.report_detail, name="report"),
]
