"""Preparing a convention: an officer creates a draft with its domains and their indicators, edits it and may
delete it while it is unsigned. The rules checked here are those the input's types cannot say: the
department is an administration and the partner is not, the period is in order, the reference and each
domain are unique, the named organisations and activity domains exist; all reported at once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, PermissionDenied, Violation
from subsidia.core.versions import check_version, locked, save_bumped
from subsidia.organisations.models import ActivityDomain, LegalForm, Organisation

from .. import selectors
from ..inputs import ConventionInput, DomainInput
from ..models import Convention, ConventionDomain, Indicator
from ..workflow import CONVENTION_WORKFLOW
from .common import AUDITED_CONVENTION, NOT_FOUND, STALE, amount, raise_if

Domains = list[tuple[ConventionDomain, list[Indicator]]]


def next_reference(year: int) -> str:
    count = Convention.objects.filter(starts_on__year=year).count() + 1
    while Convention.objects.filter(reference=f"CONV-{year}-{count:03d}").exists():
        count += 1
    return f"CONV-{year}-{count:03d}"


def _organisation(pk: int | None, field: str, problems: list[Violation]) -> Organisation | None:
    if pk is None:
        problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), field))
        return None
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        problems.append(Violation(Code.INVALID_CHOICE, _("Organisation inconnue."), field))
    return found


def _parties(data: ConventionInput, problems: list[Violation]) -> tuple[Organisation | None, Organisation | None]:
    """The ministry's department (an administration) and the partner (not one)."""
    department = _organisation(data.department, "department", problems)
    organisation = _organisation(data.organisation, "organisation", problems)
    if department is not None and department.legal_form != LegalForm.ADMINISTRATION:
        problems.append(Violation(Code.INVALID_CHOICE, _("Le département doit être une administration publique."),
                                  "department"))
    if organisation is not None and organisation.legal_form == LegalForm.ADMINISTRATION:
        problems.append(Violation(Code.INVALID_CHOICE, _("Une convention lie le ministère à une organisation "
                                                         "partenaire, pas à une administration."), "organisation"))
    return department, organisation


def _own_fields(data: ConventionInput, convention: Convention | None, problems: list[Violation]) -> dict[str, Any]:
    """The convention's own fields, checked; every problem is added to ``problems``."""
    department, organisation = _parties(data, problems)
    title = data.title.strip()
    if not title:
        problems.append(Violation(Code.REQUIRED, _("L'intitulé est obligatoire."), "title"))
    elif len(title) > 200:
        problems.append(Violation(Code.INVALID, _("L'intitulé ne peut dépasser 200 caractères."), "title"))
    if data.ends_on < data.starts_on:
        problems.append(Violation(Code.DATES_INVALID, _("La fin de la convention précède son début."), "ends_on"))
    if not 0 <= data.advance_percent <= 100:
        problems.append(Violation(Code.INVALID, _("Un pourcentage entre 0 et 100 est attendu."), "advance_percent"))
    reference = data.reference.strip()
    clash = Convention.objects.filter(reference=reference)
    if convention is not None:
        clash = clash.exclude(pk=convention.pk)
    if reference and clash.exists():
        problems.append(Violation(Code.DUPLICATE, _("Cette référence est déjà utilisée."), "reference"))
    return {"department": department, "organisation": organisation, "title": title, "reference": reference,
            "starts_on": data.starts_on, "ends_on": data.ends_on, "advance_percent": data.advance_percent,
            "notes": data.notes.strip()}


def _indicators(item: DomainInput, where: str, problems: list[Violation]) -> list[Indicator]:
    indicators = []
    for position, entry in enumerate(item.indicators):
        name, unit = entry.name.strip(), entry.unit.strip()
        if not name or not unit:
            problems.append(Violation(Code.REQUIRED, _("Chaque indicateur a un nom et une unité."),
                                      f"{where}.indicators.{position}"))
        target = amount(entry.yearly_target, f"{where}.indicators.{position}.yearly_target", problems)
        indicators.append(Indicator(name=name[:200], unit=unit[:50], yearly_target=target or 0, position=position))
    return indicators


def _domains(items: tuple[DomainInput, ...], problems: list[Violation]) -> Domains:
    domains: Domains = []
    known = ActivityDomain.objects.in_bulk([item.activity for item in items if item.activity is not None])
    seen: set[int] = set()
    for index, item in enumerate(items):
        where = f"domains.{index}"
        activity = known.get(item.activity) if item.activity is not None else None
        if activity is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Domaine d'activité inconnu."), f"{where}.activity"))
        elif activity.pk in seen:
            problems.append(Violation(Code.DUPLICATE, _("Ce domaine figure deux fois dans la convention."),
                                      f"{where}.activity"))
        else:
            seen.add(activity.pk)
        yearly = amount(item.yearly_amount, f"{where}.yearly_amount", problems)
        fte = amount(item.fte, f"{where}.fte", problems)
        domains.append((ConventionDomain(activity=activity, description=item.description.strip(),
                                         yearly_amount=yearly or 0, fte=fte or 0, position=index),
                        _indicators(item, where, problems)))
    return domains


def _save_domains(convention: Convention, domains: Domains) -> None:
    convention.domains.all().delete()
    for domain, indicators in domains:
        domain.convention = convention
        domain.save()
        for indicator in indicators:
            indicator.domain = domain
        Indicator.objects.bulk_create(indicators)


def _audited(convention: Convention) -> dict[str, Any]:
    domains = [{"activity": str(d.activity), "yearly_amount": str(d.yearly_amount), "fte": str(d.fte),
                "indicators": [[i.name, i.unit, str(i.yearly_target)] for i in d.indicators.all()]}
               for d in ConventionDomain.objects.filter(convention=convention).select_related("activity")
               .prefetch_related("indicators")]
    return {**snapshot(convention, AUDITED_CONVENTION), "domains": domains}


@transaction.atomic
def create_convention(actor: Actor, data: ConventionInput) -> Convention:
    """An officer prepares a convention (a draft), with its domains and their indicators."""
    if not actor.is_authenticated or not actor.has_role(Role.OFFICER):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un agent gestionnaire prépare une convention."))
    problems: list[Violation] = []
    fields = _own_fields(data, None, problems)
    domains = _domains(data.domains or (), problems)
    raise_if(problems)
    fields["reference"] = fields["reference"] or next_reference(data.starts_on.year)
    convention = Convention.objects.create(created_by=actor, **fields)
    _save_domains(convention, domains)
    record(actor, "convention.create", convention, after=_audited(convention))
    return convention


@transaction.atomic
def update_convention(actor: Actor, convention: Convention, data: ConventionInput,
                      expected_version: int | None = None) -> Convention:
    """Change a draft convention: its fields, and its domains unless ``data.domains`` is None."""
    convention = locked(selectors.conventions_visible_to(actor), convention, NOT_FOUND)
    CONVENTION_WORKFLOW.require(actor, convention, "edit")
    check_version(convention, expected_version, str(STALE))
    problems: list[Violation] = []
    fields = _own_fields(data, convention, problems)
    domains = _domains(data.domains, problems) if data.domains is not None else None
    raise_if(problems)
    before = _audited(convention)
    for key, value in fields.items():
        if key != "reference" or value:
            setattr(convention, key, value)
    save_bumped(convention)
    if domains is not None:
        _save_domains(convention, domains)
    record(actor, "convention.update", convention, before=before, after=_audited(convention))
    return convention


@transaction.atomic
def delete_convention(actor: Actor, convention: Convention, expected_version: int | None = None) -> None:
    convention = locked(selectors.conventions_visible_to(actor), convention, NOT_FOUND)
    CONVENTION_WORKFLOW.require(actor, convention, "delete")
    check_version(convention, expected_version, str(STALE))
    record(actor, "convention.delete", convention, before=snapshot(convention, AUDITED_CONVENTION))
    convention.delete()
