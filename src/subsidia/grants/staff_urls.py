"""The ministry's side: calls, the officers' queue, reviews, decisions, payments (views_staff*.py)."""

from django.urls import path

from . import views_staff, views_staff_decisions, views_staff_payments, views_staff_reviews

urlpatterns = [
    path("gestion/appels/", views_staff.call_manage_list, name="call_manage_list"),
    path("gestion/appels/nouveau/", views_staff.call_create, name="call_create"),
    path("gestion/appels/<int:pk>/modifier/", views_staff.call_edit, name="call_edit"),
    path("gestion/appels/<int:pk>/synthese/", views_staff_decisions.decision_summary, name="decision_summary"),
    path("gestion/demandes/", views_staff.queue, name="queue"),
    path("gestion/demandes/assigner/", views_staff.queue_assign, name="queue_assign"),
    path("gestion/evaluations/<int:pk>/retirer/", views_staff.review_unassign, name="review_unassign"),
    path("gestion/demandes/export.<str:fmt>/", views_staff.queue_export, name="queue_export"),
    path("gestion/demandes/<int:pk>/decision/", views_staff_decisions.decision_record, name="decision_record"),
    path("gestion/demandes/<int:pk>/decision/confirmer/", views_staff_decisions.decision_confirm,
         name="decision_confirm"),
    path("gestion/demandes/<int:pk>/decision/ecarter/", views_staff_decisions.decision_cancel, name="decision_cancel"),
    path("gestion/paiements/", views_staff_payments.payments, name="payments"),
    path("gestion/paiements/<int:pk>/payer/", views_staff_payments.payment_record, name="payment_record"),
    path("evaluations/", views_staff_reviews.my_reviews, name="my_reviews"),
    path("evaluations/<int:pk>/", views_staff_reviews.review, name="review"),
]
