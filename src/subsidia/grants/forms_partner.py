"""Forms of the partners' pages: a new application, its draft (with the call's own questions and the budget
lines), its documents and the final report. They only parse what people type; the rules are the services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from subsidia.organisations.models import ActivityDomain, Organisation

from .inputs import UNSET, ApplicationInput, BudgetLineInput, Maybe
from .models import (
    Application,
    ApplicationDocumentKind,
    BudgetLine,
    DeliverableType,
    Question,
    QuestionKind,
)

ANSWER_PREFIX = "answer_"


def date_input() -> forms.DateInput:
    """The browser's date picker; it sends ISO dates (AAAA-MM-JJ)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LocalDecimalField(forms.DecimalField):
    """A number typed the way people write it: « 6 000,50 », « 6000.50 » or « 6 000 € »."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "").replace("€", "")
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


def money_field(label: Any, required: bool = False) -> forms.DecimalField:
    """An amount in euros, typed the local way (« 6 000,50 » in French)."""
    return LocalDecimalField(label=label, required=required, min_value=Decimal(0), max_digits=12, decimal_places=2,
                             localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                                          "autocomplete": "off"}))


class ApplicationCreateForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation qui dépose"), queryset=Organisation.objects.none(),
                                          empty_label=None)
    title = forms.CharField(label=_("Titre du projet"), max_length=200,
                            help_text=_("Vous pourrez le modifier jusqu'au dépôt de la demande."))

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        only = list(organisations[:2])
        self.single_organisation = only[0] if len(only) == 1 else None
        if self.single_organisation is not None:
            field.widget = forms.HiddenInput()
            field.initial = self.single_organisation.pk


class ApplicationForm(forms.Form):
    """The draft: its fields, the call's extra questions (those that apply) and the hidden version."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_("Titre du projet"), max_length=200, required=False)
    summary = forms.CharField(label=_("Résumé"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Quelques lignes : ce que fait le projet, pour qui."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=_("Objectifs, public visé, déroulement, partenaires."))
    priority = forms.ChoiceField(label=_("Priorité de l'appel visée"), required=False)
    activity_domain = forms.ModelChoiceField(
        label=_("Domaine d'activité"), required=False, queryset=ActivityDomain.objects.order_by("name"),
        empty_label=_("— Aucun domaine en particulier —"),
        help_text=_("Le domaine d'activité que le projet finance. Le ministère vérifie qu'une convention de votre "
                    "organisation ne finance pas déjà ce domaine pendant la même période."))
    deliverable_types = forms.MultipleChoiceField(label=_("Réalisations prévues"), required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    start_date = forms.DateField(label=_("Début du projet"), required=False, widget=date_input())
    end_date = forms.DateField(label=_("Fin du projet"), required=False, widget=date_input())
    requested_amount = money_field(_("Montant demandé (€)"))

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", initial_of(application))
        super().__init__(*args, **kwargs)
        call = application.call
        self.application = application
        priority = self.fields["priority"]
        assert isinstance(priority, forms.ChoiceField)
        priority.choices = [("", _("— Choisissez une priorité —")),
                            *((str(p.pk), p.title) for p in call.priorities.all())]
        if not call.priorities.exists():
            del self.fields["priority"]
        deliverables = self.fields["deliverable_types"]
        assert isinstance(deliverables, forms.MultipleChoiceField)
        allowed = call.deliverable_types or DeliverableType.values
        deliverables.choices = [(value, label) for value, label in DeliverableType.choices if value in allowed]
        self.questions = call_questions(application)
        self.answers_now = self._current_answers()
        self.shown = {q.key for q in self.questions if q.is_shown(self.answers_now)}
        for question in self.questions:
            if question.kind != QuestionKind.FILE and question.key in self.shown:
                self.fields[ANSWER_PREFIX + question.key] = question_field(question)

    def _current_answers(self) -> dict[str, object]:
        """The stored answers, with what was just typed on top: it decides which questions apply."""
        answers: dict[str, object] = dict(self.application.answers or {})
        if self.is_bound:
            for question in self.questions:
                name = self.add_prefix(ANSWER_PREFIX + question.key)
                if name in self.data:
                    answers[question.key] = str(self.data.get(name, "")).strip()
        return answers

    def answers(self) -> dict[str, str]:
        """The answers typed in this form (questions that apply and were on the page), as text."""
        out: dict[str, str] = {}
        for question in self.questions:
            name = ANSWER_PREFIX + question.key
            if name not in self.fields or self.add_prefix(name) not in self.data:
                continue
            value = self.cleaned_data.get(name)
            if value is None:
                out[question.key] = ""
            elif hasattr(value, "isoformat"):
                out[question.key] = value.isoformat()
            else:
                out[question.key] = str(value)
        return out

    def to_input(self, budget_lines: Maybe[tuple[BudgetLineInput, ...]] = UNSET) -> ApplicationInput:
        """The service's input from the valid form (and the budget rows, given apart)."""
        data = self.cleaned_data
        priority: Maybe[int | None] = UNSET
        if "priority" in self.fields:
            priority = int(data["priority"]) if data.get("priority") else None
        domain = data.get("activity_domain")
        return ApplicationInput(
            title=data.get("title") or "", summary=data.get("summary") or "",
            description=data.get("description") or "", priority_id=priority,
            activity_domain_id=domain.pk if domain is not None else None,
            deliverable_types=tuple(data.get("deliverable_types") or ()), start_date=data.get("start_date"),
            end_date=data.get("end_date"), requested_amount=data.get("requested_amount"), answers=self.answers(),
            budget_lines=budget_lines)


def call_questions(application: Application) -> list[Question]:
    """The call's questions in order, each knowing its parent without one query per question."""
    questions = list(application.call.questions.all())
    by_pk = {q.pk: q for q in questions}
    for question in questions:
        if question.shown_if_question_id in by_pk:
            question.shown_if_question = by_pk[question.shown_if_question_id]
    return questions


def question_field(question: Question) -> forms.Field:
    label = question.label
    help_text = question.help_text
    field: forms.Field
    if question.kind == QuestionKind.NUMBER:
        field = LocalDecimalField(label=label, required=False, localize=True, help_text=help_text,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    elif question.kind == QuestionKind.DATE:
        field = forms.DateField(label=label, required=False, help_text=help_text,
                                widget=date_input())
    elif question.kind == QuestionKind.CHOICE:
        field = forms.ChoiceField(label=label, required=False, help_text=help_text,
                                  choices=[("", _("— Choisissez —")), *((c, c) for c in question.choices)])
    else:
        field = forms.CharField(label=label, required=False, help_text=help_text,
                                widget=forms.Textarea(attrs={"rows": 3}))
    return field


def initial_of(application: Application) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "version": application.version, "title": application.title, "summary": application.summary,
        "description": application.description, "priority": str(application.priority_id or ""),
        "activity_domain": application.activity_domain_id,
        "deliverable_types": list(application.deliverable_types or []), "start_date": application.start_date,
        "end_date": application.end_date, "requested_amount": application.requested_amount,
    }
    for key, value in (application.answers or {}).items():
        initial[ANSWER_PREFIX + key] = value
    return initial


class BudgetLineForm(forms.Form):
    """One line of the budget; a line left empty is dropped."""

    kind = forms.ChoiceField(label=_("Nature"), choices=BudgetLine.Kind.choices, initial=BudgetLine.Kind.EXPENSE)
    label = forms.CharField(label=_("Libellé"), max_length=200, required=False)
    amount = money_field(_("Montant (€)"))

    def is_empty(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not str(data.get("label") or "").strip() and data.get("amount") is None


BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=3)


def budget_formset(data: Any = None, *, lines: list[BudgetLine] | None = None, prefix: str = "budget",
                   extra_initial: list[dict[str, Any]] | None = None) -> forms.BaseFormSet[BudgetLineForm]:
    initial = extra_initial if extra_initial is not None else [
        {"kind": line.kind, "label": line.label, "amount": line.amount} for line in (lines or [])]
    if data is not None:
        return BudgetFormSet(data, prefix=prefix)
    return BudgetFormSet(initial=initial, prefix=prefix)


def budget_lines(formset: forms.BaseFormSet[BudgetLineForm]) -> tuple[tuple[BudgetLineInput, ...], list[int]]:
    """The filled lines, and for each the index of its row in the formset (to show the services' errors)."""
    lines: list[BudgetLineInput] = []
    rows: list[int] = []
    for index, form in enumerate(formset.forms):
        if form.is_empty():
            continue
        data = form.cleaned_data
        lines.append(BudgetLineInput(kind=data.get("kind") or BudgetLine.Kind.EXPENSE, label=data.get("label") or "",
                                     amount=data.get("amount")))
        rows.append(index)
    return tuple(lines), rows


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type de document"))
    file = forms.FileField(label=_("Fichier"), help_text=_("PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG."))
    question_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        wanted = kinds if kinds is not None else ApplicationDocumentKind.values
        kind.choices = [(value, label) for value, label in ApplicationDocumentKind.choices if value in wanted]


class FinalReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    deliverables = forms.CharField(label=_("Réalisations"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
                                   help_text=_("Ce qui a été réalisé : événements, publications, publics touchés."))
    narrative = forms.CharField(label=_("Bilan"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
                                help_text=_("Ce qui a bien marché, ce qui a changé par rapport au projet."))
