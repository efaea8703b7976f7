"""Writes on conventions: preparing, signing, amending and terminating them, recording payments, and the
partners' yearly reports. Each service takes the acting user first, checks who may do it, runs in one
transaction, writes the audit trail and notifies on commit; a refused change raises a
:class:`~subsidia.core.errors.RuleViolation` and leaves nothing behind.

Order of the checks: may the actor see the object (404), may their role do this (403), is the act allowed
in the current status and is the actor's copy current (409), do the rules hold (422).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.uploads import DOCUMENTS, check_upload, store
from subsidia.core.values import parse_date, parse_id, parse_money
from subsidia.core.versions import check_version, locked, save_bumped
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify
from subsidia.organisations.models import ActivityDomain, LegalForm, Organisation

from . import money, selectors
from .errors import ConventionError
from .models import (
    Amendment,
    AmendmentLine,
    Convention,
    ConventionDomain,
    DomainSpending,
    Indicator,
    IndicatorValue,
    ReportDocument,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    YearlyReport,
)
from .workflow import CONVENTION_WORKFLOW, REPORT_WORKFLOW, partner_act

CONVENTION_FIELDS = ["department", "organisation", "reference", "title", "starts_on", "ends_on", "advance_percent",
                     "notes"]
AUDITED_CONVENTION = [*CONVENTION_FIELDS, "signed_on", "signed_by_partner_on", "terminated_on",
                      "termination_reason", "version"]
AUDITED_REPORT = ["status", "narrative", "officer_comment", "version"]


# --- helpers -------------------------------------------------------------------------------------

def _today() -> date:
    return timezone.localdate()


def _url(convention: Convention) -> str:
    return reverse("conventions:detail", kwargs={"pk": convention.pk})


def _report_url(report: YearlyReport) -> str:
    return reverse("conventions:report", kwargs={"pk": report.pk})


def _members(organisation: Organisation) -> Iterable[User]:
    return User.objects.filter(memberships__organisation=organisation, is_active=True).distinct()


def _officers() -> Iterable[User]:
    return User.objects.filter(role_grants__role=Role.OFFICER, is_active=True).distinct()


STALE = _lazy("Ce dossier a été modifié entre-temps par quelqu'un d'autre (version %(current)s, vous éditiez la "
              "version %(yours)s). Rechargez-le : vos changements n'ont pas été enregistrés.")


def _notify_partner(convention: Convention, message: Any) -> None:
    notify(_members(convention.organisation), Kind.CONVENTION, message, _url(convention))


# --- preparing a convention ----------------------------------------------------------------------

def next_reference(year: int) -> str:
    count = Convention.objects.filter(starts_on__year=year).count() + 1
    while Convention.objects.filter(reference=f"CONV-{year}-{count:03d}").exists():
        count += 1
    return f"CONV-{year}-{count:03d}"


def _organisation(value: Any, field: str, problems: list[Violation]) -> Organisation | None:
    found = Organisation.objects.filter(pk=parse_id(value) or 0).first()
    if found is None:
        problems.append(Violation(Code.INVALID_CHOICE, _("Organisation inconnue."), field))
    return found


def _collect(problems: list[Violation], parse: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return parse(*args, **kwargs)
    except RuleViolation as error:
        problems.extend(error.violations)
        return None


def _convention_data(data: dict[str, Any], convention: Convention | None) -> dict[str, Any]:
    """Validate a convention's own fields; every problem is reported at once."""
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    for key in ("title", "reference", "notes"):
        if key in data:
            clean[key] = str(data[key] or "").strip()
    for key in ("department", "organisation"):
        if key in data:
            clean[key] = _organisation(data[key], key, problems)
        elif convention is None:
            problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
    if clean.get("department") is not None and clean["department"].legal_form != LegalForm.ADMINISTRATION:
        problems.append(Violation(Code.INVALID_CHOICE, _("Le département doit être une administration publique."),
                                  "department"))
    if clean.get("organisation") is not None and clean["organisation"].legal_form == LegalForm.ADMINISTRATION:
        problems.append(Violation(Code.INVALID_CHOICE, _("Une convention lie le ministère à une organisation "
                                                      "partenaire, pas à une administration."), "organisation"))
    for key in ("starts_on", "ends_on"):
        if key in data or convention is None:
            clean[key] = _collect(problems, parse_date, data.get(key), key)
    if "advance_percent" in data:
        try:
            percent = int(data["advance_percent"])
            if not 0 <= percent <= 100:
                raise ValueError
            clean["advance_percent"] = percent
        except (TypeError, ValueError):
            problems.append(Violation(Code.INVALID, _("Un pourcentage entre 0 et 100 est attendu."), "advance_percent"))
    title = clean.get("title", convention.title if convention else "")
    if not title:
        problems.append(Violation(Code.REQUIRED, _("L'intitulé est obligatoire."), "title"))
    elif len(title) > 200:
        problems.append(Violation(Code.INVALID, _("L'intitulé ne peut dépasser 200 caractères."), "title"))
    starts_on = clean.get("starts_on", convention.starts_on if convention else None)
    ends_on = clean.get("ends_on", convention.ends_on if convention else None)
    if starts_on and ends_on and ends_on < starts_on:
        problems.append(Violation(Code.DATES_INVALID, _("La fin de la convention précède son début."), "ends_on"))
    reference = clean.get("reference")
    if reference:
        clash = Convention.objects.filter(reference=reference)
        if convention is not None:
            clash = clash.exclude(pk=convention.pk)
        if clash.exists():
            problems.append(Violation(Code.DUPLICATE, _("Cette référence est déjà utilisée."), "reference"))
    if problems:
        raise RuleViolation(problems)
    return clean


def _domains_data(items: Iterable[dict[str, Any]]) -> list[tuple[ConventionDomain, list[Indicator]]]:
    problems: list[Violation] = []
    domains: list[tuple[ConventionDomain, list[Indicator]]] = []
    seen: set[int] = set()
    for index, item in enumerate(items):
        where = f"domains.{index}"
        activity = ActivityDomain.objects.filter(pk=parse_id(item.get("activity")) or 0).first()
        if activity is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Domaine d'activité inconnu."), f"{where}.activity"))
        elif activity.pk in seen:
            problems.append(Violation(Code.DUPLICATE, _("Ce domaine figure deux fois dans la convention."),
                                      f"{where}.activity"))
        else:
            seen.add(activity.pk)
        amount = _collect(problems, parse_money, item.get("yearly_amount"), f"{where}.yearly_amount")
        fte = _collect(problems, parse_money, item.get("fte") or 0, f"{where}.fte")
        indicators = []
        for position, entry in enumerate(item.get("indicators") or []):
            name = str(entry.get("name") or "").strip()
            unit = str(entry.get("unit") or "").strip()
            if not name or not unit:
                problems.append(Violation(Code.REQUIRED, _("Chaque indicateur a un nom et une unité."),
                                          f"{where}.indicators.{position}"))
            target = _collect(problems, parse_money, entry.get("yearly_target"),
                              f"{where}.indicators.{position}.yearly_target")
            indicators.append(Indicator(name=name[:200], unit=unit[:50], yearly_target=target or 0, position=position))
        domains.append((ConventionDomain(activity=activity, description=str(item.get("description") or "").strip(),
                                         yearly_amount=amount or 0, fte=fte or 0, position=index), indicators))
    if problems:
        raise RuleViolation(problems)
    return domains


def _save_domains(convention: Convention, domains: list[tuple[ConventionDomain, list[Indicator]]]) -> None:
    convention.domains.all().delete()
    for domain, indicators in domains:
        domain.convention = convention
        domain.save()
        for indicator in indicators:
            indicator.domain = domain
        Indicator.objects.bulk_create(indicators)


def _domains_snapshot(convention: Convention) -> list[dict[str, Any]]:
    return [{"activity": str(d.activity), "yearly_amount": str(d.yearly_amount), "fte": str(d.fte),
             "indicators": [[i.name, i.unit, str(i.yearly_target)] for i in d.indicators.all()]}
            for d in ConventionDomain.objects.filter(convention=convention).select_related("activity")
            .prefetch_related("indicators")]


@transaction.atomic
def create_convention(actor: Any, data: dict[str, Any]) -> Convention:
    """An officer prepares a convention (a draft), with its domains and their indicators."""
    if not actor.is_authenticated or not actor.has_role(Role.OFFICER):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un agent gestionnaire prépare une convention."))
    problems: list[Violation] = []
    clean = _collect(problems, _convention_data, data, None)
    domains = _collect(problems, _domains_data, data.get("domains") or [])
    if problems:
        raise RuleViolation(problems)
    if not clean.get("reference"):
        clean["reference"] = next_reference(clean["starts_on"].year)
    convention = Convention.objects.create(created_by=actor, **clean)
    _save_domains(convention, domains)
    record(actor, "convention.create", convention, after={**snapshot(convention, AUDITED_CONVENTION),
                                                          "domains": _domains_snapshot(convention)})
    return convention


@transaction.atomic
def update_convention(actor: Any, convention: Convention, data: dict[str, Any],
                      expected_version: int | None = None) -> Convention:
    """Change a draft convention (its fields, and its domains when ``data`` has "domains")."""
    convention = locked(selectors.conventions_visible_to(actor), convention, _("Convention introuvable."))
    CONVENTION_WORKFLOW.require(actor, convention, "edit")
    check_version(convention, expected_version, str(STALE))
    problems: list[Violation] = []
    clean = _collect(problems, _convention_data, data, convention)
    domains = _collect(problems, _domains_data, data["domains"]) if "domains" in data else None
    if problems:
        raise RuleViolation(problems)
    before = {**snapshot(convention, AUDITED_CONVENTION), "domains": _domains_snapshot(convention)}
    for key, value in clean.items():
        if key == "reference" and not value:
            continue
        setattr(convention, key, value)
    save_bumped(convention)
    if domains is not None:
        _save_domains(convention, domains)
    record(actor, "convention.update", convention, before=before,
           after={**snapshot(convention, AUDITED_CONVENTION), "domains": _domains_snapshot(convention)})
    return convention


@transaction.atomic
def delete_convention(actor: Any, convention: Convention, expected_version: int | None = None) -> None:
    convention = locked(selectors.conventions_visible_to(actor), convention, _("Convention introuvable."))
    CONVENTION_WORKFLOW.require(actor, convention, "delete")
    check_version(convention, expected_version, str(STALE))
    record(actor, "convention.delete", convention, before=snapshot(convention, AUDITED_CONVENTION))
    convention.delete()


# --- signing, amending, terminating --------------------------------------------------------------

def _sync(convention: Convention) -> None:
    """Bring the expected reports and the unpaid payment lines in line with the convention's dates and
    amounts. Reports already filed and payments already made are never touched."""
    convention = selectors.with_details(Convention.objects.all()).get(pk=convention.pk)
    years = money.covered_years(convention)
    for year in years:
        for kind in ReportKind.values:
            YearlyReport.objects.get_or_create(convention=convention, year=year, kind=kind,
                                               defaults={"due_on": money.report_due_on(year)})
    convention.reports.filter(status=ReportStatus.EXPECTED, submitted_at__isnull=True).exclude(
        year__in=years).delete()
    existing = list(convention.payments.all())
    convention.payments.filter(paid_on__isnull=True).delete()
    for year in years:
        for line in money.plan_year(convention, year, existing):
            if not any(p.year == year and p.kind == line.kind and p.position == line.position and p.paid_on
                       for p in existing):
                ScheduledPayment.objects.create(convention=convention, year=year, kind=line.kind,
                                                position=line.position, due_on=line.due_on, amount=line.amount)


@transaction.atomic
def sign_convention(actor: Any, convention: Convention, *, signed_on: Any = None, signed_by_partner_on: Any = None,
                    expected_version: int | None = None) -> Convention:
    """The approver signs for the ministry: the convention's reports and payment schedule are set up."""
    convention = locked(selectors.conventions_visible_to(actor), convention, _("Convention introuvable."))
    CONVENTION_WORKFLOW.require(actor, convention, "sign")
    check_version(convention, expected_version, str(STALE))
    problems: list[Violation] = []
    day = _collect(problems, parse_date, signed_on or _today(), "signed_on")
    partner_day = _collect(problems, parse_date, signed_by_partner_on, "signed_by_partner_on", required=False)
    if day and day > _today():
        problems.append(Violation(ConventionError.FUTURE_DATE,
            _("La date de signature ne peut être dans le futur."), "signed_on"))
    if partner_day and day and partner_day > day:
        problems.append(Violation(Code.DATES_INVALID, _("L'organisation signe avant ou le même jour que le ministère."),
                                  "signed_by_partner_on"))
    domains = list(convention.domains.all())
    if not domains:
        problems.append(Violation(ConventionError.NO_DOMAIN,
            _("La convention doit couvrir au moins un domaine d'activité."),
                                  "domains"))
    elif sum((d.yearly_amount for d in domains), Decimal(0)) <= 0:
        problems.append(Violation(ConventionError.NO_AMOUNT, _("La convention n'accorde aucun montant."), "domains"))
    if problems:
        raise RuleViolation(problems)

    def signed(obj: Convention) -> None:
        obj.signed_on, obj.signed_by_partner_on, obj.signed_by = day, partner_day, actor

    CONVENTION_WORKFLOW.move(actor, convention, "sign", audit_fields=AUDITED_CONVENTION, changes=signed)
    _sync(convention)
    _notify_partner(convention, lambda: (
        _("Convention %(ref)s signée") % {"ref": convention.reference},
        _("La convention « %(title)s » est signée ; elle court du %(start)s au %(end)s.") % {
            "title": convention.title, "start": formats.date_format(convention.starts_on),
            "end": formats.date_format(convention.ends_on)}))
    return convention


def _amendment_lines(convention: Convention, items: Iterable[dict[str, Any]]) -> list[AmendmentLine]:
    problems: list[Violation] = []
    domains = {d.pk: d for d in convention.domains.all()}
    lines: list[AmendmentLine] = []
    for index, item in enumerate(items):
        domain = domains.get(parse_id(item.get("domain")) or -1)
        if domain is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Ce domaine n'appartient pas à la convention."),
                                      f"lines.{index}.domain"))
            continue
        amount = _collect(problems, parse_money, item.get("yearly_amount"), f"lines.{index}.yearly_amount")
        fte = _collect(problems, parse_money, item.get("fte", money.rate_on(domain, convention.ends_on).fte),
                       f"lines.{index}.fte")
        if amount is not None and fte is not None:
            lines.append(AmendmentLine(domain=domain, yearly_amount=amount, fte=fte))
    if len({line.domain.pk for line in lines}) != len(lines):
        problems.append(Violation(Code.DUPLICATE, _("Un domaine figure deux fois dans l'avenant."), "lines"))
    if problems:
        raise RuleViolation(problems)
    return lines


@transaction.atomic
def amend_convention(actor: Any, convention: Convention, *, signed_on: Any, effective_from: Any, summary: str,
                     ends_on: Any = None, lines: Iterable[dict[str, Any]] = (),
                     expected_version: int | None = None) -> Amendment:
    """Record a signed amendment: new yearly amounts for some domains from ``effective_from``, and/or a new
    end date. The schedule's unpaid lines and the expected reports follow."""
    convention = locked(selectors.conventions_visible_to(actor), convention, _("Convention introuvable."))
    CONVENTION_WORKFLOW.require(actor, convention, "amend")
    check_version(convention, expected_version, str(STALE))
    problems: list[Violation] = []
    signed = _collect(problems, parse_date, signed_on, "signed_on")
    effective = _collect(problems, parse_date, effective_from, "effective_from")
    new_end = _collect(problems, parse_date, ends_on, "ends_on", required=False) or convention.ends_on
    summary = str(summary or "").strip()
    if not summary:
        problems.append(Violation(Code.REQUIRED, _("Décrivez l'objet de l'avenant."), "summary"))
    if signed and signed > _today():
        problems.append(Violation(ConventionError.FUTURE_DATE,
            _("La date de signature ne peut être dans le futur."), "signed_on"))
    if effective and not convention.starts_on <= effective <= convention.last_day:
        problems.append(Violation(ConventionError.OUT_OF_PERIOD,
            _("L'avenant prend effet pendant la convention (du %(start)s au "
                                                     "%(end)s).") % {
            "start": formats.date_format(convention.starts_on), "end": formats.date_format(convention.last_day)},
            "effective_from"))
    if effective and new_end < effective:
        problems.append(Violation(Code.DATES_INVALID, _("La nouvelle fin précède la prise d'effet."), "ends_on"))
    if convention.terminated_on and new_end != convention.ends_on:
        problems.append(Violation(ConventionError.TERMINATED,
            _("Une convention résiliée ne peut être prolongée."), "ends_on"))
    paid_after = convention.payments.filter(paid_on__isnull=False, year__gt=new_end.year).exists()
    if paid_after:
        problems.append(Violation(ConventionError.PAID_YEARS,
            _("Des paiements ont déjà été faits pour des années après la "
                                                  "nouvelle fin."), "ends_on"))
    amendment_lines = _collect(problems, _amendment_lines, convention, lines) or []
    if not problems and not amendment_lines and new_end == convention.ends_on:
        problems.append(Violation(ConventionError.EMPTY, _("L'avenant ne change ni montant ni date de fin."), "lines"))
    if problems:
        raise RuleViolation(problems)
    before = {**snapshot(convention, AUDITED_CONVENTION), "amendments": convention.amendments.count()}
    number = (max((a.number for a in convention.amendments.all()), default=0)) + 1
    amendment = Amendment.objects.create(convention=convention, number=number, signed_on=signed,
                                         effective_from=effective, previous_ends_on=convention.ends_on, ends_on=new_end,
                                         summary=summary, created_by=actor)
    for line in amendment_lines:
        line.amendment = amendment
    AmendmentLine.objects.bulk_create(amendment_lines)
    convention.ends_on = new_end
    save_bumped(convention)
    _sync(convention)
    record(actor, "convention.amend", convention, before=before, after={
        **snapshot(convention, AUDITED_CONVENTION), "amendments": number,
        "amendment": {"number": number, "effective_from": str(effective), "ends_on": str(new_end),
                      "lines": [[str(line.domain), str(line.yearly_amount), str(line.fte)]
                                for line in amendment_lines]}})
    _notify_partner(convention, lambda: (
        _("Convention %(ref)s : avenant n° %(n)s") % {"ref": convention.reference, "n": number}, summary))
    return amendment


@transaction.atomic
def terminate_convention(actor: Any, convention: Convention, *, terminated_on: Any, reason: str,
                         expected_version: int | None = None) -> Convention:
    """End a convention early, with a reason: no report nor payment is expected after it ends."""
    convention = locked(selectors.conventions_visible_to(actor), convention, _("Convention introuvable."))
    CONVENTION_WORKFLOW.require(actor, convention, "terminate")
    check_version(convention, expected_version, str(STALE))
    if convention.terminated_on is not None:
        raise Conflict.single(ConventionError.ALREADY_TERMINATED,
            _("La convention est déjà résiliée à compter du %(date)s.") % {
            "date": formats.date_format(convention.terminated_on)}, "terminated_on")
    problems: list[Violation] = []
    day = _collect(problems, parse_date, terminated_on, "terminated_on")
    reason = str(reason or "").strip()
    if not reason:
        problems.append(Violation(Code.REQUIRED, _("Le motif de la résiliation est obligatoire."), "reason"))
    if day and not convention.starts_on <= day <= convention.ends_on:
        problems.append(Violation(ConventionError.OUT_OF_PERIOD,
            _("La résiliation prend effet pendant la convention (du %(start)s "
                                                     "au %(end)s).") % {
            "start": formats.date_format(convention.starts_on), "end": formats.date_format(convention.ends_on)},
            "terminated_on"))
    if day and convention.payments.filter(paid_on__isnull=False, year__gt=day.year).exists():
        problems.append(Violation(ConventionError.PAID_YEARS,
            _("Des paiements ont déjà été faits pour des années après la "
                                                  "résiliation."), "terminated_on"))
    if problems:
        raise RuleViolation(problems)

    def terminated(obj: Convention) -> None:
        obj.terminated_on, obj.termination_reason = day, reason

    CONVENTION_WORKFLOW.move(actor, convention, "terminate", note=reason, audit_fields=AUDITED_CONVENTION,
                             changes=terminated)
    _sync(convention)
    _notify_partner(convention, lambda: (
        _("Convention %(ref)s résiliée") % {"ref": convention.reference},
        _("La convention « %(title)s » est résiliée à compter du %(date)s. Motif : %(reason)s") % {
            "title": convention.title, "date": formats.date_format(day), "reason": reason}))
    return convention


# --- payments ------------------------------------------------------------------------------------

@transaction.atomic
def record_payment(actor: Any, payment: ScheduledPayment, *, paid_on: Any = None,
                   payment_reference: str = "") -> ScheduledPayment:
    """Finance records that a line of the schedule has been paid."""
    if not selectors.conventions_visible_to(actor).filter(pk=payment.convention_id).exists():
        raise NotFound.single(Code.NOT_FOUND, _("Paiement introuvable."))
    if not actor.has_role(Role.FINANCE):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul le service financier enregistre un paiement."))
    payment = ScheduledPayment.objects.select_for_update().select_related("convention").get(pk=payment.pk)
    if payment.paid_on is not None:
        raise Conflict.single(Code.ALREADY_PAID, _("Ce paiement est déjà enregistré (le %(date)s).") % {
            "date": formats.date_format(payment.paid_on)}, "paid_on")
    problems: list[Violation] = []
    day = _collect(problems, parse_date, paid_on or _today(), "paid_on")
    if day and day > _today():
        problems.append(Violation(ConventionError.FUTURE_DATE,
            _("La date de paiement ne peut être dans le futur."), "paid_on"))
    if problems:
        raise RuleViolation(problems)
    before = snapshot(payment)
    payment.paid_on = day
    payment.payment_reference = str(payment_reference or "").strip()[:100]
    payment.recorded_by = actor
    payment.save()
    record(actor, "convention.payment", payment.convention, before={"payment": before},
           after={"payment": snapshot(payment)})
    convention = payment.convention
    notify(_members(convention.organisation), Kind.CONVENTION_PAYMENT, lambda: (
        _("Convention %(ref)s : paiement effectué") % {"ref": convention.reference},
        _("%(kind)s %(year)s : %(amount)s € payés le %(date)s.") % {
            "kind": payment.get_kind_display(), "year": payment.year,
            "amount": formats.number_format(payment.amount, 2, use_l10n=True, force_grouping=True),
            "date": formats.date_format(day)}), _url(convention))
    return payment


# --- yearly reports ------------------------------------------------------------------------------

def _report_for_act(actor: Any, report: YearlyReport, name: str) -> YearlyReport:
    """The report locked, if the actor sees it (404) and may make the act ``name`` on it now (403, 409)."""
    report = locked(selectors.reports_visible_to(actor), report, _("Rapport introuvable."))
    act = REPORT_WORKFLOW[name]
    # The organisation's own members only (its gestionnaires for an act a simple member may not make).
    if partner_act(act) and not selectors.is_member(actor, report.convention.organisation,
                                                    admin=Role.PARTNER_MEMBER not in act.roles):
        raise PermissionDenied.single(Code.FORBIDDEN, str(REPORT_WORKFLOW.forbidden) % {"action": act.label})
    REPORT_WORKFLOW.require(actor, report, name)
    return report


def _report_snapshot(report: YearlyReport) -> dict[str, Any]:
    return {**snapshot(report, AUDITED_REPORT),
            "values": {str(v.indicator_id): str(v.value) for v in report.indicator_values.all()},
            "spending": {str(s.domain_id): str(s.spent) for s in report.spending.all()},
            "documents": [d.original_name for d in report.documents.all()]}


@transaction.atomic
def save_report(actor: Any, report: YearlyReport, data: dict[str, Any],
                expected_version: int | None = None) -> YearlyReport:
    """The partner fills in its report: narrative, indicator values (activity report) or the amount spent
    per domain (financial statement). ``values``: {indicator id: {"value", "comment"}}; ``spending``:
    {domain id: amount}."""
    report = _report_for_act(actor, report, "report_save")
    check_version(report, expected_version, str(STALE))
    problems: list[Violation] = []
    convention = report.convention
    values: list[IndicatorValue] = []
    spending: list[DomainSpending] = []
    if report.kind == ReportKind.ACTIVITY and "values" in data:
        indicators = {i.pk: i for i in Indicator.objects.filter(domain__convention=convention)}
        for key, entry in dict(data["values"] or {}).items():
            indicator = indicators.get(int(key)) if str(key).isdigit() else None
            if indicator is None:
                problems.append(Violation(Code.INVALID_CHOICE, _("Indicateur inconnu."), f"values.{key}"))
                continue
            entry = entry if isinstance(entry, dict) else {"value": entry}
            if entry.get("value") in (None, ""):
                continue
            value = _collect(problems, parse_money, entry.get("value"), f"values.{key}")
            if value is not None:
                values.append(IndicatorValue(report=report, indicator=indicator, value=value,
                                             comment=str(entry.get("comment") or "").strip()))
    if report.kind == ReportKind.FINANCIAL and "spending" in data:
        domains = {d.pk: d for d in convention.domains.all()}
        for key, amount in dict(data["spending"] or {}).items():
            domain = domains.get(int(key)) if str(key).isdigit() else None
            if domain is None:
                problems.append(Violation(Code.INVALID_CHOICE, _("Domaine inconnu."), f"spending.{key}"))
                continue
            if amount in (None, ""):
                continue
            spent = _collect(problems, parse_money, amount, f"spending.{key}")
            if spent is not None:
                spending.append(DomainSpending(report=report, domain=domain, spent=spent))
    if problems:
        raise RuleViolation(problems)
    before = _report_snapshot(report)
    if "narrative" in data:
        report.narrative = str(data["narrative"] or "").strip()
    if report.kind == ReportKind.ACTIVITY and "values" in data:
        report.indicator_values.all().delete()
        IndicatorValue.objects.bulk_create(values)
    if report.kind == ReportKind.FINANCIAL and "spending" in data:
        report.spending.all().delete()
        DomainSpending.objects.bulk_create(spending)
    save_bumped(report)
    record(actor, "convention.report_save", report, before=before, after=_report_snapshot(report))
    return report


@transaction.atomic
def add_report_document(actor: Any, report: YearlyReport, upload: UploadedFile) -> ReportDocument:
    report = _report_for_act(actor, report, "report_save")
    checked = check_upload(upload, DOCUMENTS)
    document = ReportDocument(report=report, original_name=(upload.name or "document")[:255],
                              content_type=checked.content_type, extension=checked.extension, size=checked.size,
                              uploaded_by=actor)
    store(document, checked, f"document.{checked.extension}")
    save_bumped(report)
    record(actor, "convention.report_document_add", report, after={
        "name": document.original_name, "content_type": checked.content_type, "size": checked.size})
    return document


def report_problems(report: YearlyReport, today: date | None = None) -> list[Violation]:
    """What stops a report from being filed: the year must be over and the report complete."""
    today = today or _today()
    convention = report.convention
    problems: list[Violation] = []
    period = money.covered_period(convention, report.year)
    if period is not None and today <= period[1]:
        problems.append(Violation(ConventionError.YEAR_NOT_OVER,
            _("Le rapport %(year)s se dépose après le %(date)s.") % {
            "year": report.year, "date": formats.date_format(period[1])}, "year"))
    if report.kind == ReportKind.ACTIVITY:
        if not report.narrative:
            problems.append(Violation(Code.REQUIRED, _("Décrivez les activités de l'année."), "narrative"))
        filled = {v.indicator_id for v in report.indicator_values.all()}
        for indicator in Indicator.objects.filter(domain__convention=convention).select_related("domain__activity"):
            if indicator.pk not in filled:
                problems.append(Violation(ConventionError.MISSING_INDICATOR,
                    _("Valeur manquante : %(name)s (%(domain)s).") % {
                    "name": indicator.name, "domain": indicator.domain.activity}, f"values.{indicator.pk}"))
    else:
        filled = {s.domain_id for s in report.spending.all()}
        for domain in convention.domains.select_related("activity"):
            if domain.pk not in filled and money.domain_granted(domain, report.year) > 0:
                problems.append(Violation(ConventionError.MISSING_SPENDING, _("Dépenses manquantes : %(domain)s.") % {
                    "domain": domain.activity}, f"spending.{domain.pk}"))
        if not report.documents.exists():
            problems.append(Violation(Code.MISSING_DOCUMENT, _("Joignez les comptes de l'année (pièce justificative)."),
                                      "documents"))
    return problems


@transaction.atomic
def submit_report(actor: Any, report: YearlyReport, expected_version: int | None = None) -> YearlyReport:
    report = _report_for_act(actor, report, "report_submit")
    check_version(report, expected_version, str(STALE))
    problems = report_problems(report)
    if problems:
        raise RuleViolation(problems)

    def submitted(obj: YearlyReport) -> None:
        obj.submitted_at, obj.submitted_by = timezone.now(), actor

    REPORT_WORKFLOW.move(actor, report, "report_submit", audit_fields=AUDITED_REPORT, changes=submitted)
    notify(_officers(), Kind.CONVENTION_REPORT_SUBMITTED, lambda: (
        _("%(kind)s %(year)s déposé : %(org)s") % {"kind": report.get_kind_display(), "year": report.year,
                                                   "org": report.convention.organisation},
        _("Convention %(ref)s.") % {"ref": report.convention.reference}), _report_url(report))
    return report


def _review(actor: Any, report: YearlyReport, name: str, comment: str, expected_version: int | None) -> YearlyReport:
    report = _report_for_act(actor, report, f"report_{name}")
    check_version(report, expected_version, str(STALE))
    comment = str(comment or "").strip()
    if name == "return" and not comment:
        raise RuleViolation.single(Code.REQUIRED, _("Dites à l'organisation ce qui manque ou doit être corrigé."),
                                   "comment")

    def reviewed(obj: YearlyReport) -> None:
        obj.officer_comment, obj.reviewed_at, obj.reviewed_by = comment, timezone.now(), actor

    REPORT_WORKFLOW.move(actor, report, f"report_{name}", note=comment, audit_fields=AUDITED_REPORT,
                         changes=reviewed)
    if report.kind == ReportKind.FINANCIAL:
        _sync(report.convention)  # the balance follows the accepted statement
    notify(_members(report.convention.organisation), Kind.CONVENTION_REPORT_REVIEWED, lambda: (
        _("%(kind)s %(year)s : %(status)s") % {"kind": report.get_kind_display(), "year": report.year,
                                               "status": report.get_status_display()},
        comment or _("Convention %(ref)s.") % {"ref": report.convention.reference}), _report_url(report))
    return report


def accept_report(actor: Any, report: YearlyReport, comment: str = "",
                  expected_version: int | None = None) -> YearlyReport:
    with transaction.atomic():
        return _review(actor, report, "accept", comment, expected_version)


def return_report(actor: Any, report: YearlyReport, comment: str,
                  expected_version: int | None = None) -> YearlyReport:
    with transaction.atomic():
        return _review(actor, report, "return", comment, expected_version)
