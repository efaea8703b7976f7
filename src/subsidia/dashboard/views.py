"""The home page and the role dashboards: each gathers what several domains have for one person, which
is why it lives above them all (core and the domain apps never import this app)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from subsidia.accounts.access import PARTNERS, STAFF
from subsidia.accounts.roles import STAFF_ROLES
from subsidia.audit.selectors import audit_events_visible_to
from subsidia.conventions import selectors as convention_selectors
from subsidia.conventions.models import ReportStatus
from subsidia.core.access import PUBLIC, SIGNED_IN, access
from subsidia.core.values import years_earlier
from subsidia.dialogue import selectors as dialogue_selectors
from subsidia.dialogue.models import MeetingStatus
from subsidia.events import selectors as event_selectors
from subsidia.knowledge import selectors as knowledge_selectors
from subsidia.organisations import selectors as organisation_selectors
from subsidia.organisations.models import Organisation, OrganisationDocument, Theme


@access(PUBLIC)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    listed = Organisation.objects.filter(listed_in_directory=True)
    themes = Theme.objects.annotate(n=Count("organisations", filter=Q(organisations__listed_in_directory=True)))
    now = timezone.now()
    return render(request, "dashboard/home.html", {
        "organisation_count": listed.count(),
        "themes": themes.filter(n__gt=0).order_by("name"),
        "upcoming_events": event_selectors.published_events().filter(ends_at__gte=now)
        .order_by("starts_at", "pk")[:3],
        "latest_news": knowledge_selectors.published_news()[:3],
        "good_practice_count": knowledge_selectors.published_good_practices().count(),
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
    user = request.user
    conventions = convention_selectors.conventions_visible_to(user).order_by("organisation__name", "-starts_on")
    # Reports of the years already begun: the current year's are due next spring, later ones are not shown yet.
    open_reports = [ReportStatus.EXPECTED, ReportStatus.RETURNED]
    reports = (convention_selectors.reports_visible_to(user)
               .filter(status__in=open_reports, year__lte=today.year)
               .order_by("due_on", "convention__reference", "kind"))
    meetings = (dialogue_selectors.meetings_visible_to(user)
                .filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now()).order_by("starts_at")[:5])
    return render(request, "dashboard/partner_dashboard.html", {
        "organisations": organisations,
        "expiring": documents.expiring_within(settings.DOCUMENT_EXPIRY_WARNING_DAYS, today)
        .select_related("organisation"),
        "expired": documents.expired(today).select_related("organisation"),
        "today": today,
        "conventions": [{"convention": c, "status": c.status_on(today)} for c in conventions],
        "reports_due": [{"report": r, "overdue": r.due_on < today} for r in reports],
        "meetings": meetings,
        "open_actions": dialogue_selectors.open_actions_of(user),
    })


@access(STAFF)
@require_GET
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    organisations = organisation_selectors.organisations_visible_to(request.user)
    documents = organisation_selectors.documents_visible_to(request.user)
    stale = organisations.filter(listed_in_directory=True).filter(
        Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=years_earlier(today))
    )
    conventions: dict[str, object] = {"sees_conventions": False}
    if convention_selectors.sees_all_conventions(request.user):
        overdue_reports = convention_selectors.overdue_reports(today)
        to_review = convention_selectors.reports_to_review()
        conventions = {
            "sees_conventions": True,
            "overdue_reports": overdue_reports[:10], "overdue_reports_count": overdue_reports.count(),
            "reports_to_review": to_review[:10], "reports_to_review_count": to_review.count(),
        }
    return render(request, "dashboard/staff_dashboard.html", {
        **conventions,
        "organisation_count": organisations.count(),
        "stale_entries": stale.order_by("last_verified_on", "name")[:10],
        "stale_count": stale.count(),
        "expiring": documents.expiring_within(settings.DOCUMENT_EXPIRY_WARNING_DAYS, today)[:10],
        "recent_events": audit_events_visible_to(request.user)[:10],
    })
