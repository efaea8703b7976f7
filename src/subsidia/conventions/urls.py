"""Pages of the conventions: the partners' and the ministry's."""

from . import partner_urls, staff_urls

app_name = "conventions"
urlpatterns = [*partner_urls.urlpatterns, *staff_urls.urlpatterns]
