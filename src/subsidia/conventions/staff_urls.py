"""The ministry's side of conventions (views_staff.py)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
