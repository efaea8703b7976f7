from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from subsidia.api.api import api
from subsidia.core.access import PUBLIC, access
from subsidia.organisations.urls import directory_urlpatterns

admin.site.site_header = "Subsidia — administration technique"
admin.site.site_title = "Subsidia"

urlpatterns = [
    path("", include("subsidia.core.urls")),
    path("compte/", include("subsidia.accounts.urls")),
    path("annuaire/", include((directory_urlpatterns, "directory"))),
    path("organisations/", include("subsidia.organisations.urls")),
    path("audit/", include("subsidia.audit.urls")),
    path("i18n/setlang/", access(PUBLIC)(set_language), name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
