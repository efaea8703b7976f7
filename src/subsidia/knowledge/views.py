"""The public pages of the knowledge base: good practices (list with filters, detail, attachments), the FAQ
and the news (list, detail; the feeds are in feeds.py). The management pages are in views_staff.py.

Reads go through :mod:`subsidia.knowledge.selectors`: drafts answer 404 to the public; an archived good
practice is not listed but stays readable by its address, with a notice.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from subsidia.core.access import PUBLIC, access

from . import selectors
from .forms import GoodPracticeFilterForm, NewsFilterForm
from .models import PublicationState

PAGE_SIZE = 20


def event_url(event: Any) -> str | None:
    """The public page of an event, when the events app has it (and the event is published)."""
    if event is None or getattr(event, "status", "published") != "published":
        return None
    try:
        return reverse("events:detail", kwargs={"slug": event.slug})
    except NoReverseMatch:
        return None


# --- good practices ------------------------------------------------------------------------------

@access(PUBLIC)
@require_GET
def good_practice_list(request: HttpRequest) -> HttpResponse:
    form = GoodPracticeFilterForm(request.GET or None)
    practices = selectors.filter_good_practices(selectors.published_good_practices(), **form.filters())
    page = Paginator(practices.order_by("title", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledge/good_practice_list.html", {
        "form": form, "page": page, "query": request.GET.copy(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    })


@access(PUBLIC)
@require_GET
def good_practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    practice = get_object_or_404(selectors.good_practices_readable_by(request.user), slug=slug)
    return render(request, "knowledge/good_practice_detail.html", {
        "practice": practice, "attachments": practice.attachments.all(),
        "event_url": event_url(practice.event),
        "is_archived": practice.state == PublicationState.ARCHIVED,
        "is_draft": practice.state == PublicationState.DRAFT,
        "can_manage": selectors.is_officer(request.user),
    })


@access(PUBLIC)
@require_GET
def good_practice_attachment(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A good practice's document, served from the storage (never from a public media address)."""
    practice = get_object_or_404(selectors.good_practices_readable_by(request.user), slug=slug)
    attachment = get_object_or_404(practice.attachments, pk=pk)
    extension = attachment.file.name.rsplit(".", 1)[-1]
    filename = f"{slugify(attachment.title) or 'document'}.{extension}"
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=filename,
                        content_type=attachment.content_type)


# --- FAQ -----------------------------------------------------------------------------------------

@access(PUBLIC)
@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "knowledge/faq.html", {
        "topics": selectors.published_faq(), "can_manage": selectors.is_officer(request.user)})


# --- news ----------------------------------------------------------------------------------------

@access(PUBLIC)
@require_GET
def news_list(request: HttpRequest) -> HttpResponse:
    form = NewsFilterForm(request.GET or None)
    tag, issuer = "", None
    if form.is_valid():
        tag = form.cleaned_data.get("tag") or ""
        issuer = int(form.cleaned_data["issuer"]) if form.cleaned_data.get("issuer") else None
    news = selectors.published_news(tag=tag, issuer=issuer)
    page = Paginator(news, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledge/news_list.html", {
        "form": form, "page": page, "query": request.GET.copy(),
        "can_write": selectors.is_officer(request.user)
        or selectors.partner_admin_organisations(request.user).exists(),
    })


@access(PUBLIC)
@require_GET
def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(selectors.news_readable_by(request.user), slug=slug)
    return render(request, "knowledge/news_detail.html", {
        "item": item, "event_url": event_url(item.event),
        "is_published": item.state == PublicationState.PUBLISHED,
        "can_manage": selectors.news_managed_by(request.user).filter(pk=item.pk).exists(),
    })
