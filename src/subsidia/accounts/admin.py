from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, RoleGrant, User
from .reauth import admin_writes_reauthenticated as _writes_reauthenticated


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    readonly_fields = ["granted_at", "granted_by"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "role_grants__role"]
    inlines = [RoleGrantInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("full_name", "preferred_language")}),
        (_("Accès"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]

    @_writes_reauthenticated
    def changeform_view(self, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().changeform_view(*args, **kwargs)

    @_writes_reauthenticated
    def delete_view(self, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().delete_view(*args, **kwargs)

    @_writes_reauthenticated
    def user_change_password(self, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().user_change_password(*args, **kwargs)

    @_writes_reauthenticated
    def changelist_view(self, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().changelist_view(*args, **kwargs)  # its "delete selected" action erases accounts


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["hint", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "hint", "created_at", "last_used_at"]
    search_fields = ["user__email", "name", "hint"]

    def has_add_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # tokens are issued with `subsidia issue-token`, which shows them once
