"""Pages for the ministry's staff. (Work in progress: replaced by the full views.)"""

from django.http import Http404, HttpRequest, HttpResponse

from subsidia.core.access import SIGNED_IN, access


@access(SIGNED_IN)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
