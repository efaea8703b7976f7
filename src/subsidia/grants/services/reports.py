"""After the project: the partner files the final report (deliverables, actual budget, report document),
the officer returns it or closes the file once every tranche is paid."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.core.errors import Code, RuleViolation, Violation
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from ..errors import GrantError
from ..inputs import BudgetLineInput
from ..models import Application, ApplicationDocumentKind, BudgetLine, FinalReport
from .common import application_url, move, officers, opened
from .drafting import budget_lines, save_lines


@transaction.atomic
def submit_report(actor: Actor, application: Application, *, deliverables: str, narrative: str = "",
                  actual_budget_lines: Sequence[BudgetLineInput] | None = None,
                  expected_version: int | None = None) -> FinalReport:
    """The partner files the final report: deliverables, actual budget and documents."""
    application = opened(actor, application, "submit_report", expected_version)
    problems: list[Violation] = []
    if not (deliverables or "").strip():
        problems.append(Violation(Code.REQUIRED, _("Décrivez les réalisations du projet."), "deliverables"))
    lines = None
    if actual_budget_lines is not None:
        line_problems: list[Violation] = []
        lines = budget_lines(actual_budget_lines, line_problems)
        if line_problems:
            problems.extend(line_problems)
            lines = None
    if not lines and not application.budget_lines.filter(stage=BudgetLine.Stage.ACTUAL).exists():
        problems.append(Violation(Code.REQUIRED, _("Indiquez le budget réalisé (au moins une dépense)."),
                                  "actual_budget_lines"))
    if not application.documents.filter(kind=ApplicationDocumentKind.FINAL_REPORT).exists():
        problems.append(Violation(Code.MISSING_DOCUMENT, _("Document manquant : %(kind)s.") % {
            "kind": ApplicationDocumentKind.FINAL_REPORT.label}, "documents"))
    if problems:
        raise RuleViolation(problems)
    if lines is not None:
        save_lines(application, lines, BudgetLine.Stage.ACTUAL)
    report, _created = FinalReport.objects.update_or_create(application=application, defaults={
        "deliverables": deliverables.strip(), "narrative": (narrative or "").strip(), "submitted_by": actor,
        "submitted_at": timezone.now(), "returned_comment": ""})
    application = move(actor, application, "submit_report")
    notify(officers(), Kind.REPORT_SUBMITTED, lambda: (
        _("%(ref)s : rapport final déposé") % {"ref": application.reference},
        _("L'organisation %(org)s a déposé le rapport final de « %(title)s ».") % {
            "org": application.organisation.name, "title": application.title}), application_url(application))
    return report


@transaction.atomic
def return_report(actor: Actor, application: Application, comment: str,
                  expected_version: int | None = None) -> Application:
    application = opened(actor, application, "return_report", expected_version)
    if not (comment or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Expliquez ce qui manque au rapport."), "comment")
    FinalReport.objects.filter(application=application).update(returned_comment=comment.strip())
    return move(actor, application, "return_report", note=comment.strip())


@transaction.atomic
def close(actor: Actor, application: Application, expected_version: int | None = None) -> Application:
    """The officer closes the file once the report is in and every tranche is paid."""
    application = opened(actor, application, "close", expected_version)
    unpaid = application.tranches.filter(paid_on__isnull=True).count()
    if unpaid:
        raise RuleViolation.single(GrantError.UNPAID_TRANCHES, _(
            "%(n)s tranche(s) restent à payer avant la clôture.") % {"n": unpaid}, "tranches")
    return move(actor, application, "close")
