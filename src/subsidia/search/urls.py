"""The public search page (the index: search/index.py)."""
from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
]
