"""The eligibility rules of a call, run at submission and shown while drafting.

Each rule looks at an application and returns the violations it finds (code, French message, field);
:func:`check` runs them all, so that every failing rule is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from subsidia.core.errors import Code, Violation
from subsidia.organisations.models import LegalForm

from .errors import GrantError
from .models import Application, ApplicationDocumentKind, QuestionKind

Rule = Callable[[Application, date], list[Violation]]


def filing_date(application: Application, today: date) -> date:
    """The date the file counts as filed: its first submission (a resubmission after a request for
    information keeps it), or today for a draft."""
    return application.first_submitted_on or today


def incomplete(application: Application, today: date) -> list[Violation]:
    problems = []
    if not application.title.strip():
        problems.append(Violation(GrantError.INCOMPLETE, _("Le titre du projet est obligatoire."), "title"))
    if not application.summary.strip():
        problems.append(Violation(GrantError.INCOMPLETE, _("Le résumé du projet est obligatoire."), "summary"))
    if application.start_date is None:
        problems.append(Violation(GrantError.INCOMPLETE, _("La date de début du projet est obligatoire."),
                                  "start_date"))
    if application.end_date is None:
        problems.append(Violation(GrantError.INCOMPLETE, _("La date de fin du projet est obligatoire."), "end_date"))
    if not application.requested_amount:
        problems.append(Violation(GrantError.INCOMPLETE, _("Le montant demandé est obligatoire."), "requested_amount"))
    if application.priority_id is None and application.call.priorities.exists():
        problems.append(Violation(GrantError.INCOMPLETE, _("Indiquez la priorité de l'appel que le projet vise."),
                                  "priority"))
    return problems


def lead_time(application: Application, today: date) -> list[Violation]:
    """A project is filed at least ``min_lead_weeks`` weeks before it starts (exactly that many passes)."""
    if application.start_date is None:
        return []
    filed = filing_date(application, today)
    earliest = filed + timedelta(weeks=application.call.min_lead_weeks)
    if application.start_date < earliest:
        return [Violation(
            GrantError.LEAD_TIME,
            _("Le projet doit être déposé au moins %(weeks)s semaines avant son début : déposé le %(filed)s, "
              "il peut commencer au plus tôt le %(earliest)s.") % {
                "weeks": application.call.min_lead_weeks, "filed": formats.date_format(filed),
                "earliest": formats.date_format(earliest)},
            "start_date",
        )]
    return []


def dates_invalid(application: Application, today: date) -> list[Violation]:
    if application.start_date and application.end_date and application.end_date < application.start_date:
        return [Violation(Code.DATES_INVALID, _("La date de fin précède la date de début du projet."), "end_date")]
    return []


def legal_form(application: Application, today: date) -> list[Violation]:
    eligible = application.call.eligible_legal_forms
    if eligible and application.organisation.legal_form not in eligible:
        labels = ", ".join(str(LegalForm(form).label) for form in eligible if form in LegalForm.values)
        return [Violation(
            GrantError.LEGAL_FORM,
            _("La forme juridique de l'organisation (%(form)s) n'est pas admise par cet appel ; "
              "peuvent déposer : %(eligible)s.") % {
                "form": application.organisation.get_legal_form_display(), "eligible": labels},
            "organisation",
        )]
    return []


def call_closed(application: Application, today: date) -> list[Violation]:
    call = application.call
    filed = filing_date(application, today)
    if not call.is_published:
        return [Violation(GrantError.CALL_CLOSED, _("Cet appel n'est pas publié."), "call")]
    if call.opens_on and filed < call.opens_on:
        return [Violation(GrantError.CALL_CLOSED, _("L'appel n'ouvre que le %(date)s.") % {
            "date": formats.date_format(call.opens_on)}, "call")]
    if call.closes_on and filed > call.closes_on:
        return [Violation(GrantError.CALL_CLOSED, _("L'appel est clos depuis le %(date)s.") % {
            "date": formats.date_format(call.closes_on)}, "call")]
    return []


def missing_document(application: Application, today: date) -> list[Violation]:
    present = {(d.kind, d.question_key) for d in application.documents.all()}
    problems = []
    for kind in application.call.required_document_kinds:
        if (kind, "") not in present:
            label = ApplicationDocumentKind(kind).label if kind in ApplicationDocumentKind.values else kind
            problems.append(Violation(Code.MISSING_DOCUMENT, _("Document manquant : %(kind)s.") % {"kind": label},
                                      "documents"))
    answers = application.answers or {}
    for question in application.call.questions.all():
        if question.kind == QuestionKind.FILE and question.required and question.is_shown(answers) \
                and (ApplicationDocumentKind.ANSWER, question.key) not in present:
            problems.append(Violation(Code.MISSING_DOCUMENT, _("Document manquant : %(kind)s.") % {
                "kind": question.label}, f"answers.{question.key}"))
    return problems


def missing_answer(application: Application, today: date) -> list[Violation]:
    answers = application.answers or {}
    problems = []
    for question in application.call.questions.all():
        if question.kind == QuestionKind.FILE or not question.required or not question.is_shown(answers):
            continue
        if str(answers.get(question.key, "")).strip() == "":
            problems.append(Violation(GrantError.MISSING_ANSWER,
                                      _("Réponse obligatoire : %(q)s") % {"q": question.label},
                                      f"answers.{question.key}"))
    return problems


def budget_unbalanced(application: Application, today: date) -> list[Violation]:
    """The budget balances when expenses = other incomes + the requested amount."""
    totals = application.totals()
    requested = application.requested_amount or Decimal(0)
    if totals["expenses"] != totals["incomes"] + requested:
        return [Violation(
            GrantError.BUDGET_UNBALANCED,
            _("Le budget n'est pas équilibré : dépenses %(expenses)s €, autres recettes %(incomes)s € "
              "et montant demandé %(requested)s € (écart %(gap)s €).") % {
                "expenses": formats.number_format(totals["expenses"], 2, use_l10n=True, force_grouping=True),
                "incomes": formats.number_format(totals["incomes"], 2, use_l10n=True, force_grouping=True),
                "requested": formats.number_format(requested, 2, use_l10n=True, force_grouping=True),
                "gap": formats.number_format(totals["expenses"] - totals["incomes"] - requested, 2,
                                             use_l10n=True, force_grouping=True)},
            "budget_lines",
        )]
    return []


RULES: dict[str, Rule] = {
    GrantError.INCOMPLETE: incomplete,
    GrantError.LEAD_TIME: lead_time,
    Code.DATES_INVALID: dates_invalid,
    GrantError.LEGAL_FORM: legal_form,
    GrantError.CALL_CLOSED: call_closed,
    Code.MISSING_DOCUMENT: missing_document,
    GrantError.MISSING_ANSWER: missing_answer,
    GrantError.BUDGET_UNBALANCED: budget_unbalanced,
}


def check(application: Application, today: date) -> list[Violation]:
    """Every violation of every rule, in the order of :data:`RULES`."""
    return [violation for rule in RULES.values() for violation in rule(application, today)]


def results(application: Application, today: date) -> list[dict[str, object]]:
    """Each rule with its result, as stored on an :class:`EligibilityCheck`."""
    out: list[dict[str, object]] = []
    for code, rule in RULES.items():
        violations = rule(application, today)
        out.append({"rule": code, "passed": not violations,
                    "violations": [v.as_dict() for v in violations]})
    return out
