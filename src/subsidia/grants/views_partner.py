"""Pages for the public and the partners. (Work in progress: replaced by the full views.)"""

from django.http import Http404, HttpRequest, HttpResponse

from subsidia.core.access import SIGNED_IN, access


@access(SIGNED_IN)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
