"""Pages shared by the ministry and the partners: a convention and a yearly report (the selectors scope)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from subsidia.core.access import CONVENTION_VIEWERS, access

from . import money, selectors


@access(CONVENTION_VIEWERS)
@require_GET
def convention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    convention = get_object_or_404(selectors.conventions_visible_to(request.user), pk=pk)
    return render(request, "conventions/detail.html", {
        "convention": convention, "positions": money.positions(convention, timezone.localdate()),
    })


@access(CONVENTION_VIEWERS)
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)
    return render(request, "conventions/report.html", {"report": report, "convention": report.convention})
