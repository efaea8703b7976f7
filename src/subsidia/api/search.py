"""The search API: the same public search as the page /recherche/ (see subsidia.search.selectors), for anyone.

``GET /search?q=…&type=…&page=…`` answers the total number of results and a page of them, best first; a
missing, blank or too long ``q`` answers 422."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from subsidia.core.access import PUBLIC
from subsidia.search import selectors

from .auth import PUBLIC_AUTH, api_access
from .schemas import ErrorOut
from .schemas_search import SearchFilters, SearchOut

router = Router(tags=["search"])

PER_PAGE = 20


@router.get("/search", auth=PUBLIC_AUTH, response={200: SearchOut, 401: ErrorOut, 422: ErrorOut})
@api_access(PUBLIC)
def search(request: HttpRequest, filters: Query[SearchFilters]) -> Any:
    """Good practices, FAQ questions, news, events, calls for projects and organisations of the directory that
    contain every word of ``q`` (accents, case, plurals and verb forms ignored), best first."""
    results = selectors.search(filters.q, kinds={filters.type} if filters.type else None, page=filters.page,
                               per_page=PER_PAGE)
    return {
        "total": results.total, "page": results.page, "per_page": results.per_page,
        "items": [{"kind": hit.kind, "kind_label": hit.kind_label, "title": hit.title,
                   "url": request.build_absolute_uri(hit.url), "snippet": str(hit.snippet_html), "date": hit.date}
                  for hit in results.hits],
    }
