from typing import Any

from django.contrib import admin
from django.http import HttpResponse

from subsidia.accounts.reauth import admin_writes_reauthenticated

from .models import (
    Contact,
    Membership,
    Municipality,
    Organisation,
    OrganisationDocument,
    Service,
    TargetPublic,
    Theme,
)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "legal_form", "municipality", "listed_in_directory", "last_verified_on"]
    list_filter = ["legal_form", "listed_in_directory", "themes", "municipality"]
    search_fields = ["name", "acronym", "register_number"]
    filter_horizontal = ["themes", "target_publics"]
    inlines = [ContactInline, ServiceInline, MembershipInline]

    @admin_writes_reauthenticated
    def changeform_view(self, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().changeform_view(*args, **kwargs)  # its members and their roles are changed here


@admin.register(OrganisationDocument)
class OrganisationDocumentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "title", "valid_until", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["organisation__name", "title"]
    readonly_fields = ["content_type", "size", "uploaded_by", "uploaded_at", "expiry_warning_sent_on"]


admin.site.register([Theme, TargetPublic, Municipality])
