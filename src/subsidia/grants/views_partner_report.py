"""After the decision: the partner's final report (deliverables, actual budget, report document) and the
decision letter (PDF, made again if its file is gone)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from subsidia.accounts.access import PARTNER_ADMINS
from subsidia.core.access import SIGNED_IN, access
from subsidia.core.errors import Conflict, RuleViolation, Violation
from subsidia.core.forms import error_summary

from . import selectors
from .forms_partner import DocumentForm, FinalReportForm, budget_formset, budget_lines
from .letters import store_decision_letter
from .models import ApplicationDocumentKind, BudgetLine, Decision, FinalReport, State
from .services import drafting as drafting_services
from .services import reports as report_services
from .views_partner import application_or_404, documents_by_kind, raise_for
from .views_partner_drafting import add_errors
from .views_staff import actor_of

# --- after the decision: the final report and the letter --------------------------------------------------------


@access(PARTNER_ADMINS)
@require_http_methods(["GET", "POST"])
def final_report(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_or_404(request, pk)
    if not selectors.is_member_of(request.user, application, admin=True):
        raise DjangoPermissionDenied(_("Seul un gestionnaire de l'organisation dépose le rapport final."))
    if application.state != State.IN_PROGRESS:
        messages.error(request, _("Le rapport final se dépose quand le projet est en cours (état actuel : "
                                  "« %(state)s »).") % {"state": application.get_state_display()})
        return redirect("grants:application_detail", pk=pk)
    report = FinalReport.objects.filter(application=application).first()
    status = 200
    if request.method == "POST":
        form = FinalReportForm(request.POST)
        formset = budget_formset(request.POST, prefix="actual")
        if form.is_valid() and formset.is_valid():
            lines, rows = budget_lines(formset)
            try:
                report_services.submit_report(actor_of(request), application,
                                              deliverables=form.cleaned_data["deliverables"],
                                              narrative=form.cleaned_data["narrative"], actual_budget_lines=lines,
                                              expected_version=form.cleaned_data["version"])
            except Conflict as error:
                messages.error(request, str(error))
                status = 409
            except RuleViolation as error:
                raise_for(error)
                for violation in error.violations:
                    if violation.field == "actual_budget_lines":
                        violation = Violation(violation.code, violation.message, "budget_lines")
                    add_errors(form, formset, rows, RuleViolation(violation))
                status = 422
            else:
                messages.success(request, _("Rapport final déposé. Le ministère va l'examiner."))
                return redirect("grants:application_detail", pk=pk)
        else:
            status = 422
    else:
        form = FinalReportForm(initial={"version": application.version,
                                        "deliverables": report.deliverables if report else "",
                                        "narrative": report.narrative if report else ""})
        actual = application.lines(BudgetLine.Stage.ACTUAL)
        formset = budget_formset(lines=actual or application.lines(), prefix="actual")
    documents = [d for d in documents_by_kind(application)
                 if d["kind"] in drafting_services.DOCUMENT_KINDS_BY_STAGE["reporting"]]
    return render(request, "grants/partner/final_report.html", {
        "application": application, "form": form, "formset": formset, "report": report,
        "prefilled_from_plan": not application.lines(BudgetLine.Stage.ACTUAL),
        "documents": documents,
        "document_form": DocumentForm(kinds=[ApplicationDocumentKind.FINAL_REPORT,
                                             ApplicationDocumentKind.ACTUAL_BUDGET, ApplicationDocumentKind.ANNEX]),
        "has_report_document": any(d["kind"] == ApplicationDocumentKind.FINAL_REPORT for d in documents),
        "error_summary": error_summary(form, formset),
    }, status=status)


@access(SIGNED_IN)
@require_GET
def decision_letter(request: HttpRequest, pk: int) -> FileResponse:
    application = application_or_404(request, pk)
    decision = Decision.objects.filter(application=application, confirmed_at__isnull=False).select_related(
        "application__call", "application__organisation").first()
    if decision is None:
        raise Http404(_("Aucune décision définitive pour cette demande."))
    if not decision.letter or not decision.letter.storage.exists(decision.letter.name):
        decision = store_decision_letter(decision)
    return FileResponse(decision.letter.open("rb"), as_attachment=True,
                        filename=f"decision-{application.reference}.pdf", content_type="application/pdf")
