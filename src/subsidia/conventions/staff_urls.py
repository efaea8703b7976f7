"""The ministry's side of conventions (views_staff*.py); the list also serves the partners' own conventions."""

from django.urls import URLPattern, path

from . import views_staff, views_staff_payments, views_staff_reports

urlpatterns: list[URLPattern] = [
    path("", views_staff.convention_list, name="list"),
    path("nouvelle/", views_staff.convention_create, name="create"),
    path("<int:pk>/modifier/", views_staff.convention_edit, name="edit"),
    path("<int:pk>/supprimer/", views_staff.convention_delete, name="delete"),
    path("<int:pk>/signer/", views_staff.convention_sign, name="sign"),
    path("<int:pk>/avenant/", views_staff.convention_amend, name="amend"),
    path("<int:pk>/resilier/", views_staff.convention_terminate, name="terminate"),
    path("paiements/", views_staff_payments.payments, name="payments"),
    path("paiements/<int:pk>/payer/", views_staff_payments.payment_record, name="payment_record"),
    path("rapports/", views_staff_reports.reports, name="reports"),
    path("rapports/<int:pk>/examiner/", views_staff_reports.report_review, name="report_review"),
    path("organisations/<int:pk>/financements/", views_staff_payments.funding, name="funding"),
]
