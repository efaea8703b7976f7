"""The partners' yearly reports on a convention: the organisation's members fill one in (narrative, indicator
values or the amount spent per domain, documents), its gestionnaires file it once the year is over and it is
complete, and an officer accepts it or returns it for completion. The acts are the transitions of
:data:`~subsidia.conventions.workflow.REPORT_WORKFLOW`; only the organisation's own members make the partner's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, PermissionDenied, RuleViolation, Violation
from subsidia.core.uploads import DOCUMENTS, check_upload, store
from subsidia.core.versions import check_version, locked, save_bumped
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from .. import money, selectors
from ..errors import ConventionError
from ..inputs import ReportInput
from ..models import DomainSpending, Indicator, IndicatorValue, ReportDocument, ReportKind, YearlyReport
from ..workflow import REPORT_WORKFLOW, partner_act
from .common import AUDITED_REPORT, STALE, amount, members, officers, raise_if, report_url, today
from .schedule import sync


def _locked(actor: Actor, report: YearlyReport, act: str, expected_version: int | None = None) -> YearlyReport:
    """The report locked, if the actor sees it (404) and may make ``act`` on it now (403, 409)."""
    report = locked(selectors.reports_visible_to(actor), report, _("Rapport introuvable."))
    transition = REPORT_WORKFLOW[act]
    # The organisation's own members only (its gestionnaires for an act a simple member may not make).
    if partner_act(transition) and not selectors.is_member(actor, report.convention.organisation,
                                                           admin=Role.PARTNER_MEMBER not in transition.roles):
        raise PermissionDenied.single(Code.FORBIDDEN, str(REPORT_WORKFLOW.forbidden) % {"action": transition.label})
    REPORT_WORKFLOW.require(actor, report, act)
    check_version(report, expected_version, str(STALE))
    return report


def report_snapshot(report: YearlyReport) -> dict[str, Any]:
    """The report as the audit trail keeps it, with its figures and documents."""
    return {**snapshot(report, AUDITED_REPORT),
            "values": {str(v.indicator_id): str(v.value) for v in report.indicator_values.all()},
            "spending": {str(s.domain_id): str(s.spent) for s in report.spending.all()},
            "documents": [d.original_name for d in report.documents.all()]}


# --- filling in ----------------------------------------------------------------------------------

def _values(report: YearlyReport, data: ReportInput, problems: list[Violation]) -> list[IndicatorValue]:
    indicators = Indicator.objects.filter(domain__convention=report.convention).in_bulk()
    values = []
    for key, entry in (data.values or {}).items():
        indicator = indicators.get(key)
        if indicator is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Indicateur inconnu."), f"values.{key}"))
            continue
        value = None if entry.value is None else amount(entry.value, f"values.{key}", problems)
        if value is not None:
            values.append(IndicatorValue(report=report, indicator=indicator, value=value,
                                         comment=entry.comment.strip()))
    return values


def _spending(report: YearlyReport, data: ReportInput, problems: list[Violation]) -> list[DomainSpending]:
    domains = report.convention.domains.in_bulk()
    spending = []
    for key, spent in (data.spending or {}).items():
        domain = domains.get(key)
        if domain is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Domaine inconnu."), f"spending.{key}"))
            continue
        value = None if spent is None else amount(spent, f"spending.{key}", problems)
        if value is not None:
            spending.append(DomainSpending(report=report, domain=domain, spent=value))
    return spending


@transaction.atomic
def save_report(actor: Actor, report: YearlyReport, data: ReportInput,
                expected_version: int | None = None) -> YearlyReport:
    """The partner fills in its report: narrative, indicator values (activity report) or the amount spent
    per domain (financial statement); what ``data`` leaves None does not change."""
    report = _locked(actor, report, "report_save", expected_version)
    problems: list[Violation] = []
    activity = report.kind == ReportKind.ACTIVITY
    values = _values(report, data, problems) if activity and data.values is not None else None
    spending = _spending(report, data, problems) if not activity and data.spending is not None else None
    raise_if(problems)
    before = report_snapshot(report)
    if data.narrative is not None:
        report.narrative = data.narrative.strip()
    if values is not None:
        report.indicator_values.all().delete()
        IndicatorValue.objects.bulk_create(values)
    if spending is not None:
        report.spending.all().delete()
        DomainSpending.objects.bulk_create(spending)
    save_bumped(report)
    record(actor, "convention.report_save", report, before=before, after=report_snapshot(report))
    return report


@transaction.atomic
def add_report_document(actor: Actor, report: YearlyReport, upload: UploadedFile) -> ReportDocument:
    report = _locked(actor, report, "report_save")
    checked = check_upload(upload, DOCUMENTS)
    document = ReportDocument(report=report, original_name=(upload.name or "document")[:255],
                              content_type=checked.content_type, extension=checked.extension, size=checked.size,
                              uploaded_by=actor)
    store(document, checked, f"document.{checked.extension}")
    save_bumped(report)
    record(actor, "convention.report_document_add", report, after={
        "name": document.original_name, "content_type": checked.content_type, "size": checked.size})
    return document


# --- filing --------------------------------------------------------------------------------------

def _missing(report: YearlyReport) -> list[Violation]:
    """What a report lacks: the narrative and every indicator's value, or the spending of every domain
    granted something that year and the year's accounts."""
    problems: list[Violation] = []
    convention = report.convention
    if report.kind == ReportKind.ACTIVITY:
        if not report.narrative:
            problems.append(Violation(Code.REQUIRED, _("Décrivez les activités de l'année."), "narrative"))
        filled = {v.indicator_id for v in report.indicator_values.all()}
        for indicator in Indicator.objects.filter(domain__convention=convention).select_related("domain__activity"):
            if indicator.pk not in filled:
                problems.append(Violation(ConventionError.MISSING_INDICATOR, _(
                    "Valeur manquante : %(name)s (%(domain)s).") % {
                    "name": indicator.name, "domain": indicator.domain.activity}, f"values.{indicator.pk}"))
        return problems
    filled = {s.domain_id for s in report.spending.all()}
    for domain in convention.domains.select_related("activity"):
        if domain.pk not in filled and money.domain_granted(domain, report.year) > 0:
            problems.append(Violation(ConventionError.MISSING_SPENDING, _("Dépenses manquantes : %(domain)s.") % {
                "domain": domain.activity}, f"spending.{domain.pk}"))
    if not report.documents.exists():
        problems.append(Violation(Code.MISSING_DOCUMENT, _("Joignez les comptes de l'année (pièce justificative)."),
                                  "documents"))
    return problems


def report_problems(report: YearlyReport, day: date | None = None) -> list[Violation]:
    """What stops a report from being filed on ``day`` (today): the year must be over and the report
    complete."""
    day = day or today()
    problems: list[Violation] = []
    period = money.covered_period(report.convention, report.year)
    if period is not None and day <= period[1]:
        problems.append(Violation(ConventionError.YEAR_NOT_OVER, _(
            "Le rapport %(year)s se dépose après le %(date)s.") % {
            "year": report.year, "date": formats.date_format(period[1])}, "year"))
    return problems + _missing(report)


@transaction.atomic
def submit_report(actor: Actor, report: YearlyReport, expected_version: int | None = None) -> YearlyReport:
    report = _locked(actor, report, "report_submit", expected_version)
    raise_if(report_problems(report))

    def submitted(obj: YearlyReport) -> None:
        obj.submitted_at, obj.submitted_by = timezone.now(), actor

    REPORT_WORKFLOW.move(actor, report, "report_submit", audit_fields=AUDITED_REPORT, changes=submitted)
    notify(officers(), Kind.CONVENTION_REPORT_SUBMITTED, lambda: (
        _("%(kind)s %(year)s déposé : %(org)s") % {"kind": report.get_kind_display(), "year": report.year,
                                                   "org": report.convention.organisation},
        _("Convention %(ref)s.") % {"ref": report.convention.reference}), report_url(report))
    return report


# --- the officer's review ------------------------------------------------------------------------

def _review(actor: Actor, report: YearlyReport, act: str, comment: str, expected_version: int | None) -> YearlyReport:
    report = _locked(actor, report, act, expected_version)
    comment = comment.strip()
    if act == "report_return" and not comment:
        raise RuleViolation.single(Code.REQUIRED, _("Dites à l'organisation ce qui manque ou doit être corrigé."),
                                   "comment")

    def reviewed(obj: YearlyReport) -> None:
        obj.officer_comment, obj.reviewed_at, obj.reviewed_by = comment, timezone.now(), actor

    REPORT_WORKFLOW.move(actor, report, act, note=comment, audit_fields=AUDITED_REPORT, changes=reviewed)
    if report.kind == ReportKind.FINANCIAL:
        sync(report.convention)  # the balance follows the accepted statement
    notify(members(report.convention.organisation), Kind.CONVENTION_REPORT_REVIEWED, lambda: (
        _("%(kind)s %(year)s : %(status)s") % {"kind": report.get_kind_display(), "year": report.year,
                                               "status": report.get_status_display()},
        comment or _("Convention %(ref)s.") % {"ref": report.convention.reference}), report_url(report))
    return report


@transaction.atomic
def accept_report(actor: Actor, report: YearlyReport, comment: str = "",
                  expected_version: int | None = None) -> YearlyReport:
    return _review(actor, report, "report_accept", comment, expected_version)


@transaction.atomic
def return_report(actor: Actor, report: YearlyReport, comment: str,
                  expected_version: int | None = None) -> YearlyReport:
    return _review(actor, report, "report_return", comment, expected_version)
