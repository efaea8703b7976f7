"""Pages of the grants: public calls, the partners' applications, and the ministry's work on them."""

from . import partner_urls, staff_urls

app_name = "grants"
urlpatterns = [*partner_urls.urlpatterns, *staff_urls.urlpatterns]
