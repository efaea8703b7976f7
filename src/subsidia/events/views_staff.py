"""The officers' pages of events (``/evenements/gestion/…``): the events, their programme (blocks or tables,
sessions), the registrations (cancellation, allocation) and the participants' export. The evaluation's pages
are in ``views_evaluation.py``, the gallery's in ``views_gallery.py``; what they share in ``views_shared.py``.

Every page is for ``OFFICERS``; the services check the rules again."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.actors import signed_in
from subsidia.core.access import access
from subsidia.core.errors import RuleViolation
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none

from . import evaluation, export, selectors, services_staff
from .forms_staff import BlockForm, CancelEventForm, EventForm, SessionForm, StaffCancelForm
from .models import Block, Event, Registration, RegistrationStatus, Session
from .views_shared import detail_url, event_or_404, form_page, handle_form, refused
from .workflow import EVENT_WORKFLOW

# --- events ----------------------------------------------------------------------------------------


@access(OFFICERS)
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(request, "events/staff/list.html", {"events": selectors.staff_events()})


def _event_form_page(request: HttpRequest, event: Event | None) -> HttpResponse:
    if request.method == "POST":
        form = EventForm(request.POST)
    else:
        form = EventForm(initial=EventForm.initial_for(event) if event else None)

    def save() -> Event:
        if event is None:
            return services_staff.create_event(signed_in(request), form.to_input())
        return services_staff.update_event(signed_in(request), event, form.to_input(event),
                                           expected_version=form.cleaned_data["version"])

    def page(status: int) -> HttpResponse:
        if event is None:
            return form_page(request, event=None, form=form, title=_("Nouvel événement"),
                             submit=_("Créer l'événement"), back=reverse("events:staff_list"),
                             back_label=_("Tous les événements"), status=status)
        return form_page(request, event=event, form=form, title=_("Modifier « %(title)s »") % {"title": event.title},
                         submit=_("Enregistrer"), back=detail_url(event), back_label=event.title, status=status)

    return handle_form(request, form, save, done=detail_url, page=page,
                       success=_("Événement créé (brouillon).") if event is None else _("Événement enregistré."))


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_form_page(request, event_or_404(pk))


def _detail_page(request: HttpRequest, event: Event, *, cancel_form: CancelEventForm | None = None,
                 status: int = 200) -> HttpResponse:
    counts = selectors.staff_events().get(pk=event.pk)
    return render(request, "events/staff/detail.html", {
        "event": event, "counts": counts,
        "blocks": event.blocks.order_by("position", "pk"),
        "sessions": event.sessions.select_related("block").order_by("starts_at", "pk"),
        "cancel_form": cancel_form or CancelEventForm(),
        "deletion_due": selectors.deletion_due(event),
        "photo_count": event.photos.count(),
        "question_count": event.evaluation_questions.count(),
        "response_count": evaluation.response_count(event),
        "acts": {act.name for act in EVENT_WORKFLOW.available_to(request.user, event.status)},
        "error_summary": error_summary(cancel_form) if cancel_form else [],
    }, status=status)


@access(OFFICERS)
@require_GET
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, event_or_404(pk))


@access(OFFICERS)
@require_POST
def staff_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    try:
        services_staff.publish_event(signed_in(request), event,
                                     expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return _detail_page(request, event, status=refused(request, error))
    messages.success(request, _("Événement publié."))
    return redirect(detail_url(event))


@access(OFFICERS)
@require_POST
def staff_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    form = CancelEventForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, event, cancel_form=form, status=422)
    try:
        services_staff.cancel_event(signed_in(request), event, reason=form.cleaned_data["reason"],
                                    expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return _detail_page(request, event, status=refused(request, error))
    messages.success(request, _("Événement annulé ; les personnes inscrites en sont informées par e-mail."))
    return redirect(detail_url(event))


# --- programme -------------------------------------------------------------------------------------

def _programme_page(request: HttpRequest, event: Event, form: BlockForm | SessionForm, *,
                    save: Callable[[], Block | Session], title: str, success: str) -> HttpResponse:
    """A block's or a session's form: saved, back to the event's programme."""
    return handle_form(
        request, form, save, done=lambda _saved: detail_url(event, "programme"), success=success,
        page=lambda status: form_page(request, event=event, form=form, title=title, submit=_("Enregistrer"),
                                      back=detail_url(event, "programme"), back_label=event.title, status=status))


def _block_page(request: HttpRequest, event: Event, block: Block | None) -> HttpResponse:
    if request.method == "POST":
        form = BlockForm(request.POST)
    else:
        form = BlockForm(initial=BlockForm.initial_for(block) if block else None)

    def save() -> Block:
        if block is None:
            return services_staff.add_block(signed_in(request), event, form.to_input())
        return services_staff.update_block(signed_in(request), block, form.to_input(block))

    title = _("Nouveau bloc ou table") if block is None else _("Modifier « %(title)s »") % {"title": block.title}
    return _programme_page(request, event, form, save=save, title=title, success=_("Bloc ou table enregistré."))


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def block_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _block_page(request, event_or_404(pk), None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def block_edit(request: HttpRequest, pk: int) -> HttpResponse:
    block = get_object_or_404(Block.objects.select_related("event"), pk=pk)
    return _block_page(request, block.event, block)


@access(OFFICERS)
@require_POST
def block_delete(request: HttpRequest, pk: int) -> HttpResponse:
    block = get_object_or_404(Block.objects.select_related("event"), pk=pk)
    try:
        services_staff.delete_block(signed_in(request), block)
    except RuleViolation as error:
        return _detail_page(request, block.event, status=refused(request, error))
    messages.success(request, _("Bloc ou table supprimé."))
    return redirect(detail_url(block.event, "programme"))


def _session_page(request: HttpRequest, event: Event, session: Session | None) -> HttpResponse:
    if request.method == "POST":
        form = SessionForm(request.POST, event=event)
    else:
        form = SessionForm(initial=SessionForm.initial_for(session) if session else None, event=event)

    def save() -> Session:
        if session is None:
            return services_staff.add_session(signed_in(request), event, form.to_input())
        return services_staff.update_session(signed_in(request), session, form.to_input())

    title = _("Nouvelle session") if session is None else _("Modifier « %(title)s »") % {"title": session.title}
    return _programme_page(request, event, form, save=save, title=title, success=_("Session enregistrée."))


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, event_or_404(pk), None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("event"), pk=pk)
    return _session_page(request, session.event, session)


@access(OFFICERS)
@require_POST
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("event"), pk=pk)
    try:
        services_staff.delete_session(signed_in(request), session)
    except RuleViolation as error:
        return _detail_page(request, session.event, status=refused(request, error))
    messages.success(request, _("Session supprimée."))
    return redirect(detail_url(session.event, "programme"))


# --- registrations ---------------------------------------------------------------------------------

STATUS_FILTERS = [("", _("Toutes")), *RegistrationStatus.choices, ("attended", _("Présentes"))]


def _registrations_page(request: HttpRequest, event: Event, status: int = 200) -> HttpResponse:
    chosen = request.GET.get("statut", "")
    rows = list(selectors.staff_registrations(event, chosen))
    waiting = [r for r in rows if r.status == RegistrationStatus.WAITLISTED]
    for rank, row in enumerate(waiting, start=1):
        row.waitlist_rank = rank  # type: ignore[attr-defined]
    return render(request, "events/staff/registrations.html", {
        "event": event, "registrations": rows, "filters": STATUS_FILTERS, "chosen": chosen,
        "counts": selectors.staff_events().get(pk=event.pk),
        "cancel_form": StaffCancelForm(), "deletion_due": selectors.deletion_due(event),
    }, status=status)


@access(OFFICERS)
@require_GET
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    return _registrations_page(request, event_or_404(pk))


@access(OFFICERS)
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    form = StaffCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services_staff.staff_cancel_registration(signed_in(request), registration, reason=reason)
    except RuleViolation as error:
        return _registrations_page(request, registration.event, status=refused(request, error))
    messages.success(request, _("Inscription de %(name)s annulée.") % {"name": registration.full_name})
    return redirect(reverse("events:staff_registrations", kwargs={"pk": registration.event_id}))


@access(OFFICERS)
@require_POST
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    try:
        services_staff.launch_allocation(signed_in(request), event)
    except RuleViolation as error:
        return _registrations_page(request, event, status=refused(request, error))
    event.refresh_from_db()
    messages.success(request, _("Répartition faite. Graine du tirage : %(seed)s (elle permet de refaire le même "
                                "tirage).") % {"seed": event.allocation_seed})
    return redirect(reverse("events:staff_registrations", kwargs={"pk": event.pk}))


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@access(OFFICERS)
@require_GET
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    return _download(export.as_csv(event), "text/csv; charset=utf-8", export.filename(event, "csv"))


@access(OFFICERS)
@require_GET
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    return _download(export.as_xlsx(event),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     export.filename(event, "xlsx"))
