"""The public search page: one box across good practices, FAQ, news, events, calls and the directory."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from subsidia.core.access import PUBLIC, access
from subsidia.core.forms import error_summary

from . import selectors
from .forms import SearchForm
from .models import SearchKind

PER_PAGE = 20


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "")
    if not (value.isascii() and value.isdigit()) or len(value) > 5:
        return 1
    return max(1, int(value))


# The public sections suggested when nothing is found: (label, URL names to try in turn).
SECTIONS = [
    (_lazy("Les bonnes pratiques"), ["knowledge:good_practice_list"]),
    (_lazy("Les questions fréquentes"), ["knowledge:faq"]),
    (_lazy("Les actualités"), ["knowledge:news_list"]),
    (_lazy("Les événements"), ["events:list"]),
    (_lazy("Les appels à projets"), ["grants:call_list"]),
    (_lazy("L'annuaire des organismes compétents"), ["directory:directory"]),
]


def _sections() -> list[dict[str, str]]:
    sections = []
    for label, names in SECTIONS:
        for name in names:
            try:
                sections.append({"label": str(label), "url": reverse(name)})
                break
            except NoReverseMatch:
                continue
    return sections


@access(PUBLIC)
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    results = None
    kind = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        kind = form.cleaned_data["type"] or ""
        if query:
            kinds = {kind} if kind else None
            results = selectors.search(query, kinds=kinds, page=_page_number(request), per_page=PER_PAGE)
            if results.page > results.num_pages:  # past the last page: show the last one
                results = selectors.search(query, kinds=kinds, page=results.num_pages, per_page=PER_PAGE)
    base = reverse("search:search")

    def link(**params: str | int) -> str:
        return base + "?" + urlencode({k: v for k, v in params.items() if v})

    filters = []
    if results is not None and results.terms:
        filters.append({"label": _("Tous les types"), "kind": "", "count": sum(results.counts_by_kind.values()),
                        "url": link(q=results.query), "current": not kind})
        for value, label in SearchKind.choices:
            filters.append({"label": label, "kind": value, "count": results.counts_by_kind.get(value, 0),
                            "url": link(q=results.query, type=value), "current": kind == value})
    pages = {}
    if results is not None and results.total:
        pages = {"previous": link(q=results.query, type=kind, page=results.page - 1) if results.has_previous else "",
                 "next": link(q=results.query, type=kind, page=results.page + 1) if results.has_next else ""}
    suggestions = [] if results is None else [
        {"word": word, "count": count, "url": link(q=word, type=kind)} for word, count in results.suggestions]
    status = 200 if form.is_valid() else 422
    return render(request, "search/search.html", {
        "form": form, "error_summary": error_summary(form), "sections": _sections(),
        "first_rank": (results.page - 1) * results.per_page + 1 if results is not None else 1,
        "results": results, "kind": kind, "kind_label": dict(SearchKind.choices).get(kind, ""),
        "filters": filters, "pages": pages, "suggestions": suggestions,
        "all_kinds_url": link(q=results.query) if results is not None else "",
    }, status=status)
