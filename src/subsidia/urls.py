from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import include, path, reverse
from django.views.i18n import set_language

from subsidia.api.api import api
from subsidia.core import bench
from subsidia.core import urls as core_urls
from subsidia.core.access import PUBLIC, access
from subsidia.dashboard import urls as dashboard_urls
from subsidia.organisations.urls import directory_urlpatterns

admin.site.site_header = "Subsidia — administration technique"
admin.site.site_title = "Subsidia"



@access(PUBLIC)
def admin_login(request: HttpRequest) -> HttpResponseRedirect:
    """The technical admin signs in through the same page (and second factor) as everyone."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(reverse("accounts:login") + (f"?{query}" if query else ""))


urlpatterns = [
    *bench.urlpatterns(),  # none unless SUBSIDIA_BENCH=1 (make bench)
    # The home, the dashboards and the probes keep the names they had when core served them (core:home, …).
    path("", include((dashboard_urls.urlpatterns + core_urls.urlpatterns, "core"))),
    path("compte/", include("subsidia.accounts.urls")),
    path("annuaire/", include((directory_urlpatterns, "directory"))),
    path("organisations/", include("subsidia.organisations.urls")),
    path("audit/", include("subsidia.audit.urls")),
    path("subsides/", include("subsidia.grants.urls")),
    path("notifications/", include("subsidia.notifications.urls")),
    path("conventions/", include("subsidia.conventions.urls")),
    path("dialogue/", include("subsidia.dialogue.urls")),
    path("evenements/", include("subsidia.events.urls")),
    path("", include("subsidia.knowledge.urls")),
    path("commentaires/", include("subsidia.moderation.urls")),
    path("recherche/", include("subsidia.search.urls")),
    path("i18n/setlang/", access(PUBLIC)(set_language), name="set_language"),
    path("api/v1/", api.urls),
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
]

# A database error raised in a middleware answers 503, others Django's plain 500 page.
handler500 = "subsidia.core.availability.server_error"
# An unknown address answers the 404 page, or the API's JSON 404 under /api/.
handler404 = "subsidia.api.errors.page_not_found"
