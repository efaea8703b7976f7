"""Forms of the ministry's pages on conventions (views_staff.py, views_staff_payments.py, views_staff_reports.py).

The forms only parse what people type; the rules (dates, amounts, statuses, who may act) are the services'.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from subsidia.organisations.models import ActivityDomain, LegalForm, Organisation

from . import money
from .inputs import (
    AmendmentInput,
    AmendmentLineInput,
    ConventionInput,
    DomainInput,
    IndicatorInput,
    PaymentInput,
    SignInput,
    TerminationInput,
)
from .models import Convention, ConventionDomain, ReportKind, ReportStatus, Status

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_FIELD: dict[str, Any] = {"min_value": Decimal(0), "max_digits": 12, "decimal_places": 2}
FTE_FIELD: dict[str, Any] = {"min_value": Decimal(0), "max_digits": 6, "decimal_places": 2}


def _number(value: Decimal) -> str:
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]], everything: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", everything), *choices]


class FilterForm(forms.Form):
    """A GET form of filters: invalid filters are dropped rather than refused."""

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if v not in (None, "", False)}


# --- the list of conventions ---------------------------------------------------------------------

class ConventionFilterForm(FilterForm):
    q = forms.CharField(label=_("Recherche"), required=False, max_length=100,
                        help_text=_("Référence, intitulé ou organisation."))
    status = forms.ChoiceField(label=_("Statut"), required=False, choices=[("", _("Tous")), *Status.choices])
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    department = forms.ChoiceField(label=_("Département"), required=False)
    activity = forms.ChoiceField(label=_("Domaine d'activité"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(conventions__isnull=False).distinct().order_by("name")
        _set_choices(self, "organisation", [(str(o.pk), o.name) for o in organisations], _("Toutes"))
        departments = Organisation.objects.filter(conventions_granted__isnull=False).distinct().order_by("name")
        _set_choices(self, "department", [(str(o.pk), o.name) for o in departments], _("Tous"))
        _set_choices(self, "activity", [(str(a.pk), a.name) for a in ActivityDomain.objects.order_by("name")],
                     _("Tous"))


# --- preparing a convention ----------------------------------------------------------------------

def departments() -> QuerySet[Organisation]:
    return Organisation.objects.filter(legal_form=LegalForm.ADMINISTRATION).order_by("name")


def partner_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.exclude(legal_form=LegalForm.ADMINISTRATION).order_by("name")


class ConventionForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Département du ministère"), queryset=Organisation.objects.none(),
                                        empty_label=_("— choisir —"))
    organisation = forms.ModelChoiceField(label=_("Organisation partenaire"), queryset=Organisation.objects.none(),
                                          empty_label=_("— choisir —"))
    reference = forms.CharField(label=_("Référence"), required=False, max_length=30,
                                help_text=_("Laisser vide pour une référence attribuée automatiquement "
                                            "(CONV-année-numéro)."))
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    starts_on = forms.DateField(label=_("Début"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Fin"), widget=DATE_WIDGET)
    advance_percent = forms.IntegerField(
        label=_("Avances (% du montant annuel)"), min_value=0, max_value=100, initial=90,
        help_text=_("Part du montant annuel versée en avances trimestrielles ; le solde suit le décompte."))
    notes = forms.CharField(label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        organisation = self.fields["organisation"]
        assert isinstance(department, forms.ModelChoiceField)
        assert isinstance(organisation, forms.ModelChoiceField)
        department.queryset = departments()
        organisation.queryset = partner_organisations()

    @staticmethod
    def initial_for(convention: Convention) -> dict[str, Any]:
        return {
            "department": convention.department_id, "organisation": convention.organisation_id,
            "reference": convention.reference, "title": convention.title, "starts_on": convention.starts_on,
            "ends_on": convention.ends_on, "advance_percent": convention.advance_percent, "notes": convention.notes,
            "version": convention.version,
        }


def parse_number(text: str) -> Decimal | None:
    """A number as people type it: "1 200,50", "1200.5"; None when it is not a number."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_indicators(text: str) -> tuple[list[IndicatorInput], list[str]]:
    """One indicator a line, "name ; unit ; yearly target"; blank lines are skipped. Returns the indicators
    and the problems, each naming its line."""
    indicators: list[IndicatorInput] = []
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 3:
            problems.append(str(_("Ligne %(n)s : trois éléments sont attendus, séparés par « ; » (nom ; unité ; "
                                  "objectif annuel).") % {"n": number}))
            continue
        name, unit, target_text = parts
        if not name or not unit:
            problems.append(str(_("Ligne %(n)s : le nom et l'unité de l'indicateur sont obligatoires.")
                                % {"n": number}))
            continue
        if len(name) > 200 or len(unit) > 50:
            problems.append(str(_("Ligne %(n)s : le nom (200 caractères au plus) ou l'unité (50 au plus) est trop "
                                  "long.") % {"n": number}))
            continue
        target = parse_number(target_text)
        if target is None or target < 0 or target != target.quantize(Decimal("0.01")) or target >= Decimal("1e10"):
            problems.append(str(_("Ligne %(n)s : l'objectif annuel « %(value)s » doit être un nombre positif avec au "
                                  "plus deux décimales.") % {"n": number, "value": target_text}))
            continue
        indicators.append(IndicatorInput(name, unit, target))
    return indicators, problems


def format_indicators(domain: ConventionDomain) -> str:
    return "\n".join(f"{i.name} ; {i.unit} ; {i.yearly_target.normalize():f}" for i in domain.indicators.all())


class DomainForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("Domaine d'activité"), queryset=ActivityDomain.objects.none(),
                                      empty_label=_("— choisir —"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    yearly_amount = forms.DecimalField(label=_("Montant annuel (€)"), **MONEY_FIELD)
    fte = forms.DecimalField(label=_("Postes financés (ETP)"), required=False, **FTE_FIELD)
    indicators = forms.CharField(
        label=_("Indicateurs"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Un indicateur par ligne : nom ; unité ; objectif annuel. "
                    "Par exemple : Personnes accompagnées ; personnes ; 300"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        activity = self.fields["activity"]
        assert isinstance(activity, forms.ModelChoiceField)
        activity.queryset = ActivityDomain.objects.order_by("name")

    def clean_indicators(self) -> list[IndicatorInput]:
        indicators, problems = parse_indicators(self.cleaned_data.get("indicators") or "")
        if problems:
            raise forms.ValidationError(problems)
        return indicators


class BaseDomainFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        """A domain appears once in a convention (the service checks it too)."""
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            data = form.cleaned_data or {}
            activity = data.get("activity")
            if activity is None or data.get("DELETE"):
                continue
            if activity.pk in seen:
                raise forms.ValidationError(_("Le domaine « %(name)s » figure deux fois dans la convention.")
                                            % {"name": activity.name})
            seen.add(activity.pk)


DomainFormSet = forms.formset_factory(DomainForm, formset=BaseDomainFormSet, extra=2, can_delete=True)


def domains_initial(convention: Convention) -> list[dict[str, Any]]:
    return [{"activity": d.activity_id, "description": d.description, "yearly_amount": d.yearly_amount,
             "fte": d.fte, "indicators": format_indicators(d)} for d in convention.domains.all()]


def domain_rows(formset: forms.BaseFormSet) -> tuple[list[DomainInput], list[forms.Form]]:
    """The domains of a convention from a valid formset (filled, not deleted rows, in order), and the form
    of each row, to show the service's errors on."""
    rows: list[DomainInput] = []
    sources: list[forms.Form] = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        rows.append(DomainInput(activity=data["activity"].pk, description=data.get("description", ""),
                                yearly_amount=data["yearly_amount"], fte=data.get("fte") or Decimal(0),
                                indicators=tuple(data.get("indicators") or ())))
        sources.append(form)
    return rows, sources


def convention_input(form: ConventionForm, formset: forms.BaseFormSet) -> tuple[ConventionInput, list[forms.Form]]:
    """What services.drafting takes, from the valid form and formset, and the form of each domain."""
    data = form.cleaned_data
    rows, sources = domain_rows(formset)
    return ConventionInput(
        department=data["department"].pk, organisation=data["organisation"].pk, title=data["title"],
        starts_on=data["starts_on"], ends_on=data["ends_on"], reference=data.get("reference") or "",
        advance_percent=data["advance_percent"], notes=data.get("notes") or "", domains=tuple(rows)), sources


# --- acts of the approver ------------------------------------------------------------------------

class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SignForm(VersionedForm):
    signed_on = forms.DateField(label=_("Signée par le ministère le"), widget=DATE_WIDGET)
    signed_by_partner_on = forms.DateField(label=_("Signée par l'organisation le"), required=False,
                                           widget=DATE_WIDGET)

    field_order = ["signed_on", "signed_by_partner_on", "version"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate

    def to_input(self) -> SignInput:
        return SignInput(self.cleaned_data["signed_on"], self.cleaned_data["signed_by_partner_on"])


class AmendForm(VersionedForm):
    """An amendment: its dates and object, then for each domain of the convention a new yearly amount and
    staff (blank: unchanged)."""

    signed_on = forms.DateField(label=_("Avenant signé le"), widget=DATE_WIDGET)
    effective_from = forms.DateField(label=_("En vigueur à partir du"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Nouvelle date de fin"), required=False, widget=DATE_WIDGET,
                              help_text=_("Laisser vide si la fin de la convention ne change pas."))
    summary = forms.CharField(label=_("Objet de l'avenant"), widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["signed_on", "effective_from", "ends_on", "summary", "version"]

    def __init__(self, *args: Any, convention: Convention, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.convention = convention
        self.domains = list(convention.domains.all())
        today = timezone.localdate()
        day = min(max(today, convention.starts_on), convention.last_day)
        for domain in self.domains:
            rate = money.rate_on(domain, day)
            self.fields[f"amount_{domain.pk}"] = forms.DecimalField(
                label=_("Nouveau montant annuel (€), %(domain)s") % {"domain": domain.activity}, required=False,
                **MONEY_FIELD,
                help_text=_("Actuellement %(amount)s €. Vide : inchangé.") % {"amount": _number(rate.yearly_amount)})
            self.fields[f"fte_{domain.pk}"] = forms.DecimalField(
                label=_("Nouveaux postes (ETP), %(domain)s") % {"domain": domain.activity}, required=False,
                **FTE_FIELD,
                help_text=_("Actuellement %(fte)s. Vide : inchangé.") % {"fte": _number(rate.fte)})

    def domain_fields(self) -> list[tuple[ConventionDomain, forms.BoundField, forms.BoundField]]:
        return [(d, self[f"amount_{d.pk}"], self[f"fte_{d.pk}"]) for d in self.domains]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("signed_on", "effective_from", "ends_on", "summary")]

    def to_input(self) -> tuple[AmendmentInput, list[int]]:
        """What services.acts.amend_convention takes (a line for each domain whose amount or staff changes),
        and the domain of each line. What is left blank keeps the domain's rate on the effective date."""
        data = self.cleaned_data
        lines: list[AmendmentLineInput] = []
        domains: list[int] = []
        for domain in self.domains:
            amount = data.get(f"amount_{domain.pk}")
            fte = data.get(f"fte_{domain.pk}")
            if amount is None and fte is None:
                continue
            rate = money.rate_on(domain, data["effective_from"])
            lines.append(AmendmentLineInput(domain.pk, rate.yearly_amount if amount is None else amount,
                                            rate.fte if fte is None else fte))
            domains.append(domain.pk)
        return AmendmentInput(signed_on=data["signed_on"], effective_from=data["effective_from"],
                              summary=data["summary"], ends_on=data["ends_on"], lines=tuple(lines)), domains


class TerminateForm(VersionedForm):
    terminated_on = forms.DateField(label=_("Résiliée à compter du"), widget=DATE_WIDGET,
                                    help_text=_("Premier jour où la convention n'est plus en vigueur."))
    reason = forms.CharField(label=_("Motif de la résiliation"), widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["terminated_on", "reason", "version"]

    def to_input(self) -> TerminationInput:
        return TerminationInput(self.cleaned_data["terminated_on"], self.cleaned_data["reason"])


# --- payments ------------------------------------------------------------------------------------

PAYMENT_STATES = [
    ("", _("À payer (toutes échéances)")),
    ("due", _("Échus, à payer")),
    ("overdue", _("En retard")),
    ("upcoming", _("À venir")),
    ("paid", _("Payés")),
    ("all", _("Tous")),
]


class PaymentFilterForm(FilterForm):
    state = forms.ChoiceField(label=_("Paiements"), required=False, choices=PAYMENT_STATES)
    year = forms.IntegerField(label=_("Exercice"), required=False, min_value=2000, max_value=2100)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(conventions__payments__isnull=False).distinct().order_by("name")
        _set_choices(self, "organisation", [(str(o.pk), o.name) for o in organisations], _("Toutes"))


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Payé le"), widget=DATE_WIDGET)
    payment_reference = forms.CharField(label=_("Référence du paiement"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate

    def to_input(self) -> PaymentInput:
        return PaymentInput(self.cleaned_data["paid_on"], self.cleaned_data["payment_reference"])


# --- yearly reports ------------------------------------------------------------------------------

class ReportFilterForm(FilterForm):
    status = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *ReportStatus.choices])
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous")), *ReportKind.choices])
    year = forms.IntegerField(label=_("Exercice"), required=False, min_value=2000, max_value=2100)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    overdue = forms.BooleanField(label=_("En retard seulement"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(conventions__reports__isnull=False).distinct().order_by("name")
        _set_choices(self, "organisation", [(str(o.pk), o.name) for o in organisations], _("Toutes"))


REVIEW_DECISIONS = [("accept", _("Accepter le rapport")), ("return", _("Renvoyer pour compléments"))]


class ReportReviewForm(forms.Form):
    """The officer's review of a submitted yearly report; posted to ``conventions:report_review``."""

    decision = forms.ChoiceField(label=_("Décision"), choices=REVIEW_DECISIONS, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Remarques à l'organisation"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Obligatoires pour un renvoi : dites ce qui manque ou doit être corrigé."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- funding overview ----------------------------------------------------------------------------

class FundingPeriodForm(FilterForm):
    start = forms.IntegerField(label=_("De l'année"), min_value=2000, max_value=2100)
    end = forms.IntegerField(label=_("À l'année"), min_value=2000, max_value=2100)

    MAX_YEARS = 10

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None:
            if end < start:
                self.add_error("end", _("L'année de fin précède l'année de début."))
            elif end - start >= self.MAX_YEARS:
                self.add_error("end", _("La période couvre au plus %(n)s années.") % {"n": self.MAX_YEARS})
        return cleaned

    @classmethod
    def default_years(cls) -> tuple[int, int]:
        year = timezone.localdate().year
        return year - 1, year + 1
