"""What every form page shares: the summary of its errors at the top, each linked to its field (WCAG 3.3.1)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FormError:
    anchor: str  # the id of the input to jump to, or "" for an error of the whole form
    label: str  # the field's label ("Ligne 2 · Montant" in a formset), or ""
    message: str


def _anchor(form: forms.BaseForm, name: str) -> str:
    field = form.fields.get(name)
    if field is None or field.widget.is_hidden:
        return ""
    anchor = form[name].auto_id or ""
    if anchor and isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        anchor = f"{anchor}_0"  # a group of boxes: jump to the first one
    return anchor


def error_summary(*items: forms.BaseForm | forms.BaseFormSet | None) -> list[FormError]:
    """Every error of the bound forms and formsets given, in page order."""
    summary: list[FormError] = []

    def of_form(form: forms.BaseForm, prefix: str = "") -> None:
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            label = f"{prefix}{field.label}" if field is not None and field.label else prefix.rstrip(" ·")
            for error in errors:
                summary.append(FormError(_anchor(form, name), str(label), str(error)))

    for item in items:
        if item is None or not item.is_bound:
            continue
        if isinstance(item, forms.BaseFormSet):
            summary.extend(FormError("", "", str(error)) for error in item.non_form_errors())
            for index, form in enumerate(item.forms, start=1):
                of_form(form, f"{_('Ligne')} {index} · ")
        else:
            of_form(item)
    return summary
