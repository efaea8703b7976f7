"""The technical administrator reads calls and applications here; changes go through the pages and the
API, whose services check the rules, keep the workflow and write the audit trail."""

from django.contrib import admin

from subsidia.core.admin import ReadOnlyAdmin

from .models import Application, Call


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
