from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SearchKind
from .selectors import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher"), max_length=MAX_QUERY_LENGTH, required=False,
        help_text=_("Bonnes pratiques, questions fréquentes, actualités, événements, appels à projets et annuaire. "
                    "Les accents et les majuscules ne comptent pas."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(label=_("Type de résultat"), required=False,
                             choices=[("", _("Tous les types")), *SearchKind.choices])
