"""The approver's acts on a convention: signing it for the ministry, recording a signed amendment, ending it
early. Each is a transition of :data:`~subsidia.conventions.workflow.CONVENTION_WORKFLOW`; after each, the
schedule (expected reports, unpaid payment lines) follows the convention's new dates and amounts, and the
partner's members are told."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, Violation
from subsidia.core.versions import check_version, locked, save_bumped

from .. import money, selectors
from ..errors import ConventionError
from ..inputs import AmendmentInput, SignInput, TerminationInput
from ..models import Amendment, AmendmentLine, Convention
from ..workflow import CONVENTION_WORKFLOW
from .common import AUDITED_CONVENTION, NOT_FOUND, STALE, amount, not_in_future, notify_partner, raise_if, today
from .schedule import sync


def _locked(actor: Actor, convention: Convention, act: str, expected_version: int | None) -> Convention:
    """The convention locked, if the actor sees it (404) and may make ``act`` on it now (403, 409)."""
    convention = locked(selectors.conventions_visible_to(actor), convention, NOT_FOUND)
    CONVENTION_WORKFLOW.require(actor, convention, act)
    check_version(convention, expected_version, str(STALE))
    return convention


# --- signing -------------------------------------------------------------------------------------

@transaction.atomic
def sign_convention(actor: Actor, convention: Convention, data: SignInput | None = None,
                    expected_version: int | None = None) -> Convention:
    """The approver signs for the ministry (today, unless ``data`` says when): the convention's reports and
    payment schedule are set up."""
    convention = _locked(actor, convention, "sign", expected_version)
    data = data or SignInput()
    problems: list[Violation] = []
    day = data.signed_on or today()
    partner_day = data.signed_by_partner_on
    not_in_future(day, _("La date de signature ne peut être dans le futur."), "signed_on", problems)
    if partner_day and partner_day > day:
        problems.append(Violation(Code.DATES_INVALID, _("L'organisation signe avant ou le même jour que le ministère."),
                                  "signed_by_partner_on"))
    domains = list(convention.domains.all())
    if not domains:
        problems.append(Violation(ConventionError.NO_DOMAIN,
                                  _("La convention doit couvrir au moins un domaine d'activité."), "domains"))
    elif sum((d.yearly_amount for d in domains), Decimal(0)) <= 0:
        problems.append(Violation(ConventionError.NO_AMOUNT, _("La convention n'accorde aucun montant."), "domains"))
    raise_if(problems)

    def signed(obj: Convention) -> None:
        obj.signed_on, obj.signed_by_partner_on, obj.signed_by = day, partner_day, actor

    CONVENTION_WORKFLOW.move(actor, convention, "sign", audit_fields=AUDITED_CONVENTION, changes=signed)
    sync(convention)
    notify_partner(convention, lambda: (
        _("Convention %(ref)s signée") % {"ref": convention.reference},
        _("La convention « %(title)s » est signée ; elle court du %(start)s au %(end)s.") % {
            "title": convention.title, "start": formats.date_format(convention.starts_on),
            "end": formats.date_format(convention.ends_on)}))
    return convention


# --- amending ------------------------------------------------------------------------------------

def _amendment_lines(convention: Convention, data: AmendmentInput, problems: list[Violation]) -> list[AmendmentLine]:
    domains = {d.pk: d for d in convention.domains.all()}
    lines: list[AmendmentLine] = []
    for index, item in enumerate(data.lines):
        domain = domains.get(item.domain)
        if domain is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Ce domaine n'appartient pas à la convention."),
                                      f"lines.{index}.domain"))
            continue
        yearly = amount(item.yearly_amount, f"lines.{index}.yearly_amount", problems)
        fte = amount(money.rate_on(domain, convention.ends_on).fte if item.fte is None else item.fte,
                     f"lines.{index}.fte", problems)
        if yearly is not None and fte is not None:
            lines.append(AmendmentLine(domain=domain, yearly_amount=yearly, fte=fte))
    if len({line.domain.pk for line in lines}) != len(lines):
        problems.append(Violation(Code.DUPLICATE, _("Un domaine figure deux fois dans l'avenant."), "lines"))
    return lines


def _amendment_problems(convention: Convention, data: AmendmentInput, problems: list[Violation]) -> None:
    """The amendment's dates against the convention's, and what has been paid."""
    new_end = data.ends_on or convention.ends_on
    if not data.summary.strip():
        problems.append(Violation(Code.REQUIRED, _("Décrivez l'objet de l'avenant."), "summary"))
    not_in_future(data.signed_on, _("La date de signature ne peut être dans le futur."), "signed_on", problems)
    if not convention.starts_on <= data.effective_from <= convention.last_day:
        problems.append(Violation(ConventionError.OUT_OF_PERIOD, _(
            "L'avenant prend effet pendant la convention (du %(start)s au %(end)s).") % {
            "start": formats.date_format(convention.starts_on), "end": formats.date_format(convention.last_day)},
            "effective_from"))
    if new_end < data.effective_from:
        problems.append(Violation(Code.DATES_INVALID, _("La nouvelle fin précède la prise d'effet."), "ends_on"))
    if convention.terminated_on and new_end != convention.ends_on:
        problems.append(Violation(ConventionError.TERMINATED, _("Une convention résiliée ne peut être prolongée."),
                                  "ends_on"))
    if convention.payments.filter(paid_on__isnull=False, year__gt=new_end.year).exists():
        problems.append(Violation(ConventionError.PAID_YEARS, _(
            "Des paiements ont déjà été faits pour des années après la nouvelle fin."), "ends_on"))


@transaction.atomic
def amend_convention(actor: Actor, convention: Convention, data: AmendmentInput,
                     expected_version: int | None = None) -> Amendment:
    """Record a signed amendment: new yearly amounts for some domains from ``effective_from``, and/or a new
    end date. The schedule's unpaid lines and the expected reports follow."""
    convention = _locked(actor, convention, "amend", expected_version)
    problems: list[Violation] = []
    _amendment_problems(convention, data, problems)
    lines = _amendment_lines(convention, data, problems)
    new_end = data.ends_on or convention.ends_on
    if not problems and not lines and new_end == convention.ends_on:
        problems.append(Violation(ConventionError.EMPTY, _("L'avenant ne change ni montant ni date de fin."), "lines"))
    raise_if(problems)
    summary = data.summary.strip()
    before = {**snapshot(convention, AUDITED_CONVENTION), "amendments": convention.amendments.count()}
    number = (max((a.number for a in convention.amendments.all()), default=0)) + 1
    amendment = Amendment.objects.create(convention=convention, number=number, signed_on=data.signed_on,
                                         effective_from=data.effective_from, previous_ends_on=convention.ends_on,
                                         ends_on=new_end, summary=summary, created_by=actor)
    for line in lines:
        line.amendment = amendment
    AmendmentLine.objects.bulk_create(lines)
    convention.ends_on = new_end
    save_bumped(convention)
    sync(convention)
    record(actor, "convention.amend", convention, before=before, after={
        **snapshot(convention, AUDITED_CONVENTION), "amendments": number,
        "amendment": {"number": number, "effective_from": str(data.effective_from), "ends_on": str(new_end),
                      "lines": [[str(line.domain), str(line.yearly_amount), str(line.fte)] for line in lines]}})
    notify_partner(convention, lambda: (
        _("Convention %(ref)s : avenant n° %(n)s") % {"ref": convention.reference, "n": number}, summary))
    return amendment


# --- terminating ---------------------------------------------------------------------------------

@transaction.atomic
def terminate_convention(actor: Actor, convention: Convention, data: TerminationInput,
                         expected_version: int | None = None) -> Convention:
    """End a convention early, with a reason: no report nor payment is expected after it ends."""
    convention = _locked(actor, convention, "terminate", expected_version)
    if convention.terminated_on is not None:
        raise Conflict.single(ConventionError.ALREADY_TERMINATED, _(
            "La convention est déjà résiliée à compter du %(date)s.") % {
            "date": formats.date_format(convention.terminated_on)}, "terminated_on")
    problems: list[Violation] = []
    day, reason = data.terminated_on, data.reason.strip()
    if not reason:
        problems.append(Violation(Code.REQUIRED, _("Le motif de la résiliation est obligatoire."), "reason"))
    if not convention.starts_on <= day <= convention.ends_on:
        problems.append(Violation(ConventionError.OUT_OF_PERIOD, _(
            "La résiliation prend effet pendant la convention (du %(start)s au %(end)s).") % {
            "start": formats.date_format(convention.starts_on), "end": formats.date_format(convention.ends_on)},
            "terminated_on"))
    if convention.payments.filter(paid_on__isnull=False, year__gt=day.year).exists():
        problems.append(Violation(ConventionError.PAID_YEARS, _(
            "Des paiements ont déjà été faits pour des années après la résiliation."), "terminated_on"))
    raise_if(problems)

    def terminated(obj: Convention) -> None:
        obj.terminated_on, obj.termination_reason = day, reason

    CONVENTION_WORKFLOW.move(actor, convention, "terminate", note=reason, audit_fields=AUDITED_CONVENTION,
                             changes=terminated)
    sync(convention)
    notify_partner(convention, lambda: (
        _("Convention %(ref)s résiliée") % {"ref": convention.reference},
        _("La convention « %(title)s » est résiliée à compter du %(date)s. Motif : %(reason)s") % {
            "title": convention.title, "date": formats.date_format(day), "reason": reason}))
    return convention
