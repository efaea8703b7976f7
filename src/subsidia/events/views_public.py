"""Public pages of events, mounted at /evenements/: the list, an event's page with its programme, its .ics,
the registration form, and the pages reached through the signed links of a registration (status, cancellation,
check-in by the officers scanning the QR code, attendance certificate).

Drafts are seen by officers only (404 for everyone else). A signed link that was tampered with or has expired
answers 404. A broken rule goes on the form (422), a closed registration window is said on the page (409).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.actors import signed_in
from subsidia.core.access import PUBLIC, access
from subsidia.core.errors import NotFound, RuleViolation, Violation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.forms import error_summary

from . import calendar, selectors, services, signing
from .forms import CancelForm, EventFilterForm, RegistrationForm
from .models import Event, EventStatus, Registration, RegistrationStatus

PAGE_SIZE = 20


# --- helpers ---------------------------------------------------------------------------------------

def visible_event(request: HttpRequest, slug: str) -> Event:
    return get_object_or_404(selectors.events_visible_to(request.user), slug=slug)


def registration_from(token: str, purpose: str) -> Registration:
    registration = selectors.registration_by_uid(signing.uid_from(token, purpose))
    if registration is None:
        raise Http404(_("Lien invalide ou expiré."))
    return registration


def _good_practice_links(event: Event) -> list[dict[str, Any]]:
    related = getattr(event, "good_practices", None)
    if related is None:
        return []
    links = []
    for practice in related.filter(state="published").order_by("title"):
        try:
            url = reverse("knowledge:good_practice_detail", kwargs={"slug": practice.slug})
        except NoReverseMatch:
            url = ""
        links.append({"title": practice.title, "url": url})
    return links


def _window_message(event: Event) -> str:
    try:
        services.check_window(event)
    except RuleViolation as error:
        return str(error.violations[0].message)
    return ""


def _status_context(registration: Registration) -> dict[str, Any]:
    event = registration.event
    return {
        "event": event, "registration": registration,
        "position": selectors.waitlist_position(registration),
        "choices": list(selectors.choices(registration)),
        "explanation": services.explain(registration),
        "cancel_url": signing.path_for(registration, "cancel"),
        "status_url": signing.path_for(registration, "status"),
        "certificate_url": signing.path_for(registration, "certificate") if registration.attended else "",
        "can_cancel": registration.status != RegistrationStatus.CANCELLED and event.ends_at > timezone.now(),
    }


# --- list and detail -------------------------------------------------------------------------------

@access(PUBLIC)
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    when, mode, theme = "upcoming", "", None
    if form.is_bound and form.is_valid():
        when = form.cleaned_data.get("when") or "upcoming"
        mode = form.cleaned_data.get("mode") or ""
        theme = form.cleaned_data["theme"].pk if form.cleaned_data.get("theme") else None
    events = selectors.event_list(request.user, when="" if when == "all" else when, mode=mode, theme=theme)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k in ("when", "mode", "theme") and v}
    return render(request, "events/list.html", {
        "form": form, "page": page, "events": page.object_list, "when": when, "query": query,
        "is_officer": selectors.manages_events(request.user),
    })


@access(PUBLIC)
@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    seats = selectors.seats_left(event)
    return render(request, "events/detail.html", {
        "event": event, "programme": selectors.programme(event),
        "organisers": list(event.organisers.order_by("name")), "partners": list(event.partners.order_by("name")),
        "themes": list(event.themes.order_by("name")),
        "seats_left": seats, "confirmed": selectors.confirmed_count(event),
        "waitlisted": selectors.waitlist_count(event),
        "window": selectors.registration_window(event), "window_message": _window_message(event),
        "good_practices": _good_practice_links(event),
        "is_over": event.ends_at <= timezone.now(),
        "is_officer": selectors.manages_events(request.user),
    })


@access(PUBLIC)
@require_GET
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    response = HttpResponse(calendar.event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


# --- registration ----------------------------------------------------------------------------------

@access(PUBLIC)
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    window = selectors.registration_window(event)
    form = RegistrationForm(request.POST or None, event=event)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registration = services.register(request.user, event,
                                                 form.to_input(language=translation.get_language() or "fr"))
            except NotFound as error:
                raise Http404(str(error)) from error
            except RuleViolation as error:
                mapping = {"block_ranking": form.rank_fields[0] if form.rank_fields else ""}
                add_to_form(form, type(error)([Violation(v.code, v.message, mapping.get(v.field or "", v.field))
                                               for v in error.violations]))
                status = error.status_code
                window = selectors.registration_window(event)
            else:
                if registration.status == RegistrationStatus.CONFIRMED:
                    messages.success(request, _("Votre inscription est confirmée. Un e-mail de confirmation vous "
                                                "a été envoyé."))
                else:
                    messages.success(request, _("L'événement est complet : vous êtes sur la liste d'attente. Un "
                                                "e-mail vous a été envoyé."))
                return redirect(signing.path_for(registration, "status"))
        else:
            status = 422
    return render(request, "events/register.html", {
        "event": event, "form": form, "error_summary": error_summary(form), "window": window,
        "window_message": _window_message(event), "seats_left": selectors.seats_left(event),
        "rank_fields": [form[name] for name in form.rank_fields],
        "sessions_field": form["sessions"] if "sessions" in form.fields else None,
        "retention_days": event.retention_days,
    }, status=status)


@access(PUBLIC)
@never_cache
@require_GET
def registration_status(request: HttpRequest, token: str) -> HttpResponse:
    registration = registration_from(token, "status")
    return render(request, "events/status.html", _status_context(registration))


@access(PUBLIC)
@never_cache
@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = registration_from(token, "cancel")
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.cancel_registration(None, registration, reason=form.cleaned_data["reason"])
        except RuleViolation as error:
            add_to_form(form, error)
            status = error.status_code
        else:
            messages.success(request, _("Votre inscription est annulée. Un e-mail vous le confirme."))
            return redirect(signing.path_for(registration, "status"))
    return render(request, "events/cancel.html", {
        **_status_context(registration), "form": form, "error_summary": error_summary(form)}, status=status)


# --- check-in and certificate -------------------------------------------------------------------------

@access(OFFICERS)
@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, token: str) -> HttpResponse:
    registration = registration_from(token, "checkin")
    status = 200
    if request.method == "POST":
        try:
            registration = services.check_in(signed_in(request), registration)
        except ServicePermissionDenied as error:
            raise Http404(str(error)) from error
        except RuleViolation as error:
            for violation in error.violations:
                messages.error(request, str(violation.message))
            status = error.status_code
        else:
            when = formats.date_format(timezone.localtime(registration.checked_in_at), "TIME_FORMAT")
            if getattr(registration, "already_checked_in", False):
                messages.info(request, _("%(name)s : déjà enregistré à %(time)s.") % {
                    "name": registration.full_name, "time": when})
            else:
                messages.success(request, _("%(name)s : présence enregistrée à %(time)s.") % {
                    "name": registration.full_name, "time": when})
            return redirect(request.path)
    return render(request, "events/check_in.html", {
        "registration": registration, "event": registration.event,
        "choices": [c for c in selectors.choices(registration) if c.allocated],
    }, status=status)


def render_certificate(registration: Registration) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only PDFs need

    with translation.override(registration.language or "fr"):
        html = render_to_string("events/certificate_pdf.html", {
            "registration": registration, "event": registration.event, "ministry": settings.MINISTRY_NAME,
            "today": timezone.localdate()})
    return bytes(HTML(string=html, base_url=str(settings.PACKAGE_DIR)).write_pdf())


@access(PUBLIC)
@require_GET
def certificate(request: HttpRequest, token: str) -> HttpResponse:
    registration = registration_from(token, "certificate")
    if not registration.attended or registration.event.status == EventStatus.DRAFT:
        raise Http404(_("Aucune présence enregistrée pour cette inscription."))
    response = HttpResponse(render_certificate(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestation-{registration.event.slug}.pdf"'
    return response
