"""The ministry's side: calls, the officers' queue, reviews, decisions, payments (views_staff.py)."""

from django.urls import path

from . import views_staff

urlpatterns = [
    path("evaluations/<int:pk>/", views_staff.review, name="review"),
]
