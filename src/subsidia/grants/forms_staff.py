"""Forms of the ministry's pages on calls and applications (views_staff.py).

The forms only parse what people type; the rules (budget, dates, envelope, four-eyes...) are the services'.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.organisations.models import LegalForm, Organisation

from .inputs import CallInput, CriterionInput, QuestionInput
from .models import (
    Application,
    ApplicationDocumentKind,
    Call,
    Criterion,
    Decision,
    DeliverableType,
    Priority,
    QuestionKind,
    Recommendation,
    State,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CALL_DOCUMENT_KINDS = [
    (kind.value, kind.label) for kind in (ApplicationDocumentKind.DESCRIPTION, ApplicationDocumentKind.BUDGET,
                                          ApplicationDocumentKind.ANNEX)
]
DEFAULT_LEGAL_FORMS = [LegalForm.ASBL.value, LegalForm.FEDERATION.value]
DEFAULT_DOCUMENT_KINDS = [ApplicationDocumentKind.DESCRIPTION.value, ApplicationDocumentKind.BUDGET.value]
DEFAULT_DELIVERABLES = [DeliverableType.EVENT.value, DeliverableType.BROCHURE.value, DeliverableType.EXHIBITION.value,
                        DeliverableType.VIDEO.value]


def reviewers() -> QuerySet[User]:
    """The people who hold the reviewer role, for the assignment forms."""
    return User.objects.filter(role_grants__role=Role.REVIEWER, is_active=True).distinct().order_by(
        "full_name", "email")


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- calls -------------------------------------------------------------------------------------------

class CallForm(forms.Form):
    programme = forms.CharField(label=_("Programme"), max_length=200)
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Titre"), max_length=200)
    text = forms.CharField(label=_("Texte de l'appel"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    priorities = forms.CharField(
        label=_("Priorités"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Une priorité par ligne."),
    )
    eligible_legal_forms = forms.MultipleChoiceField(
        label=_("Formes juridiques éligibles"), required=False, choices=LegalForm.choices,
        widget=forms.CheckboxSelectMultiple, help_text=_("Aucune case cochée : toutes les formes sont admises."),
    )
    min_lead_weeks = forms.IntegerField(
        label=_("Délai minimal de dépôt (semaines)"), min_value=0, max_value=104, initial=6,
        help_text=_("Une demande doit être déposée au moins ce nombre de semaines avant le début du projet."),
    )
    required_document_kinds = forms.MultipleChoiceField(
        label=_("Documents obligatoires"), required=False, choices=CALL_DOCUMENT_KINDS,
        widget=forms.CheckboxSelectMultiple,
    )
    deliverable_types = forms.MultipleChoiceField(
        label=_("Types de réalisations"), required=False, choices=DeliverableType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_on = forms.DateField(label=_("Ouverture"), required=False, widget=DATE_WIDGET)
    closes_on = forms.DateField(label=_("Clôture"), required=False, widget=DATE_WIDGET,
                                help_text=_("Laisser vide pour un appel permanent (au fil de l'eau)."))
    budget = forms.DecimalField(label=_("Enveloppe budgétaire (€)"), min_value=Decimal(0), max_digits=12,
                                decimal_places=2)
    is_published = forms.BooleanField(label=_("Publié"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial:
            self.initial = {"eligible_legal_forms": DEFAULT_LEGAL_FORMS,
                            "required_document_kinds": DEFAULT_DOCUMENT_KINDS,
                            "deliverable_types": DEFAULT_DELIVERABLES, "min_lead_weeks": 6,
                            "year": timezone.localdate().year}

    @staticmethod
    def initial_for(call: Call) -> dict[str, Any]:
        return {
            "programme": call.programme, "year": call.year, "title": call.title, "text": call.text,
            "priorities": "\n".join(p.title for p in call.priorities.all()),
            "eligible_legal_forms": list(call.eligible_legal_forms or []),
            "min_lead_weeks": call.min_lead_weeks,
            "required_document_kinds": list(call.required_document_kinds or []),
            "deliverable_types": list(call.deliverable_types or []),
            "opens_on": call.opens_on, "closes_on": call.closes_on, "budget": call.budget,
            "is_published": call.is_published, "version": call.version,
        }


class CriterionForm(forms.Form):
    title = forms.CharField(label=_("Critère"), max_length=200)
    weight = forms.IntegerField(label=_("Pondération"), min_value=1, max_value=100, initial=1)
    help_text = forms.CharField(label=_("Explication"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))


class QuestionForm(forms.Form):
    key = forms.SlugField(label=_("Identifiant"), max_length=60,
                          help_text=_("Lettres, chiffres et tirets, unique dans l'appel."))
    label = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Explication"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Type de réponse"), choices=QuestionKind.choices, initial=QuestionKind.TEXT)
    choices = forms.CharField(label=_("Choix possibles"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Un choix par ligne (questions à choix)."))
    required = forms.BooleanField(label=_("Obligatoire"), required=False)
    shown_if_question = forms.CharField(
        label=_("Affichée seulement si la question (identifiant)"), required=False, max_length=60,
        help_text=_("Identifiant d'une question précédente ; vide : toujours affichée."),
    )
    shown_if_value = forms.CharField(label=_("a la réponse"), required=False, max_length=200)


class BaseQuestionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        """Each question's key is unique within the call."""
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            key = (form.cleaned_data or {}).get("key")
            if not key or form.cleaned_data.get("DELETE"):
                continue
            if key in seen:
                raise forms.ValidationError(_("Deux questions ont le même identifiant : %(key)s.") % {"key": key})
            seen.add(key)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True)
QuestionFormSet = forms.formset_factory(QuestionForm, formset=BaseQuestionFormSet, extra=2, can_delete=True)


def formset_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The filled, not deleted rows of a valid formset, in order."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows


def criteria_initial(call: Call) -> list[dict[str, Any]]:
    return [{"title": c.title, "weight": c.weight, "help_text": c.help_text} for c in call.criteria.all()]


def questions_initial(call: Call) -> list[dict[str, Any]]:
    return [{"key": q.key, "label": q.label, "help_text": q.help_text, "kind": q.kind,
             "choices": "\n".join(q.choices or []), "required": q.required,
             "shown_if_question": q.shown_if_question.key if q.shown_if_question else "",
             "shown_if_value": q.shown_if_value} for q in call.questions.select_related("shown_if_question")]


def call_input(form: CallForm, criteria: forms.BaseFormSet, questions: forms.BaseFormSet) -> CallInput:
    """The input of create_call / update_call from the valid forms."""
    data = form.cleaned_data
    return CallInput(
        programme=data["programme"], year=data["year"], title=data["title"], text=data["text"],
        eligible_legal_forms=tuple(data["eligible_legal_forms"]), min_lead_weeks=data["min_lead_weeks"],
        required_document_kinds=tuple(data["required_document_kinds"]),
        deliverable_types=tuple(data["deliverable_types"]), opens_on=data["opens_on"], closes_on=data["closes_on"],
        budget=data["budget"], is_published=data["is_published"], priorities=tuple(lines(data["priorities"])),
        criteria=tuple(CriterionInput(title=row["title"], weight=row["weight"], help_text=row.get("help_text") or "")
                       for row in formset_rows(criteria)),
        questions=tuple(QuestionInput(
            key=row["key"], label=row["label"], kind=row["kind"], choices=tuple(lines(row.get("choices") or "")),
            required=bool(row.get("required")), help_text=row.get("help_text") or "",
            shown_if_question=row.get("shown_if_question") or "", shown_if_value=row.get("shown_if_value") or "")
            for row in formset_rows(questions)),
    )


# --- the queue -----------------------------------------------------------------------------------------

DECISION_FILTERS = [("", _("Toutes")), ("none", _("Sans décision")), ("pending", _("À confirmer (double regard)")),
                    ("final", _("Définitive"))]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False, max_length=100,
                        help_text=_("Référence, titre, résumé ou organisation."))
    call = forms.ChoiceField(label=_("Appel"), required=False)
    state = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *State.choices])
    priority = forms.ChoiceField(label=_("Priorité"), required=False)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    reviewer = forms.ChoiceField(label=_("Expert"), required=False)
    decision = forms.ChoiceField(label=_("Décision"), required=False, choices=DECISION_FILTERS)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, calls: QuerySet[Call], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("call", [(str(c.pk), f"{c.year} · {c.title}") for c in calls], _("Tous"))
        priorities = Priority.objects.filter(call__in=calls).select_related("call")
        self._choices("priority", [(str(p.pk), f"{p.call.title} · {p.title}") for p in priorities], _("Toutes"))
        organisations = Organisation.objects.filter(applications__isnull=False).distinct().order_by("name")
        self._choices("organisation", [(str(o.pk), o.name) for o in organisations], _("Toutes"))
        self._choices("reviewer", [("none", _("Aucun expert assigné")),
                                   *((str(u.pk), str(u)) for u in reviewers())], _("Tous"))

    def _choices(self, name: str, choices: list[tuple[str, Any]], everything: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", everything), *choices]

    def filters(self) -> dict[str, str]:
        """The valid filters, as the strings selectors.queue expects (invalid ones are dropped)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: str(v) for k, v in cleaned.items() if v not in (None, "")}


class AssignForm(forms.Form):
    """Bulk assignment: the services refuse people who are not reviewers, so any active user is parsed."""

    applications = forms.ModelMultipleChoiceField(label=_("Demandes"), queryset=Application.objects.none(),
                                                  required=False)
    reviewers = forms.ModelMultipleChoiceField(label=_("Experts à assigner"), queryset=User.objects.none(),
                                               required=False)

    def __init__(self, *args: Any, applications: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        applications_field = self.fields["applications"]
        reviewers_field = self.fields["reviewers"]
        assert isinstance(applications_field, forms.ModelMultipleChoiceField)
        assert isinstance(reviewers_field, forms.ModelMultipleChoiceField)
        applications_field.queryset = applications
        reviewers_field.queryset = User.objects.filter(is_active=True)


# --- reviews ----------------------------------------------------------------------------------------

class ConflictForm(forms.Form):
    note = forms.CharField(label=_("Nature du conflit d'intérêts"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Vous serez retiré(e) de l'évaluation de cette demande."))


SCORE_CHOICES = [(str(n), str(n)) for n in range(6)]


class ScoreForm(forms.Form):
    """One 0-5 score and one comment per criterion of the call, a recommendation and an overall opinion."""

    recommendation = forms.ChoiceField(label=_("Recommandation"), choices=Recommendation.choices,
                                       widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Avis général"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=_("Note de 0 à 5"), choices=SCORE_CHOICES, widget=forms.RadioSelect,
                error_messages={"required": _("Notez ce critère de 0 à 5.")},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def criterion_fields(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int, str]]:
        return {c.pk: (int(self.cleaned_data[f"score_{c.pk}"]), self.cleaned_data[f"comment_{c.pk}"])
                for c in self.criteria}


# --- decisions and payments -----------------------------------------------------------------------

class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Décision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    granted_amount = forms.DecimalField(label=_("Montant accordé (€)"), required=False, min_value=Decimal(0),
                                        max_digits=12, decimal_places=2,
                                        help_text=_("Obligatoire pour un accord."))
    conditions = forms.CharField(label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    motivation = forms.CharField(label=_("Motivation"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("Obligatoire pour un refus."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TrancheForm(forms.Form):
    due_on = forms.DateField(label=_("Échéance"), widget=DATE_WIDGET)
    amount = forms.DecimalField(label=_("Montant (€)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)


TrancheFormSet = forms.formset_factory(TrancheForm, extra=3)


class CancelDecisionForm(forms.Form):
    reason = forms.CharField(label=_("Pourquoi écarter cette décision ?"), widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Payée le"), widget=DATE_WIDGET)
    reference = forms.CharField(label=_("Référence du paiement"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate
