"""Public call pages and the partners' side of applications (views_partner*.py)."""

from django.urls import path

from . import views_partner, views_partner_drafting, views_partner_report

urlpatterns = [
    path("appels/", views_partner.call_list, name="call_list"),
    path("appels/<int:pk>/", views_partner.call_detail, name="call_detail"),
    path("appels/<int:pk>/demande/", views_partner.application_create, name="application_create"),
    path("demandes/", views_partner.my_applications, name="my_applications"),
    path("demandes/<int:pk>/", views_partner.application_detail, name="application_detail"),
    path("demandes/<int:pk>/modifier/", views_partner_drafting.application_edit, name="application_edit"),
    path("demandes/<int:pk>/enregistrer/", views_partner_drafting.application_autosave, name="application_autosave"),
    path("demandes/<int:pk>/action/<str:name>/", views_partner.application_transition,
         name="application_transition"),
    path("demandes/<int:pk>/documents/", views_partner_drafting.document_add, name="document_add"),
    path("demandes/<int:pk>/documents/<int:document_pk>/", views_partner_drafting.document_download,
         name="document_download"),
    path("demandes/<int:pk>/rapport/", views_partner_report.final_report, name="final_report"),
    path("demandes/<int:pk>/decision.pdf", views_partner_report.decision_letter, name="decision_letter"),
]
