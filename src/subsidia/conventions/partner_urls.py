"""Pages a partner and the ministry share: conventions, yearly reports (views.py, views_partner.py)."""

from django.urls import path

from . import views, views_partner

urlpatterns = [
    path("<int:pk>/", views.convention_detail, name="detail"),
    path("rapports/<int:pk>/", views.report_detail, name="report"),
    path("rapports/<int:pk>/documents/nouveau/", views_partner.report_document_add, name="report_document_add"),
    path("rapports/<int:pk>/documents/<int:document_pk>/", views.report_document, name="report_document"),
    path("rapports/<int:pk>/deposer/", views_partner.report_submit, name="report_submit"),
]
