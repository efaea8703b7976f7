"""Forms of the knowledge base's pages. They parse what people type into the services' typed inputs
(:mod:`subsidia.knowledge.inputs`, ``form.to_input()``); the rules (and the sanitising of rich text before it is
stored) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.actors import Visitor
from subsidia.core.errors import Code
from subsidia.core.html import sanitise
from subsidia.events.models import Block, Event
from subsidia.organisations.models import Municipality, Organisation, Theme

from . import selectors
from .inputs import FaqQuestionInput, FaqTopicInput, GoodPracticeInput, NewsInput
from .models import FaqTopic, GoodPractice, NewsItem, PublicationState

RICH_TEXT_HELP = _("Mise en forme HTML simple : paragraphes, titres (h2 à h4), gras, italique, listes, liens, "
                   "tableaux. Le reste (scripts, styles, images, cadres) est retiré à l'enregistrement.")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(rows: list[tuple[Any, str, int]], everything: Any) -> list[tuple[str, str]]:
    return [("", everything), *((str(key), f"{label} ({n})") for key, label, n in rows)]


class GoodPracticeFilterForm(forms.Form):
    """The public list's filters; each choice shows how many published good practices it has."""

    theme = forms.ChoiceField(label=_("Thème"), required=False)
    municipality = forms.ChoiceField(label=_("Commune"), required=False)
    actor = forms.ChoiceField(label=_("Acteur"), required=False)
    event = forms.ChoiceField(label=_("Événement"), required=False)
    block = forms.ChoiceField(label=_("Bloc thématique"), required=False)
    examples = forms.BooleanField(label=_("Exemples seulement"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facets = selectors.good_practice_facets()
        everything = {"theme": _("Tous"), "municipality": _("Toutes"), "actor": _("Tous"), "event": _("Tous"),
                      "block": _("Tous")}
        for name, label in everything.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = _choices(facets[name], label)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data

        def number(key: str) -> int | None:
            return int(data[key]) if data.get(key) else None

        return {"theme": data.get("theme") or "", "municipality": number("municipality"), "actor": number("actor"),
                "event": number("event"), "block": number("block"), "examples_only": bool(data.get("examples"))}


class BlockChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.event.title})"


class RichTextField(forms.CharField):
    """Rich text; when required, a text of which the sanitiser would leave nothing is no text."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.required and not sanitise(value or "").strip():
            raise forms.ValidationError(self.error_messages["required"], code=Code.REQUIRED)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class GoodPracticeForm(VersionedForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(label=_("Résumé"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Quelques phrases, sans mise en forme."))
    body = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=RICH_TEXT_HELP)
    theme = forms.ModelChoiceField(label=_("Thème"), queryset=Theme.objects.order_by("name"), required=False)
    event = forms.ModelChoiceField(label=_("Présentée lors de l'événement"),
                                   queryset=Event.objects.order_by("-starts_at"), required=False)
    block = BlockChoiceField(label=_("Bloc thématique"), required=False,
                             queryset=Block.objects.select_related("event").order_by("-event__starts_at", "position"),
                             help_text=_("Le bloc de l'événement où elle a été présentée."))
    municipalities = forms.ModelMultipleChoiceField(label=_("Communes"), queryset=Municipality.objects.order_by("name"),
                                                    required=False)
    actors = forms.ModelMultipleChoiceField(label=_("Acteurs impliqués (organisations de l'annuaire)"),
                                            queryset=Organisation.objects.order_by("name"), required=False)
    other_actors = forms.CharField(label=_("Autres acteurs"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Un acteur par ligne."))
    results = forms.CharField(label=_("Résultats"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("Personne de contact"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("E-mail de contact"), required=False)
    contact_phone = forms.CharField(label=_("Téléphone de contact"), max_length=40, required=False)
    is_example = forms.BooleanField(label=_("Exemple (données de démonstration)"), required=False)

    def to_input(self) -> GoodPracticeInput:
        data = self.cleaned_data
        return GoodPracticeInput(
            title=data["title"], summary=data["summary"], body=data["body"], theme=data["theme"],
            event=data["event"], block=data["block"], municipalities=tuple(data["municipalities"]),
            actors=tuple(data["actors"]), other_actors=data["other_actors"], results=data["results"],
            contact_name=data["contact_name"], contact_email=data["contact_email"],
            contact_phone=data["contact_phone"], is_example=data["is_example"])

    @staticmethod
    def initial_for(practice: GoodPractice) -> dict[str, Any]:
        return {
            **{key: getattr(practice, key) for key in (
                "title", "summary", "body", "theme", "event", "block", "other_actors", "results", "contact_name",
                "contact_email", "contact_phone", "is_example", "version")},
            "municipalities": list(practice.municipalities.all()), "actors": list(practice.actors.all()),
        }


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Titre du document"), max_length=200, required=False,
                            help_text=_("Par défaut, le nom du fichier."))
    file = forms.FileField(label=_("Fichier"), help_text=_("PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG ou JPEG."))


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Publication"), required=False,
                              choices=[("", _("Tous les états")), *PublicationState.choices])


class FaqTopicForm(forms.Form):
    name = forms.CharField(label=_("Nom de la rubrique"), max_length=150)
    position = forms.IntegerField(label=_("Ordre"), min_value=0, max_value=32767, initial=0)

    def to_input(self) -> FaqTopicInput:
        return FaqTopicInput(name=self.cleaned_data["name"], position=self.cleaned_data["position"])


class FaqQuestionForm(VersionedForm):
    topic = forms.ModelChoiceField(label=_("Rubrique"), queryset=FaqTopic.objects.order_by("position", "name"))
    question = forms.CharField(label=_("Question"), max_length=300)
    answer = RichTextField(label=_("Réponse"), widget=forms.Textarea(attrs={"rows": 8}), help_text=RICH_TEXT_HELP)
    position = forms.IntegerField(label=_("Ordre dans la rubrique"), min_value=0, max_value=32767, initial=0)
    is_example = forms.BooleanField(label=_("Exemple (données de démonstration)"), required=False)

    def to_input(self) -> FaqQuestionInput:
        data = self.cleaned_data
        return FaqQuestionInput(topic=data["topic"], question=data["question"], answer=data["answer"],
                                position=data["position"], is_example=data["is_example"])


class NewsForm(VersionedForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    summary = forms.CharField(label=_("Chapeau"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    body = RichTextField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 12}), help_text=RICH_TEXT_HELP)
    tags = forms.CharField(label=_("Mots-clés"), required=False, max_length=500,
                           help_text=_("Séparés par des virgules, par exemple : intégration, logement."))
    event = forms.ModelChoiceField(label=_("Événement annoncé"), queryset=Event.objects.order_by("-starts_at"),
                                   required=False)
    issuing_body = forms.ModelChoiceField(label=_("Émetteur"), queryset=Organisation.objects.order_by("name"),
                                          required=False)
    issuing_body_name = forms.CharField(label=_("Émetteur (autre, s'il n'est pas dans l'annuaire)"),
                                        max_length=200, required=False)
    is_example = forms.BooleanField(label=_("Exemple (données de démonstration)"), required=False)

    def __init__(self, *args: Any, user: Visitor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not selectors.is_officer(user):
            # A partner writes for their own organisation: the issuer is chosen among theirs, or fixed.
            del self.fields["issuing_body_name"]
            del self.fields["is_example"]
            issuer = self.fields["issuing_body"]
            assert isinstance(issuer, forms.ModelChoiceField)
            issuer.queryset = selectors.partner_admin_organisations(user).order_by("name")
            issuer.required = True
            issuer.empty_label = None

    def to_input(self) -> NewsInput:
        data = self.cleaned_data
        return NewsInput(
            title=data["title"], body=data["body"], date=data["date"], place=data["place"],
            summary=data["summary"], tags=tuple(name.strip() for name in data["tags"].split(",") if name.strip()),
            event=data["event"], issuing_body=data["issuing_body"],
            # A partner's form has neither field: the service fixes them.
            issuing_body_name=data.get("issuing_body_name", ""), is_example=data.get("is_example", False))

    @staticmethod
    def initial_for(item: NewsItem) -> dict[str, Any]:
        return {
            **{key: getattr(item, key) for key in ("title", "date", "place", "summary", "body", "event",
                                                   "issuing_body", "issuing_body_name", "is_example", "version")},
            "tags": ", ".join(t.name for t in item.tags.all()),
        }


class NewsFilterForm(forms.Form):
    tag = forms.ChoiceField(label=_("Mot-clé"), required=False)
    issuer = forms.ChoiceField(label=_("Émetteur"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tag = self.fields["tag"]
        issuer = self.fields["issuer"]
        assert isinstance(tag, forms.ChoiceField) and isinstance(issuer, forms.ChoiceField)
        tags = selectors.news_tags_in_use()
        tag.choices = [("", _("Tous")), *((t.slug, f"{t.name} ({getattr(t, 'n', 0)})") for t in tags)]
        issuer.choices = [("", _("Tous")), *((str(o.pk), o.name) for o in selectors.news_issuers())]


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("Ce que le partenaire doit revoir"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
