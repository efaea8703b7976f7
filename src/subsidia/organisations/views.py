from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.actors import signed_in
from subsidia.accounts.reauth import reauthentication_required
from subsidia.core.access import PUBLIC, access
from subsidia.core.errors import RuleViolation, add_to_form

from . import selectors, services, standing
from .access import ORGANISATION_EDITORS, ORGANISATION_MANAGERS, ORGANISATION_READERS, ORGANISATION_VIEWERS
from .forms import (
    ContactForm,
    DirectoryFilterForm,
    DocumentForm,
    InviteMemberForm,
    OrganisationForm,
    ServiceForm,
)
from .models import Contact, Membership, Organisation, OrganisationDocument, Service


@access(PUBLIC)
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """The public directory of competent bodies."""
    form = DirectoryFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    conventioned_only = bool(filters.pop("conventioned", False))
    organisations = selectors.directory(**{k: v for k, v in filters.items() if v})
    conventioned = standing.conventioned_organisations()
    if conventioned_only:
        organisations = organisations.filter(pk__in=conventioned.values("pk"))
    page = Paginator(organisations, 20).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": request.GET.copy(),
               "conventioned_ids": set(conventioned.filter(pk__in=[o.pk for o in page]).values_list("pk", flat=True))}
    template = "organisations/_directory_results.html" if request.headers.get("HX-Request") else \
        "organisations/directory.html"
    return render(request, template, context)


@access(PUBLIC)
@require_GET
def directory_entry(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(selectors.directory(), pk=pk)
    return render(request, "organisations/directory_entry.html", {
        "organisation": organisation, **_conventioned(request, organisation)})


def _conventioned(request: HttpRequest, organisation: Organisation) -> dict[str, object]:
    """Whether the organisation is "conventionnée" today (derived from its conventions, never stored), and
    the conventions in force the user may open (the public only sees the mention)."""
    return {"conventioned": standing.is_conventioned(organisation),
            "conventions_in_force": standing.conventions_in_force_visible_to(request.user, organisation)}


@access(ORGANISATION_READERS)
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    organisations = selectors.organisations_visible_to(request.user).prefetch_related("themes")
    if q:
        organisations = organisations.filter(name__icontains=q) | organisations.filter(acronym__icontains=q)
    page = Paginator(organisations.order_by("name"), 25).get_page(request.GET.get("page"))
    return render(request, "organisations/organisation_list.html", {"page": page, "q": q})


def _visible(request: HttpRequest, pk: int) -> Organisation:
    return get_object_or_404(selectors.organisations_visible_to(request.user), pk=pk)


def _editable(request: HttpRequest, pk: int) -> Organisation:
    return get_object_or_404(selectors.organisations_editable_by(request.user), pk=pk)


def _detail_page(
    request: HttpRequest, organisation: Organisation, invite_form: InviteMemberForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "members": selectors.members_of(organisation),
        "documents": organisation.documents.order_by("kind", "-uploaded_at"),
        "can_edit": selectors.organisations_editable_by(request.user).filter(pk=organisation.pk).exists(),
        "can_manage_members": selectors.can_manage_members(request.user, organisation),
        "is_manager": selectors.manages_all_organisations(request.user),
        "invite_form": invite_form or InviteMemberForm(),
        **_conventioned(request, organisation),
    }
    return render(request, "organisations/organisation_detail.html", context, status=status)


@access(ORGANISATION_VIEWERS)
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _visible(request, pk))


@access(ORGANISATION_MANAGERS)
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(signed_in(request), form.cleaned_data)
        except RuleViolation as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Organisation créée."))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/organisation_form.html", {"form": form, "creating": True})


@access(ORGANISATION_EDITORS)
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _editable(request, pk)
    partner = not selectors.manages_all_organisations(request.user)
    form = OrganisationForm(request.POST or None, instance=organisation, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(signed_in(request), organisation, form.cleaned_data)
        except RuleViolation as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/organisation_form.html",
                  {"form": form, "organisation": organisation, "creating": False})


@access(ORGANISATION_MANAGERS)
@require_POST
def organisation_verify(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _visible(request, pk)
    services.mark_verified(signed_in(request), organisation)
    messages.success(request, _("Fiche marquée comme vérifiée aujourd'hui."))
    return redirect("organisations:detail", pk=pk)


@access(ORGANISATION_EDITORS)
@require_POST
@reauthentication_required(back="organisations:detail")
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _visible(request, pk)
    if not selectors.can_manage_members(request.user, organisation):
        raise Http404
    form = InviteMemberForm(request.POST)
    if form.is_valid():
        try:
            services.invite_member(signed_in(request), organisation, **form.cleaned_data)
        except RuleViolation as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("organisations:detail", pk=pk)
    return _detail_page(request, organisation, invite_form=form, status=422)


@access(ORGANISATION_EDITORS)
@require_POST
@reauthentication_required(back="organisations:detail")
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _visible(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    if not selectors.can_manage_members(request.user, organisation):
        raise Http404
    try:
        services.remove_member(signed_in(request), membership)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(user)s ne fait plus partie de l'organisation.") % {"user": membership.user})
    return redirect("organisations:detail", pk=pk)


def _part_form(
    request: HttpRequest, pk: int, form_class: type[ContactForm] | type[ServiceForm], part: Contact | Service | None,
    title: str, saved: str,
) -> HttpResponse:
    """Add or edit one contact or service of an organisation the user may edit."""
    organisation = _editable(request, pk)
    form = form_class(request.POST or None, instance=part)
    if request.method == "POST" and form.is_valid():
        services.save_part(signed_in(request), organisation, form.save(commit=False))
        messages.success(request, saved)
        return redirect("organisations:detail", pk=pk)
    return render(request, "organisations/simple_form.html",
                  {"form": form, "organisation": organisation, "title": title})


@access(ORGANISATION_EDITORS)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=contact_pk, organisation_id=pk) if contact_pk else None
    return _part_form(request, pk, ContactForm, contact, _("Contact"), _("Contact enregistré."))


@access(ORGANISATION_EDITORS)
@require_http_methods(["GET", "POST"])
def service_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _part_form(request, pk, ServiceForm, None, _("Service"), _("Service enregistré."))


@access(ORGANISATION_EDITORS)
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _editable(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_document(signed_in(request), organisation, kind=data["kind"], upload=data["file"],
                                  title=data["title"], valid_from=data["valid_from"],
                                  valid_until=data["valid_until"])
        except RuleViolation as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Document ajouté."))
            return redirect("organisations:detail", pk=pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "organisations/simple_form.html",
                  {"form": form, "organisation": organisation, "title": _("Document"), "multipart": True},
                  status=status)


@access(ORGANISATION_VIEWERS)
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    organisation = _visible(request, pk)
    document = get_object_or_404(OrganisationDocument, pk=document_pk, organisation=organisation)
    handle = document.file.open("rb")
    extension = document.file.name.rsplit(".", 1)[-1]
    filename = f"{organisation.acronym or organisation.pk}-{document.kind}-{document.pk}.{extension}"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=document.content_type)
