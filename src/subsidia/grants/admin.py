"""The technical administrator reads calls and applications here; changes go through the pages and the
API, whose services check the rules, keep the workflow and write the audit trail."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Application, Call


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["title", "programme", "year", "opens_on", "closes_on", "budget", "committed", "is_published"]
    list_filter = ["year", "is_published"]
    search_fields = ["title", "programme"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "organisation", "call", "state", "requested_amount", "submitted_at"]
    list_filter = ["state", "call"]
    search_fields = ["reference", "title", "organisation__name"]
