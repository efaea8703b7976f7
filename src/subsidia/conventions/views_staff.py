"""The ministry's pages on a convention: the list (which partners also reach, for their own conventions),
preparing a draft, and the approver's acts (signature, amendment, termination). The payments and the funding
overview are in :mod:`.views_staff_payments`, the review of yearly reports in :mod:`.views_staff_reports`.

Reads go through :mod:`subsidia.conventions.selectors` (always scoped by the user), writes through
:mod:`subsidia.conventions.services`. A refused change is shown on the form (422), a clash with the current
state or with someone else's edit as a message (409); nothing here answers 500 on a business rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from subsidia.accounts.access import APPROVERS, OFFICERS
from subsidia.accounts.actors import signed_in
from subsidia.accounts.reauth import reauthentication_required
from subsidia.accounts.roles import Role
from subsidia.core.access import access
from subsidia.core.errors import RuleViolation, Violation
from subsidia.core.forms import error_summary
from subsidia.organisations import selectors as organisation_selectors
from subsidia.organisations.access import ORGANISATION_READERS

from . import money, selectors
from .access import CONVENTION_VIEWERS
from .forms_staff import (
    AmendForm,
    ConventionFilterForm,
    ConventionForm,
    DomainFormSet,
    SignForm,
    TerminateForm,
    VersionedForm,
    convention_input,
    domains_initial,
)
from .models import Convention, ConventionDomain
from .services import acts, drafting
from .views_common import (
    PAGE_SIZE,
    PAYMENT_READERS,
    detail_url,
    may,
    not_now,
    pk_or_none,
    refused,
    visible_convention,
    yearly_total,
)

# --- the list --------------------------------------------------------------------------------------

def _filtered_conventions(conventions: QuerySet[Convention], filters: dict[str, Any],
                          today: date) -> QuerySet[Convention]:
    if query := filters.get("q"):
        conventions = conventions.filter(Q(reference__icontains=query) | Q(title__icontains=query)
                                         | Q(organisation__name__icontains=query)
                                         | Q(organisation__acronym__icontains=query))
    if status := filters.get("status"):
        conventions = selectors.with_status(conventions, status, today)
    if (organisation := pk_or_none(filters.get("organisation"))) is not None:
        conventions = conventions.filter(organisation_id=organisation)
    if (department := pk_or_none(filters.get("department"))) is not None:
        conventions = conventions.filter(department_id=department)
    if (activity := pk_or_none(filters.get("activity"))) is not None:
        conventions = conventions.filter(
            pk__in=ConventionDomain.objects.filter(activity_id=activity).values("convention_id"))
    return conventions


@access(CONVENTION_VIEWERS)
@require_GET
def convention_list(request: HttpRequest) -> HttpResponse:
    """Every convention for the ministry's readers, with filters; a partner's own signed conventions."""
    user = signed_in(request)
    today = timezone.localdate()
    is_staff = selectors.sees_all_conventions(user)
    conventions = selectors.conventions_visible_to(user)
    form = None
    filtered_organisation = None
    if is_staff:
        form = ConventionFilterForm(request.GET or None)
        filters = form.filters()
        conventions = _filtered_conventions(conventions, filters, today)
        if (organisation := pk_or_none(filters.get("organisation"))) is not None:
            filtered_organisation = organisation_selectors.organisations_visible_to(user).filter(
                pk=organisation).first()
    conventions = selectors.with_overdue_count(conventions, today).order_by(
        "organisation__name", "-starts_on", "reference")
    page = Paginator(conventions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"convention": c, "status": c.status_on(today), "yearly_total": yearly_total(c, today),
             "overdue": c.overdue_reports} for c in page]  # type: ignore[attr-defined]
    return render(request, "conventions/staff/list.html", {
        "form": form, "page": page, "rows": rows, "query": request.GET.copy(), "total": page.paginator.count,
        "is_staff": is_staff, "can_create": user.has_role(Role.OFFICER),
        "filtered_organisation": filtered_organisation,
        "can_see_payments": PAYMENT_READERS.allows(user), "can_see_reports": ORGANISATION_READERS.allows(user),
    })


# --- preparing a draft -----------------------------------------------------------------------------

def _domain_mapping(error: RuleViolation, sources: list[Any]) -> RuleViolation:
    """Put the errors of the service's "domains.<i>.<field>" on the form of the i-th domain; return the rest."""
    rest: list[Violation] = []
    for violation in error.violations:
        parts = (violation.field or "").split(".")
        if len(parts) >= 3 and parts[0] == "domains" and parts[1].isdigit() and int(parts[1]) < len(sources):
            source = sources[int(parts[1])]
            name = parts[2] if parts[2] in source.fields else None
            source.add_error(name, str(violation.message))
        else:
            rest.append(violation)
    return type(error)(rest)


def _convention_form_page(request: HttpRequest, convention: Convention | None) -> HttpResponse:
    user = signed_in(request)
    if request.method == "POST":
        form = ConventionForm(request.POST)
        domains = DomainFormSet(request.POST, prefix="domains")
    elif convention is not None:
        form = ConventionForm(initial=ConventionForm.initial_for(convention))
        domains = DomainFormSet(initial=domains_initial(convention), prefix="domains")
    else:
        form = ConventionForm()
        domains = DomainFormSet(prefix="domains")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and domains.is_valid():
            data, sources = convention_input(form, domains)
            try:
                if convention is None:
                    saved = drafting.create_convention(user, data)
                else:
                    saved = drafting.update_convention(user, convention, data,
                                                       expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                rest = _domain_mapping(error, sources)
                status = refused(request, rest, form) if rest.violations else error.status_code
            else:
                messages.success(request, _("Projet de convention %(ref)s créé.") % {"ref": saved.reference}
                                 if convention is None else
                                 _("Projet de convention %(ref)s enregistré.") % {"ref": saved.reference})
                return redirect(detail_url(saved))
    return render(request, "conventions/staff/convention_form.html", {
        "form": form, "domains": domains, "convention": convention,
        "error_summary": error_summary(form, domains),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def convention_create(request: HttpRequest) -> HttpResponse:
    return _convention_form_page(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def convention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    convention = visible_convention(request, pk)
    if request.method == "GET" and not may(request, convention, "edit"):
        return not_now(request, convention, _("Modifier la convention"))
    return _convention_form_page(request, convention)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def convention_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET), then delete (POST) a draft convention."""
    convention = visible_convention(request, pk)
    if request.method == "GET" and not may(request, convention, "delete"):
        return not_now(request, convention, _("Supprimer le projet de convention"))
    form = VersionedForm(request.POST if request.method == "POST" else None,
                         initial={"version": convention.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                drafting.delete_convention(signed_in(request), convention,
                                           expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                status = refused(request, error)
            else:
                messages.success(request, _("Projet de convention %(ref)s supprimé.") % {"ref": convention.reference})
                return redirect("conventions:list")
    return render(request, "conventions/staff/delete.html", {
        "convention": convention, "form": form, "error_summary": error_summary(form),
    }, status=status)


# --- the approver's acts ---------------------------------------------------------------------------

def _act_page(request: HttpRequest, convention: Convention, template: str, form: forms.BaseForm, status: int,
              **extra: Any) -> HttpResponse:
    convention = visible_convention(request, convention.pk)  # as it is now, after a refused change too
    today = timezone.localdate()
    day = max(min(today, convention.last_day), convention.starts_on)
    return render(request, template, {
        "convention": convention, "form": form, "error_summary": error_summary(form),
        "domains": [{"domain": d, "rate": money.rate_on(d, day)} for d in convention.domains.all()], **extra,
    }, status=status)


@access(APPROVERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def convention_sign(request: HttpRequest, pk: int) -> HttpResponse:
    convention = visible_convention(request, pk)
    if request.method == "GET":
        if not may(request, convention, "sign"):
            return not_now(request, convention, _("Signer la convention"))
        return _act_page(request, convention, "conventions/staff/sign.html",
                         SignForm(initial={"version": convention.version}), 200)
    form = SignForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            acts.sign_convention(signed_in(request), convention, form.to_input(),
                                 expected_version=form.cleaned_data["version"])
        except RuleViolation as error:
            status = refused(request, error, form)
        else:
            messages.success(request, _("Convention %(ref)s signée : ses rapports et son échéancier de paiements "
                                        "sont établis.") % {"ref": convention.reference})
            return redirect(detail_url(convention))
    return _act_page(request, convention, "conventions/staff/sign.html", form, status)


@access(APPROVERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def convention_amend(request: HttpRequest, pk: int) -> HttpResponse:
    convention = visible_convention(request, pk)
    if request.method == "GET":
        if not may(request, convention, "amend"):
            return not_now(request, convention, _("Enregistrer un avenant"))
        form = AmendForm(initial={"version": convention.version}, convention=convention)
        return _act_page(request, convention, "conventions/staff/amend.html", form, 200)
    form = AmendForm(request.POST, convention=convention)
    status = 422
    if form.is_valid():
        amendment_input, line_domains = form.to_input()
        mapping: dict[str, str] = {}
        for index, domain_pk in enumerate(line_domains):
            mapping[f"lines.{index}.yearly_amount"] = f"amount_{domain_pk}"
            mapping[f"lines.{index}.fte"] = f"fte_{domain_pk}"
        try:
            amendment = acts.amend_convention(signed_in(request), convention, amendment_input,
                                              expected_version=form.cleaned_data["version"])
        except RuleViolation as error:
            status = refused(request, error, form, mapping)
        else:
            messages.success(request, _("Avenant n° %(n)s enregistré : l'échéancier et les rapports attendus "
                                        "suivent.") % {"n": amendment.number})
            return redirect(detail_url(convention))
    return _act_page(request, convention, "conventions/staff/amend.html", form, status)


@access(APPROVERS)
@require_http_methods(["GET", "POST"])
@reauthentication_required
def convention_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    convention = visible_convention(request, pk)
    if request.method == "GET":
        if not may(request, convention, "terminate"):
            return not_now(request, convention, _("Résilier la convention"))
        return _act_page(request, convention, "conventions/staff/terminate.html",
                         TerminateForm(initial={"version": convention.version}), 200)
    form = TerminateForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            acts.terminate_convention(signed_in(request), convention, form.to_input(),
                                      expected_version=form.cleaned_data["version"])
        except RuleViolation as error:
            status = refused(request, error, form)
        else:
            messages.success(request, _("Convention %(ref)s résiliée.") % {"ref": convention.reference})
            return redirect(detail_url(convention))
    return _act_page(request, convention, "conventions/staff/terminate.html", form, status)
