"""Forms of the yearly report pages: the partner's report (narrative, indicator values or the amount spent per
domain) and its documents. They only parse what people type; the rules are the services'."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from subsidia.grants.forms_partner import LocalDecimalField, money_field

from . import money
from .inputs import IndicatorValueInput, ReportInput
from .models import ConventionDomain, Indicator, ReportKind, YearlyReport

VALUE_PREFIX = "value_"
COMMENT_PREFIX = "comment_"
SPENT_PREFIX = "spent_"


def _amount(value: Decimal) -> str:
    return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)}\u00a0€"


@dataclass
class IndicatorRow:
    indicator: Indicator
    value: forms.BoundField
    comment: forms.BoundField


@dataclass
class DomainGroup:
    domain: ConventionDomain
    indicators: list[IndicatorRow]
    granted: Decimal
    spent: forms.BoundField | None


class ReportForm(forms.Form):
    """The yearly report: the narrative and, for an activity report, one value and comment per indicator; for
    a financial statement, the amount spent per domain. The hidden version is the copy being edited."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    narrative = forms.CharField(label=_("Les activités de l'année"), required=False,
                                widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, report: YearlyReport, **kwargs: Any) -> None:
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", initial_of(report))
        super().__init__(*args, **kwargs)
        self.report = report
        self.domains = list(report.convention.domains.select_related("activity", "convention")
                            .prefetch_related("indicators", "amendment_lines__amendment"))
        narrative = self.fields["narrative"]
        if report.kind == ReportKind.ACTIVITY:
            narrative.help_text = _("Ce qui a été fait dans chaque domaine, pour qui, avec quels partenaires ; ce "
                                    "qui a changé par rapport à l'année précédente.")
            for domain in self.domains:
                for indicator in domain.indicators.all():
                    self.fields[f"{VALUE_PREFIX}{indicator.pk}"] = LocalDecimalField(
                        label=_("%(name)s (%(unit)s)") % {"name": indicator.name, "unit": indicator.unit},
                        required=False, min_value=Decimal(0), max_digits=12, decimal_places=2, localize=True,
                        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                        help_text=_("Objectif annuel : %(target)s %(unit)s.") % {
                            "target": formats.number_format(indicator.yearly_target, 2, use_l10n=True,
                                                            force_grouping=True),
                            "unit": indicator.unit})
                    self.fields[f"{COMMENT_PREFIX}{indicator.pk}"] = forms.CharField(
                        label=_("Commentaire sur « %(name)s »") % {"name": indicator.name}, required=False,
                        widget=forms.Textarea(attrs={"rows": 2}),
                        help_text=_("Facultatif : expliquez notamment un écart à l'objectif."))
        else:
            narrative.label = _("Commentaire sur les comptes")
            narrative.help_text = _("Facultatif : expliquez notamment un écart entre le montant accordé et les "
                                    "dépenses.")
            self.granted = {d.pk: money.domain_granted(d, report.year) for d in self.domains}
            for domain in self.domains:
                field = money_field(_("Dépenses éligibles — %(domain)s (€)") % {"domain": domain.activity})
                field.help_text = _("Montant accordé pour %(year)s : %(amount)s.") % {
                    "year": report.year, "amount": _amount(self.granted[domain.pk])}
                self.fields[f"{SPENT_PREFIX}{domain.pk}"] = field

    def groups(self) -> list[DomainGroup]:
        """The inputs by domain, in the convention's order (the template shows one fieldset per domain)."""
        out = []
        for domain in self.domains:
            rows = [IndicatorRow(i, self[f"{VALUE_PREFIX}{i.pk}"], self[f"{COMMENT_PREFIX}{i.pk}"])
                    for i in domain.indicators.all() if f"{VALUE_PREFIX}{i.pk}" in self.fields]
            spent = self[f"{SPENT_PREFIX}{domain.pk}"] if f"{SPENT_PREFIX}{domain.pk}" in self.fields else None
            out.append(DomainGroup(domain, rows, getattr(self, "granted", {}).get(domain.pk, money.ZERO), spent))
        return out

    def to_input(self) -> ReportInput:
        """What :func:`subsidia.conventions.services.reports.save_report` takes; an empty input clears the
        stored value."""
        data = self.cleaned_data
        narrative = data.get("narrative") or ""
        if self.report.kind == ReportKind.ACTIVITY:
            values = {indicator.pk: IndicatorValueInput(data.get(f"{VALUE_PREFIX}{indicator.pk}"),
                                                        data.get(f"{COMMENT_PREFIX}{indicator.pk}") or "")
                      for domain in self.domains for indicator in domain.indicators.all()}
            return ReportInput(narrative=narrative, values=values)
        return ReportInput(narrative=narrative,
                           spending={domain.pk: data.get(f"{SPENT_PREFIX}{domain.pk}") for domain in self.domains})

    def field_for(self, service_field: str | None) -> str | None:
        """The input a service's violation concerns ("values.12" → "value_12"), or None for the whole form."""
        if not service_field:
            return None
        head, _dot, key = service_field.partition(".")
        name = {"values": f"{VALUE_PREFIX}{key}", "spending": f"{SPENT_PREFIX}{key}"}.get(head, head)
        return name if name in self.fields else None


def initial_of(report: YearlyReport) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": report.version, "narrative": report.narrative}
    for value in report.indicator_values.all():
        initial[f"{VALUE_PREFIX}{value.indicator_id}"] = value.value
        initial[f"{COMMENT_PREFIX}{value.indicator_id}"] = value.comment
    for line in report.spending.all():
        initial[f"{SPENT_PREFIX}{line.domain_id}"] = line.spent
    return initial


class ReportDocumentForm(forms.Form):
    file = forms.FileField(label=_("Fichier"), help_text=_("PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG : par exemple "
                                                           "les comptes annuels approuvés ou le rapport d'activité "
                                                           "mis en page."))


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
