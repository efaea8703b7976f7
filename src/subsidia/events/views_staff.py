"""The officers' pages of events (``/evenements/gestion/…``): events and their programme, registrations,
export, the evaluation questionnaire and report, the photo gallery; and the public pages that come after an
event: answering the questionnaire (signed link), the evaluation report, the gallery and its photo files.

Officers' pages are for ``OFFICERS``; the services check the rules again. Views stay thin: they parse a form,
call one service, and show its refusal on the form (never a 500, never a half-written record)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.actors import Actor
from subsidia.core.access import PUBLIC, access
from subsidia.core.disclosure import threshold
from subsidia.core.errors import NotFound, RuleViolation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none

from . import evaluation, export, gallery, selectors, services_staff
from .forms_staff import (
    BlockForm,
    CancelEventForm,
    EventForm,
    PhotoEditForm,
    PhotoForm,
    QuestionForm,
    ReportForm,
    SessionForm,
    StaffCancelForm,
    answer_form,
)
from .models import (
    Block,
    EvaluationQuestion,
    Event,
    EventStatus,
    Photo,
    Registration,
    RegistrationStatus,
    Session,
)
from .workflow import EVENT_WORKFLOW

# --- helpers ---------------------------------------------------------------------------------------


def refused(request: HttpRequest, error: RuleViolation, form: forms.Form | None = None) -> int:
    """Show a service's refusal: hidden object 404; a refusal (403) or a clash without form is a message; a
    broken rule goes on the form. Returns the page's status."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if form is None or isinstance(error, ServicePermissionDenied):
        for violation in error.violations:
            messages.error(request, str(violation.message))
    else:
        add_to_form(form, error)
    return error.status_code


def officer(request: HttpRequest) -> Actor:
    """The officer signed in (every officers' page is behind ``OFFICERS``: nobody anonymous gets here)."""
    return cast(Actor, request.user)


def _event(pk: int) -> Event:
    return get_object_or_404(Event, pk=pk)


def _detail_url(event: Event, anchor: str = "") -> str:
    return reverse("events:staff_detail", kwargs={"pk": event.pk}) + (f"#{anchor}" if anchor else "")


def _form_page(request: HttpRequest, *, event: Event | None, form: forms.Form, title: str, submit: str,
               back: str, back_label: str, status: int, multipart: bool = False,
               intro: str = "") -> HttpResponse:
    return render(request, "events/staff/form.html", {
        "event": event, "form": form, "page_title": title, "submit_label": submit, "back_url": back,
        "back_label": back_label, "error_summary": error_summary(form), "multipart": multipart, "intro": intro,
    }, status=status)


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
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if event is None:
                    saved = services_staff.create_event(request.user, form.data_for_service())
                else:
                    saved = services_staff.update_event(request.user, event, form.data_for_service(),
                                                        expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Événement créé (brouillon).") if event is None
                                 else _("Événement enregistré."))
                return redirect(_detail_url(saved))
    if event is None:
        return _form_page(request, event=None, form=form, title=_("Nouvel événement"), submit=_("Créer l'événement"),
                          back=reverse("events:staff_list"), back_label=_("Tous les événements"), status=status)
    return _form_page(request, event=event, form=form, title=_("Modifier « %(title)s »") % {"title": event.title},
                      submit=_("Enregistrer"), back=_detail_url(event), back_label=event.title, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_form_page(request, _event(pk))


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
    return _detail_page(request, _event(pk))


@access(OFFICERS)
@require_POST
def staff_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    try:
        services_staff.publish_event(officer(request), event, expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return _detail_page(request, event, status=refused(request, error))
    messages.success(request, _("Événement publié."))
    return redirect(_detail_url(event))


@access(OFFICERS)
@require_POST
def staff_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    form = CancelEventForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, event, cancel_form=form, status=422)
    try:
        services_staff.cancel_event(officer(request), event, reason=form.cleaned_data["reason"],
                                    expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return _detail_page(request, event, status=refused(request, error))
    messages.success(request, _("Événement annulé ; les personnes inscrites en sont informées par e-mail."))
    return redirect(_detail_url(event))


# --- programme -------------------------------------------------------------------------------------

def _block_page(request: HttpRequest, event: Event, block: Block | None) -> HttpResponse:
    if request.method == "POST":
        form = BlockForm(request.POST)
    else:
        form = BlockForm(initial=BlockForm.initial_for(block) if block else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if block is None:
                    services_staff.add_block(request.user, event, form.cleaned_data)
                else:
                    services_staff.update_block(request.user, block, form.cleaned_data)
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Bloc ou table enregistré."))
                return redirect(_detail_url(event, "programme"))
    title = _("Nouveau bloc ou table") if block is None else _("Modifier « %(title)s »") % {"title": block.title}
    return _form_page(request, event=event, form=form, title=title, submit=_("Enregistrer"),
                      back=_detail_url(event, "programme"), back_label=event.title, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def block_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _block_page(request, _event(pk), None)


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
        services_staff.delete_block(request.user, block)
    except RuleViolation as error:
        return _detail_page(request, block.event, status=refused(request, error))
    messages.success(request, _("Bloc ou table supprimé."))
    return redirect(_detail_url(block.event, "programme"))


def _session_page(request: HttpRequest, event: Event, session: Session | None) -> HttpResponse:
    if request.method == "POST":
        form = SessionForm(request.POST, event=event)
    else:
        form = SessionForm(initial=SessionForm.initial_for(session) if session else None, event=event)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if session is None:
                    services_staff.add_session(request.user, event, form.data_for_service())
                else:
                    services_staff.update_session(request.user, session, form.data_for_service())
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Session enregistrée."))
                return redirect(_detail_url(event, "programme"))
    title = _("Nouvelle session") if session is None else _("Modifier « %(title)s »") % {"title": session.title}
    return _form_page(request, event=event, form=form, title=title, submit=_("Enregistrer"),
                      back=_detail_url(event, "programme"), back_label=event.title, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, _event(pk), None)


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
        services_staff.delete_session(request.user, session)
    except RuleViolation as error:
        return _detail_page(request, session.event, status=refused(request, error))
    messages.success(request, _("Session supprimée."))
    return redirect(_detail_url(session.event, "programme"))


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
    return _registrations_page(request, _event(pk))


@access(OFFICERS)
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    form = StaffCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services_staff.staff_cancel_registration(request.user, registration, reason=reason)
    except RuleViolation as error:
        return _registrations_page(request, registration.event, status=refused(request, error))
    messages.success(request, _("Inscription de %(name)s annulée.") % {"name": registration.full_name})
    return redirect(reverse("events:staff_registrations", kwargs={"pk": registration.event_id}))


@access(OFFICERS)
@require_POST
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    try:
        services_staff.launch_allocation(request.user, event)
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
    event = _event(pk)
    return _download(export.as_csv(event), "text/csv; charset=utf-8", export.filename(event, "csv"))


@access(OFFICERS)
@require_GET
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    return _download(export.as_xlsx(event),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     export.filename(event, "xlsx"))


# --- evaluation: the officers' side ----------------------------------------------------------------

def _builder_page(request: HttpRequest, event: Event, form: QuestionForm | None = None,
                  status: int = 200) -> HttpResponse:
    form = form or QuestionForm()
    return render(request, "events/evaluation/builder.html", {
        "event": event, "questions": event.evaluation_questions.order_by("position", "pk"), "form": form,
        "error_summary": error_summary(form), "invitee_count": evaluation.invitees(event).count(),
        "pending_count": evaluation.invitees(event).filter(evaluation_invited_at__isnull=True).count(),
        "response_count": evaluation.response_count(event),
        "uses_check_in": evaluation.invitees(event).filter(checked_in_at__isnull=False).exists(),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def evaluation_builder(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    if request.method != "POST":
        return _builder_page(request, event)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            evaluation.add_question(request.user, event, form.cleaned_data)
        except RuleViolation as error:
            return _builder_page(request, event, form, status=refused(request, error, form))
        messages.success(request, _("Question ajoutée."))
        return redirect(reverse("events:evaluation_builder", kwargs={"pk": event.pk}))
    return _builder_page(request, event, form, status=422)


def _question(pk: int) -> EvaluationQuestion:
    return get_object_or_404(EvaluationQuestion.objects.select_related("event"), pk=pk)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    form = QuestionForm(request.POST) if request.method == "POST" else \
        QuestionForm(initial=QuestionForm.initial_for(question))
    back = reverse("events:evaluation_builder", kwargs={"pk": question.event_id})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                evaluation.update_question(request.user, question, form.cleaned_data)
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Question enregistrée."))
                return redirect(back)
    return _form_page(request, event=question.event, form=form, title=_("Modifier la question"),
                      submit=_("Enregistrer"), back=back, back_label=_("Questionnaire"), status=status)


@access(OFFICERS)
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    try:
        evaluation.delete_question(request.user, question)
    except RuleViolation as error:
        return _builder_page(request, question.event, status=refused(request, error))
    messages.success(request, _("Question supprimée."))
    return redirect(reverse("events:evaluation_builder", kwargs={"pk": question.event_id}))


@access(OFFICERS)
@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    evaluation.move_question(request.user, question, up=request.POST.get("direction") == "up")
    return redirect(reverse("events:evaluation_builder", kwargs={"pk": question.event_id}) + f"#q{question.pk}")


@access(OFFICERS)
@require_POST
def evaluation_send(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    try:
        count = evaluation.send_questionnaire(request.user, event)
    except RuleViolation as error:
        return _builder_page(request, event, status=refused(request, error))
    messages.success(request, ngettext("Questionnaire envoyé à %(n)s personne.",
                                       "Questionnaire envoyé à %(n)s personnes.", count) % {"n": count})
    return redirect(reverse("events:evaluation_builder", kwargs={"pk": event.pk}))


@access(OFFICERS)
@require_GET
def evaluation_results(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    return render(request, "events/evaluation/results.html", {
        "event": event, "results": evaluation.results(event), "response_count": evaluation.response_count(event),
        "public": False,
    })


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def evaluation_report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    form = ReportForm(request.POST) if request.method == "POST" else \
        ReportForm(initial={"evaluation_report": event.evaluation_report})
    back = reverse("events:evaluation_results", kwargs={"pk": event.pk})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                evaluation.update_report(request.user, event, form.cleaned_data["evaluation_report"])
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Rapport enregistré."))
                return redirect(back)
    return _form_page(request, event=event, form=form, title=_("Rapport d'évaluation : %(title)s")
                      % {"title": event.title}, submit=_("Enregistrer le rapport"), back=back,
                      back_label=_("Résultats de l'évaluation"), status=status)


@access(OFFICERS)
@require_POST
def evaluation_report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    publish = request.POST.get("publish") != "0"
    try:
        evaluation.publish_report(request.user, event, publish=publish)
    except RuleViolation as error:
        status = refused(request, error)
        return render(request, "events/evaluation/results.html", {
            "event": event, "results": evaluation.results(event),
            "response_count": evaluation.response_count(event), "public": False}, status=status)
    messages.success(request, _("Rapport publié.") if publish else _("Rapport retiré de la page publique."))
    return redirect(reverse("events:evaluation_results", kwargs={"pk": event.pk}))


# --- gallery: the officers' side -------------------------------------------------------------------

def _photos_page(request: HttpRequest, event: Event, form: PhotoForm | None = None,
                 status: int = 200) -> HttpResponse:
    form = form or PhotoForm()
    return render(request, "events/gallery/staff.html", {
        "event": event, "photos": event.photos.order_by("position", "pk"), "form": form,
        "error_summary": error_summary(form),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def photos(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    if request.method != "POST":
        return _photos_page(request, event)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        upload = request.FILES.get("image")
        if upload is not None and "image" not in form.errors:
            try:  # say at once that the file is no photo, with the other errors
                gallery.check_image(upload)
            except RuleViolation as error:
                add_to_form(form, error)
        return _photos_page(request, event, form, status=422)
    try:
        gallery.add_photo(request.user, event, form.cleaned_data["image"], form.cleaned_data)
    except RuleViolation as error:
        return _photos_page(request, event, form, status=refused(request, error, form))
    messages.success(request, _("Photo ajoutée à la galerie."))
    return redirect(reverse("events:staff_photos", kwargs={"pk": event.pk}))


def _photo(pk: int) -> Photo:
    return get_object_or_404(Photo.objects.select_related("event"), pk=pk)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def photo_edit(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo(pk)
    form = PhotoEditForm(request.POST) if request.method == "POST" else PhotoEditForm(initial={
        "caption": photo.caption, "credit": photo.credit, "alt_text": photo.alt_text})
    back = reverse("events:staff_photos", kwargs={"pk": photo.event_id})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                gallery.update_photo(request.user, photo, form.cleaned_data)
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, _("Photo enregistrée."))
                return redirect(back)
    return _form_page(request, event=photo.event, form=form, title=_("Modifier la photo"), submit=_("Enregistrer"),
                      back=back, back_label=_("Photos"), status=status)


@access(OFFICERS)
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo(pk)
    gallery.delete_photo(request.user, photo)
    messages.success(request, _("Photo supprimée."))
    return redirect(reverse("events:staff_photos", kwargs={"pk": photo.event_id}))


@access(OFFICERS)
@require_POST
def photo_move(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo(pk)
    gallery.move_photo(request.user, photo, up=request.POST.get("direction") == "up")
    return redirect(reverse("events:staff_photos", kwargs={"pk": photo.event_id}) + f"#photo-{photo.pk}")


# --- public pages after the event ------------------------------------------------------------------

@access(PUBLIC)
@require_http_methods(["GET", "POST"])
def evaluation_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire, reached through the signed link of the invitation e-mail; answered once."""
    try:
        registration = evaluation.registration_for(token)
    except NotFound as error:
        raise Http404(str(error)) from error
    event = registration.event
    questions = list(event.evaluation_questions.order_by("position", "pk"))
    context: dict[str, Any] = {"event": event, "answered": evaluation.has_answered(registration)}
    status = 200
    if context["answered"]:
        return render(request, "events/evaluation/answer.html", context, status=200)
    form = answer_form(questions, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                evaluation.submit_response(registration, form.cleaned_data)
            except RuleViolation as error:
                if error.status_code == 409:
                    return render(request, "events/evaluation/answer.html", {**context, "answered": True},
                                  status=409)
                status = refused(request, error, form)
            else:
                return render(request, "events/evaluation/answer.html", {**context, "thanks": True})
    response = render(request, "events/evaluation/answer.html", {
        **context, "form": form, "error_summary": error_summary(form)}, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the address holds a personal link
    return response


def _public_event(slug: str) -> Event:
    return get_object_or_404(Event, slug=slug, status=EventStatus.PUBLISHED)


@access(PUBLIC)
@require_GET
def evaluation_report(request: HttpRequest, slug: str) -> HttpResponse:
    event = _public_event(slug)
    if not evaluation.report_is_public(event):
        raise Http404(_("Le rapport d'évaluation n'est pas encore publié."))
    figures = evaluation.public_results(event)  # small numbers suppressed (core/disclosure.py)
    return render(request, "events/evaluation/report.html", {
        "event": event, "results": figures.results, "response_count": figures.response_count,
        "too_few": figures.too_few, "threshold": threshold(), "public": True,
    })


@access(PUBLIC)
@require_GET
def public_gallery(request: HttpRequest, slug: str) -> HttpResponse:
    event = _public_event(slug)
    return render(request, "events/gallery/public.html", {
        "event": event, "photos": event.photos.order_by("position", "pk")})


@access(PUBLIC)
@require_GET
def photo_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A photo's file, from the storage: public for published events, for officers otherwise."""
    photo = get_object_or_404(Photo.objects.select_related("event"), pk=pk, event__slug=slug)
    if not gallery.gallery_is_public(photo.event) and not services_staff.is_officer(request.user):
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{photo.image.name.rsplit(".", 1)[-1]}"'
    if not gallery.gallery_is_public(photo.event):
        response["Cache-Control"] = "private, no-store"
    return response
