from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.roles import Role

from .models import (
    Contact,
    DocumentKind,
    LegalForm,
    Membership,
    Municipality,
    Organisation,
    Service,
    Theme,
)
from .services import ORGANISATION_FIELDS, PARTNER_EDITABLE_FIELDS


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom ou sigle"), required=False, max_length=100)
    theme = forms.ChoiceField(label=_("Thème"), required=False)
    legal_form = forms.ChoiceField(
        label=_("Forme juridique"), required=False, choices=[("", _("Toutes")), *list(LegalForm.choices)]
    )
    municipality = forms.ChoiceField(label=_("Commune"), required=False)
    conventioned = forms.BooleanField(
        label=_("Conventionnées seulement"), required=False,
        help_text=_("Les organisations liées au ministère par une convention en vigueur aujourd'hui."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme = self.fields["theme"]
        municipality = self.fields["municipality"]
        assert isinstance(theme, forms.ChoiceField) and isinstance(municipality, forms.ChoiceField)
        theme.choices = [("", _("Tous")), *Theme.objects.values_list("code", "name")]
        municipality.choices = [
            ("", _("Toutes")),
            *((str(pk), name) for pk, name in Municipality.objects.values_list("pk", "name")),
        ]


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [*ORGANISATION_FIELDS, "themes", "target_publics"]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "target_publics": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
            "last_verified_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, partner: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partner:
            for name in list(self.fields):
                if name not in PARTNER_EDITABLE_FIELDS:
                    del self.fields[name]

    def validate_unique(self) -> None:
        """Uniqueness is the service's rule (it reports it with a stable code)."""


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    full_name = forms.CharField(label=_("Nom complet"), required=False, max_length=200)
    role = forms.ChoiceField(label=_("Rôle"), choices=Membership.ROLE_CHOICES, initial=Role.PARTNER_MEMBER)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "function", "email", "phone", "is_public"]


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["kind", "name", "capacity", "municipality", "phone", "is_public"]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type de document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Titre"), required=False, max_length=200)
    file = forms.FileField(label=_("Fichier"), help_text=_("PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG."))
    valid_from = forms.DateField(label=_("Valable du"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valable jusqu'au"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
