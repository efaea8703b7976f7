from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from subsidia.accounts.roles import STAFF_ROLES
from subsidia.audit.selectors import audit_events_visible_to
from subsidia.organisations import selectors as organisation_selectors
from subsidia.organisations.models import Organisation, OrganisationDocument, Theme

from .access import PARTNERS, PUBLIC, SIGNED_IN, STAFF, access


@access(PUBLIC)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    listed = Organisation.objects.filter(listed_in_directory=True)
    themes = Theme.objects.annotate(n=Count("organisations", filter=Q(organisations__listed_in_directory=True)))
    return render(request, "core/home.html", {
        "organisation_count": listed.count(),
        "themes": themes.filter(n__gt=0).order_by("name"),
    })


@access(SIGNED_IN)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Send each person to the dashboard of their role."""
    user = request.user
    if user.staff_roles & STAFF_ROLES:  # type: ignore[union-attr]
        return redirect("core:staff_dashboard")
    if user.is_partner:  # type: ignore[union-attr]
        return redirect("core:partner_dashboard")
    return redirect("core:home")


@access(PARTNERS)
@require_GET
def partner_dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    organisations = organisation_selectors.organisations_of_member(request.user).prefetch_related(
        "memberships__user", "documents"
    )
    documents = OrganisationDocument.objects.filter(organisation__in=organisations)
    return render(request, "core/partner_dashboard.html", {
        "organisations": organisations,
        "expiring": documents.expiring_within(settings.DOCUMENT_EXPIRY_WARNING_DAYS, today)
        .select_related("organisation"),
        "expired": documents.expired(today).select_related("organisation"),
    })


@access(STAFF)
@require_GET
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    organisations = organisation_selectors.organisations_visible_to(request.user)
    documents = organisation_selectors.documents_visible_to(request.user)
    stale = organisations.filter(listed_in_directory=True).filter(
        Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=today.replace(year=today.year - 1))
    )
    return render(request, "core/staff_dashboard.html", {
        "organisation_count": organisations.count(),
        "stale_entries": stale.order_by("last_verified_on", "name")[:10],
        "stale_count": stale.count(),
        "expiring": documents.expiring_within(settings.DOCUMENT_EXPIRY_WARNING_DAYS, today)[:10],
        "recent_events": audit_events_visible_to(request.user)[:10],
    })
