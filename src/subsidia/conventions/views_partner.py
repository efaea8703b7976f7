"""The partner's writes on a yearly report from its page: adding a document and filing the report (saving
it is a POST to the report's page, in views.py). Another organisation's report answers 404; a simple member
who tries to file gets 403 (the gestionnaire files); what stops the filing is listed on the page (422)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from subsidia.accounts.access import PARTNERS
from subsidia.accounts.actors import signed_in
from subsidia.core.access import access
from subsidia.core.errors import Conflict, RuleViolation

from .forms_partner import ReportDocumentForm, SubmitForm
from .services.reports import add_report_document, submit_report
from .views import raise_for, report_page, visible_report


@access(PARTNERS)
@require_POST
def report_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_report(request, pk)
    form = ReportDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = add_report_document(signed_in(request), report, form.cleaned_data["file"])
        except RuleViolation as error:
            raise_for(error)
            if isinstance(error, Conflict):
                return report_page(request, report, status=409, conflict=error)
            for violation in error.violations:
                form.add_error("file" if violation.field in {"file", None} else None, str(violation.message))
        else:
            messages.success(request, _("Document ajouté : %(name)s.") % {"name": document.original_name})
            return redirect("conventions:report", pk=report.pk)
    return report_page(request, report, document_form=form, status=422)


@access(PARTNERS)
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_report(request, pk)
    form = SubmitForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        submit_report(signed_in(request), report, expected_version=version)
    except Conflict as error:
        raise_for(error)
        return report_page(request, report, status=409, conflict=error)
    except RuleViolation as error:
        raise_for(error)
        messages.error(request, ngettext(
            "Le rapport n'a pas été déposé : une condition n'est pas remplie.",
            "Le rapport n'a pas été déposé : %(n)s conditions ne sont pas remplies.",
            len(error.violations)) % {"n": len(error.violations)})
        return report_page(request, report, status=422, refused=error.violations)
    messages.success(request, _("Rapport déposé. Le ministère va l'examiner ; vous serez averti de sa réponse."))
    return redirect("conventions:report", pk=report.pk)
