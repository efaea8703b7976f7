"""The form of the notification preferences: one checkbox per kind, "also by e-mail"."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Kind


class PreferencesForm(forms.Form):
    """A checkbox per kind of notification: checked, the notification is also sent by e-mail."""

    def __init__(self, *args: Any, initial_choices: dict[str, bool] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = initial_choices or {}
        for kind in Kind:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, required=False, initial=chosen.get(kind.value, True),
            )

    def choices(self) -> dict[str, bool]:
        return {kind: bool(self.cleaned_data.get(kind)) for kind in Kind.values}
