"""Writes on calls and applications. Each service takes the acting user first, checks who may do it,
runs in one transaction, writes the audit trail and notifies on commit. A refused change raises a
:class:`~subsidia.core.errors.RuleViolation` and leaves nothing behind.

Order of the checks on an application: may the actor see it (404), may their role do this (403),
is the move legal from the current state and is the actor's copy current (409), do the rules hold (422).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.uploads import DOCUMENTS, check_upload, store
from subsidia.core.values import parse_money
from subsidia.core.versions import check_version, locked
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify
from subsidia.organisations.models import ActivityDomain, LegalForm, Membership, Organisation

from . import rules, selectors
from .errors import GrantError
from .models import (
    Application,
    ApplicationDocument,
    ApplicationDocumentKind,
    BudgetLine,
    Call,
    Criterion,
    Decision,
    DeliverableType,
    EligibilityCheck,
    FinalReport,
    Priority,
    Question,
    QuestionKind,
    Recommendation,
    Review,
    Score,
    State,
    StateChange,
    Tranche,
)
from .workflow import OFFICER_EDITABLE_STATES, PARTNER_EDITABLE_STATES, PAYABLE_STATES, REVIEW_STATES, WORKFLOW

CALL_FIELDS = ["programme", "year", "title", "text", "eligible_legal_forms", "min_lead_weeks",
               "required_document_kinds", "deliverable_types", "opens_on", "closes_on", "budget", "is_published"]
APPLICATION_FIELDS = ["title", "summary", "description", "priority", "activity_domain", "deliverable_types",
                      "start_date", "end_date", "requested_amount", "answers"]
AUDITED_APPLICATION = [*APPLICATION_FIELDS, "state", "version"]
NOT_FOUND = gettext_lazy("Demande introuvable.")
STALE = gettext_lazy("Cette demande a été modifiée entre-temps par quelqu'un d'autre (version %(current)s, vous "
                     "éditiez la version %(yours)s). Rechargez-la : vos changements n'ont pas été enregistrés.")


# --- helpers -------------------------------------------------------------------------------------

def _today() -> date:
    return timezone.localdate()


_money = parse_money


def _officers() -> Iterable[User]:
    return User.objects.filter(role_grants__role=Role.OFFICER, is_active=True).distinct()


def _approvers() -> Iterable[User]:
    return User.objects.filter(role_grants__role=Role.APPROVER, is_active=True).distinct()


def _partner_admins(application: Application) -> Iterable[User]:
    return User.objects.filter(memberships__organisation=application.organisation,
                               memberships__role=Role.PARTNER_ADMIN, is_active=True).distinct()


def _partners(application: Application) -> Iterable[User]:
    return User.objects.filter(memberships__organisation=application.organisation, is_active=True).distinct()


def _url(application: Application) -> str:
    return reverse("grants:application_detail", kwargs={"pk": application.pk})


def _require_officer(actor: Any) -> None:
    if not selectors.manages_calls(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un agent gestionnaire peut faire cela."))


def _locked(actor: Any, application: Application) -> Application:
    """The application, locked for this transaction, if the actor may see it (else 404)."""
    return locked(selectors.applications_visible_to(actor), application, NOT_FOUND,
                  related=("call", "organisation"))


def _require(actor: Any, application: Application, name: str) -> None:
    """The workflow's check of ``name``, after the domain's own: a partner's act is made by an admin member of
    the application's organisation, not by the admin of another one."""
    item = WORKFLOW[name]
    if Role.PARTNER_ADMIN in item.roles and item.allows(actor.roles) \
            and not selectors.is_member_of(actor, application, admin=True):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un gestionnaire de l'organisation peut faire cela."))
    WORKFLOW.require(actor, application, name)


def _open(actor: Any, application: Application, name: str, expected_version: int | None) -> Application:
    """The application locked for the transition ``name``: visible (404), allowed (403), legal from its state
    and the actor's copy current (409), in that order."""
    application = _locked(actor, application)
    _require(actor, application, name)
    check_version(application, expected_version, str(STALE))
    return application


def _move(actor: Any, application: Application, name: str, *, note: str = "",
          before: dict[str, Any] | None = None) -> Application:
    """Carry out the transition (already checked) on core's engine, then tell the organisation."""
    source = application.state

    def history(from_state: str, to_state: str) -> None:
        StateChange.objects.create(application=application, transition=name, from_state=from_state,
                                   to_state=to_state, actor=actor if actor.is_authenticated else None, note=note)

    application = WORKFLOW.move(actor, application, name, note=note, before=before,
                                audit_fields=AUDITED_APPLICATION, history=history)
    _notify_state(application, source, note)
    return application


def _notify_state(application: Application, source: str, note: str) -> None:
    state_label = application.get_state_display

    def message() -> tuple[str, str]:
        return (_("%(ref)s : votre demande est maintenant « %(state)s »") % {
            "ref": application.reference, "state": state_label()},
            _("La demande « %(title)s » est passée à l'état « %(state)s ».") % {
                "title": application.title, "state": state_label()} + (f"\n\n{note}" if note else ""))

    kind = Kind.INFORMATION_REQUESTED if application.state == State.MORE_INFORMATION_REQUESTED \
        else Kind.APPLICATION_STATE
    notify(_partners(application), kind, message, _url(application))


# --- calls ---------------------------------------------------------------------------------------

def _call_data(data: dict[str, Any], call: Call | None) -> dict[str, Any]:
    """Validate a call's fields; every problem is reported at once."""
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    for key in CALL_FIELDS:
        if key in data:
            clean[key] = data[key]
    for key in ("programme", "title"):
        value = clean.get(key, getattr(call, key, "") if call else "")
        if not str(value or "").strip():
            problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
        elif key in clean:
            clean[key] = str(value).strip()
    if call is None:
        for key in ("year", "budget"):
            if clean.get(key) in (None, ""):
                problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
        clean.setdefault("eligible_legal_forms", [LegalForm.ASBL.value, LegalForm.FEDERATION.value])
        clean.setdefault("required_document_kinds", [ApplicationDocumentKind.DESCRIPTION.value,
                                                     ApplicationDocumentKind.BUDGET.value])
        clean.setdefault("deliverable_types", [DeliverableType.EVENT.value, DeliverableType.BROCHURE.value,
                                               DeliverableType.EXHIBITION.value, DeliverableType.VIDEO.value])
    for key, allowed in (("eligible_legal_forms", LegalForm.values),
                         ("required_document_kinds", [ApplicationDocumentKind.DESCRIPTION.value,
                                                      ApplicationDocumentKind.BUDGET.value,
                                                      ApplicationDocumentKind.ANNEX.value]),
                         ("deliverable_types", DeliverableType.values)):
        if key in clean:
            values = clean[key] or []
            unknown = [v for v in values if v not in allowed]
            if not isinstance(values, list) or unknown:
                problems.append(Violation(Code.INVALID_CHOICE, _("Valeur inconnue : %(v)s.") % {
                    "v": ", ".join(map(str, unknown or [values]))}, key))
            else:
                clean[key] = list(dict.fromkeys(values))
    if "budget" in clean and clean["budget"] not in (None, ""):
        try:
            clean["budget"] = _money(clean["budget"], "budget")
        except RuleViolation as error:
            problems.extend(error.violations)
    if "year" in clean and clean["year"] not in (None, ""):
        try:
            clean["year"] = int(clean["year"])
            if not 2000 <= clean["year"] <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(Violation(Code.INVALID, _("Année invalide."), "year"))
    if "min_lead_weeks" in clean:
        try:
            clean["min_lead_weeks"] = int(clean["min_lead_weeks"])
            if not 0 <= clean["min_lead_weeks"] <= 104:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(Violation(Code.INVALID, _("Délai invalide : entre 0 et 104 semaines."), "min_lead_weeks"))
    opens = clean.get("opens_on", call.opens_on if call else None)
    closes = clean.get("closes_on", call.closes_on if call else None)
    if opens and closes and closes < opens:
        problems.append(Violation(Code.DATES_INVALID, _("La clôture précède l'ouverture de l'appel."), "closes_on"))
    if call is not None and "budget" in clean and isinstance(clean["budget"], Decimal) \
            and clean["budget"] < call.committed:
        problems.append(Violation(GrantError.BUDGET_BELOW_COMMITTED, _(
            "L'enveloppe ne peut pas descendre sous le montant déjà engagé (%(committed)s €).") % {
            "committed": call.committed}, "budget"))
    if problems:
        raise RuleViolation(problems)
    return clean


def _set_priorities(call: Call, titles: list[str]) -> None:
    titles = [t.strip() for t in titles if t and t.strip()]
    existing = {p.title: p for p in call.priorities.all()}
    for position, title in enumerate(titles):
        priority = existing.pop(title, None) or Priority(call=call, title=title)
        priority.position = position
        priority.save()
    used = [p.title for p in existing.values() if p.applications.exists()]
    if used:
        raise RuleViolation.single(GrantError.IN_USE, _(
            "Des demandes visent ces priorités ; elles ne peuvent être retirées : %(p)s.") % {"p": "; ".join(used)},
            "priorities")
    for priority in existing.values():
        priority.delete()


def _set_criteria(call: Call, criteria: list[dict[str, Any]]) -> None:
    existing = {c.title: c for c in call.criteria.all()}
    for position, item in enumerate(criteria):
        title = str(item.get("title", "")).strip()
        try:
            weight = int(item.get("weight", 1))
        except (TypeError, ValueError):
            weight = 0
        if not title or not 1 <= weight <= 100:
            raise RuleViolation.single(Code.INVALID, _("Chaque critère a un titre et une pondération de 1 à 100."),
                                       "criteria")
        criterion = existing.pop(title, None) or Criterion(call=call, title=title)
        criterion.weight, criterion.position = weight, position
        criterion.help_text = str(item.get("help_text", "") or "")
        criterion.save()
    if any(c.scores.exists() for c in existing.values()):
        raise RuleViolation.single(GrantError.IN_USE, _("Un critère déjà noté ne peut être retiré."), "criteria")
    for criterion in existing.values():
        criterion.delete()


def _set_questions(call: Call, questions: list[dict[str, Any]]) -> None:
    existing = {q.key: q for q in call.questions.all()}
    saved: dict[str, Question] = {}
    for position, item in enumerate(questions):
        key = str(item.get("key", "")).strip()
        label = str(item.get("label", "")).strip()
        kind = item.get("kind", QuestionKind.TEXT)
        choices = [str(c) for c in item.get("choices") or []]
        parent_key = str(item.get("shown_if_question") or "")
        if not key or not label or kind not in QuestionKind.values:
            raise RuleViolation.single(Code.INVALID, _(
                "Chaque question a un identifiant, un libellé et un type connu."), "questions")
        if kind == QuestionKind.CHOICE and not choices:
            raise RuleViolation.single(Code.INVALID, _("Une question à choix énumère ses choix."), "questions")
        if parent_key and parent_key not in saved:
            raise RuleViolation.single(Code.INVALID, _("Une question ne peut dépendre que d'une question précédente."),
                                       "questions")
        question = existing.pop(key, None) or Question(call=call, key=key)
        question.label, question.kind, question.choices, question.position = label, kind, choices, position
        question.help_text = str(item.get("help_text", "") or "")
        question.required = bool(item.get("required", False))
        question.shown_if_question = saved.get(parent_key)
        question.shown_if_value = str(item.get("shown_if_value", "") or "") if parent_key else ""
        question.save()
        saved[key] = question
    for question in existing.values():
        question.delete()


def _call_snapshot(call: Call) -> dict[str, Any]:
    data = snapshot(call, [*CALL_FIELDS, "version"])
    data["priorities"] = [p.title for p in call.priorities.all()]
    data["criteria"] = [{"title": c.title, "weight": c.weight} for c in call.criteria.all()]
    data["questions"] = [q.key for q in call.questions.all()]
    return data


@transaction.atomic
def create_call(actor: Any, data: dict[str, Any]) -> Call:
    _require_officer(actor)
    clean = _call_data(data, None)
    call = Call(created_by=actor, **clean)
    call.save()
    _set_priorities(call, list(data.get("priorities") or []))
    _set_criteria(call, list(data.get("criteria") or []))
    _set_questions(call, list(data.get("questions") or []))
    record(actor, "call.create", call, after=_call_snapshot(call))
    return call


@transaction.atomic
def update_call(actor: Any, call: Call, data: dict[str, Any], expected_version: int | None = None) -> Call:
    _require_officer(actor)
    call = locked(selectors.calls_visible_to(actor), call, _("Appel introuvable."))
    check_version(call, expected_version, _("Cet appel a été modifié entre-temps par quelqu'un d'autre. "
                                            "Rechargez-le : vos changements n'ont pas été enregistrés."))
    before = _call_snapshot(call)
    clean = _call_data(data, call)
    for key, value in clean.items():
        setattr(call, key, value)
    call.version += 1
    call.save()
    if "priorities" in data:
        _set_priorities(call, list(data["priorities"] or []))
    if "criteria" in data:
        _set_criteria(call, list(data["criteria"] or []))
    if "questions" in data:
        _set_questions(call, list(data["questions"] or []))
    record(actor, "call.update", call, before=before, after=_call_snapshot(call))
    return call


# --- applications: drafting --------------------------------------------------------------------

def next_reference(call: Call) -> str:
    count = Application.objects.filter(call__year=call.year).count() + 1
    while Application.objects.filter(reference=f"{call.year}-{count:04d}").exists():
        count += 1
    return f"{call.year}-{count:04d}"


def _application_data(application: Application, data: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Validate the editable fields; return the clean values and the budget lines (or None)."""
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    call = application.call
    for key in ("title", "summary", "description"):
        if key in data:
            clean[key] = str(data[key] or "").strip()
    if "title" in clean and not clean["title"]:
        problems.append(Violation(Code.REQUIRED, _("Le titre du projet est obligatoire."), "title"))
    if "title" in clean and len(clean["title"]) > 200:
        problems.append(Violation(Code.INVALID, _("Le titre ne peut dépasser 200 caractères."), "title"))
    for key in ("start_date", "end_date"):
        if key in data:
            value = data[key]
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value) if value else None
                except ValueError:
                    problems.append(Violation(Code.INVALID, _("Date invalide (AAAA-MM-JJ)."), key))
                    continue
            clean[key] = value
    if "requested_amount" in data:
        value = data["requested_amount"]
        if value in (None, ""):
            clean["requested_amount"] = None
        else:
            try:
                clean["requested_amount"] = _money(value, "requested_amount")
            except RuleViolation as error:
                problems.extend(error.violations)
    if "priority" in data:
        value = data["priority"]
        priority_id = value.pk if isinstance(value, Priority) else value
        if priority_id in (None, ""):
            clean["priority"] = None
        else:
            priority = call.priorities.filter(pk=priority_id).first() if str(priority_id).isdigit() else None
            if priority is None:
                problems.append(Violation(Code.INVALID_CHOICE, _("Cette priorité n'appartient pas à l'appel."),
                                          "priority"))
            clean["priority"] = priority
    if "activity_domain" in data:
        value = data["activity_domain"]
        domain_id = value.pk if isinstance(value, ActivityDomain) else value
        if domain_id in (None, ""):
            clean["activity_domain"] = None
        else:
            domain = ActivityDomain.objects.filter(pk=domain_id).first() if str(domain_id).isdigit() else None
            if domain is None:
                problems.append(Violation(Code.INVALID_CHOICE, _("Domaine d'activité inconnu."), "activity_domain"))
            clean["activity_domain"] = domain
    if "deliverable_types" in data:
        values = list(data["deliverable_types"] or [])
        unknown = [v for v in values if v not in (call.deliverable_types or DeliverableType.values)]
        if unknown:
            problems.append(Violation(Code.INVALID_CHOICE, _("Type de réalisation non prévu par l'appel : %(v)s.")
                                      % {"v": ", ".join(map(str, unknown))}, "deliverable_types"))
        clean["deliverable_types"] = list(dict.fromkeys(values))
    if "answers" in data:
        answers = dict(application.answers or {})
        questions = {q.key: q for q in call.questions.all()}
        for key, value in dict(data["answers"] or {}).items():
            question = questions.get(key)
            if question is None or question.kind == QuestionKind.FILE:
                problems.append(Violation(GrantError.UNKNOWN_QUESTION, _("Question inconnue : %(k)s.") % {"k": key},
                                          f"answers.{key}"))
                continue
            text = "" if value is None else str(value).strip()
            if text and question.kind == QuestionKind.NUMBER:
                try:
                    Decimal(text)
                except InvalidOperation:
                    problems.append(Violation(Code.INVALID, _("Un nombre est attendu."), f"answers.{key}"))
            elif text and question.kind == QuestionKind.DATE:
                try:
                    date.fromisoformat(text)
                except ValueError:
                    problems.append(Violation(Code.INVALID, _("Date invalide (AAAA-MM-JJ)."), f"answers.{key}"))
            elif text and question.kind == QuestionKind.CHOICE and text not in question.choices:
                problems.append(Violation(Code.INVALID_CHOICE, _("Choix inconnu."), f"answers.{key}"))
            answers[key] = text
        clean["answers"] = answers
    lines = None
    if "budget_lines" in data:
        lines = []
        for index, item in enumerate(data["budget_lines"] or []):
            label = str(item.get("label", "") or "").strip()
            kind = item.get("kind")
            if not label:
                problems.append(Violation(Code.REQUIRED, _("Chaque ligne budgétaire a un libellé."),
                                          f"budget_lines.{index}.label"))
            if kind not in BudgetLine.Kind.values:
                problems.append(Violation(Code.INVALID_CHOICE, _("Nature de ligne inconnue : dépense ou recette."),
                                          f"budget_lines.{index}.kind"))
            try:
                amount = _money(item.get("amount"), f"budget_lines.{index}.amount")
            except RuleViolation as error:
                problems.extend(error.violations)
                continue
            lines.append(BudgetLine(kind=kind, label=label[:200], amount=amount, position=index))
    if problems:
        raise RuleViolation(problems)
    return clean, lines


def _save_lines(application: Application, lines: list[BudgetLine], stage: str) -> None:
    application.budget_lines.filter(stage=stage).delete()
    for line in lines:
        line.application = application
        line.stage = stage
    BudgetLine.objects.bulk_create(lines)


def _lines_snapshot(application: Application, stage: str = BudgetLine.Stage.PLANNED) -> list[list[str]]:
    return [[line.kind, line.label, str(line.amount)] for line in application.budget_lines.filter(stage=stage)]


@transaction.atomic
def create_application(actor: Any, call: Call, organisation: Organisation, data: dict[str, Any]) -> Application:
    """A partner drafts an application for its own organisation to a published call."""
    member = actor.is_authenticated and Membership.objects.filter(user=actor, organisation=organisation).exists()
    if not member:
        raise NotFound.single(Code.NOT_FOUND, _("Organisation introuvable."), "organisation_id")
    if not call.is_published:
        raise NotFound.single(Code.NOT_FOUND, _("Appel introuvable."), "call_id")
    if call.closes_on and call.closes_on < _today():
        raise RuleViolation.single(GrantError.CALL_CLOSED, _("L'appel est clos depuis le %(date)s.") % {
            "date": call.closes_on.strftime("%d/%m/%Y")}, "call_id")
    application = Application(call=call, organisation=organisation, created_by=actor, title="")
    clean, lines = _application_data(application, {"title": data.get("title", ""), **data})
    for key, value in clean.items():
        setattr(application, key, value)
    application.reference = next_reference(call)
    application.save()
    if lines is not None:
        _save_lines(application, lines, BudgetLine.Stage.PLANNED)
    after = snapshot(application, AUDITED_APPLICATION)
    after["budget_lines"] = _lines_snapshot(application)
    record(actor, "application.create", application, after=after)
    return application


def require_editable(actor: Any, application: Application) -> None:
    """Refuse unless the actor may edit the application in its current state (partners while drafting,
    officers until the decision)."""
    if selectors.is_member_of(actor, application):
        if application.state not in PARTNER_EDITABLE_STATES:
            raise Conflict.single(Code.NOT_EDITABLE, _("La demande ne peut plus être modifiée dans l'état « %(s)s ».")
                                  % {"s": application.get_state_display()}, "state")
    elif actor.has_role(Role.OFFICER):
        if application.state not in OFFICER_EDITABLE_STATES:
            raise Conflict.single(Code.NOT_EDITABLE, _("La demande ne peut plus être modifiée dans l'état « %(s)s ».")
                                  % {"s": application.get_state_display()}, "state")
    else:
        raise PermissionDenied.single(Code.FORBIDDEN, _("Votre rôle ne permet pas de modifier cette demande."))


@transaction.atomic
def update_application(actor: Any, application: Application, data: dict[str, Any],
                       expected_version: int | None = None) -> Application:
    """Save a draft (also the autosave). With ``expected_version``, a save based on an older copy than the
    stored one is refused (409) and nothing is written: two people never silently overwrite each other."""
    application = _locked(actor, application)
    require_editable(actor, application)
    check_version(application, expected_version, str(STALE))
    clean, lines = _application_data(application, data)
    before = snapshot(application, AUDITED_APPLICATION)
    before["budget_lines"] = _lines_snapshot(application)
    for key, value in clean.items():
        setattr(application, key, value)
    application.version = F("version") + 1
    application.save()
    if lines is not None:
        _save_lines(application, lines, BudgetLine.Stage.PLANNED)
    application.refresh_from_db()
    after = snapshot(application, AUDITED_APPLICATION)
    after["budget_lines"] = _lines_snapshot(application)
    record(actor, "application.update", application, before=before, after=after)
    return application


DOCUMENT_KINDS_BY_STAGE = {
    "drafting": {ApplicationDocumentKind.DESCRIPTION, ApplicationDocumentKind.BUDGET, ApplicationDocumentKind.ANSWER,
                 ApplicationDocumentKind.ANNEX},
    "reporting": {ApplicationDocumentKind.FINAL_REPORT, ApplicationDocumentKind.ACTUAL_BUDGET,
                  ApplicationDocumentKind.ANNEX},
}


@transaction.atomic
def add_document(actor: Any, application: Application, kind: str, upload: UploadedFile,
                 question_key: str = "") -> ApplicationDocument:
    """Store a supporting document, checked by its content; an upload of the same kind is a new version."""
    application = _locked(actor, application)
    if kind not in ApplicationDocumentKind.values:
        raise RuleViolation.single(Code.INVALID_CHOICE, _("Type de document inconnu : %(k)s.") % {"k": kind}, "kind")
    if application.state == State.IN_PROGRESS:
        if not selectors.is_member_of(actor, application):
            raise PermissionDenied.single(Code.FORBIDDEN, _("Seule l'organisation dépose son rapport final."))
        allowed = DOCUMENT_KINDS_BY_STAGE["reporting"]
    else:
        require_editable(actor, application)
        allowed = DOCUMENT_KINDS_BY_STAGE["drafting"]
    if kind not in allowed:
        raise RuleViolation.single(Code.INVALID_CHOICE, _("Ce type de document n'est pas attendu à cette étape."),
                                   "kind")
    if kind == ApplicationDocumentKind.ANSWER:
        question = application.call.questions.filter(key=question_key, kind=QuestionKind.FILE).first()
        if question is None:
            raise RuleViolation.single(GrantError.UNKNOWN_QUESTION,
                                       _("Question inconnue : %(k)s.") % {"k": question_key}, "question_key")
    else:
        question_key = ""
    checked = check_upload(upload, DOCUMENTS)
    latest = application.documents.filter(kind=kind, question_key=question_key).aggregate(v=Max("version"))["v"]
    document = ApplicationDocument(
        application=application, kind=kind, question_key=question_key, version=(latest or 0) + 1,
        original_name=(upload.name or "document")[:255], content_type=checked.content_type,
        extension=checked.extension, size=checked.size, uploaded_by=actor,
    )
    store(document, checked, f"document.{checked.extension}")
    Application.objects.filter(pk=application.pk).update(version=F("version") + 1)
    record(actor, "application.document_add", application, after={
        "kind": kind, "question_key": question_key, "version": document.version, "name": document.original_name,
        "content_type": checked.content_type, "size": checked.size})
    return document


# --- applications: workflow ----------------------------------------------------------------------

def _store_check(actor: Any, application: Application, today: date) -> EligibilityCheck:
    results = rules.results(application, today)
    return EligibilityCheck.objects.create(application=application, run_by=actor if actor.is_authenticated else None,
                                           passed=all(r["passed"] for r in results), results=results)


@transaction.atomic
def submit(actor: Any, application: Application, expected_version: int | None = None,
           today: date | None = None) -> Application:
    """File the application. Every eligibility rule runs; if any fails, all failures are reported and
    nothing changes."""
    today = today or _today()
    application = _open(actor, application, "submit", expected_version)
    violations = rules.check(application, today)
    if violations:
        raise RuleViolation(violations)
    before = snapshot(application, AUDITED_APPLICATION)
    resubmission = application.first_submitted_on is not None
    application.first_submitted_on = application.first_submitted_on or today
    application.submitted_at = timezone.now()
    application.information_request = ""
    _store_check(actor, application, today)
    application = _move(actor, application, "submit", before=before)

    def message() -> tuple[str, str]:
        return (_("%(ref)s : demande déposée par %(org)s") % {"ref": application.reference,
                                                              "org": application.organisation.name},
                (_("La demande « %(title)s » a été redéposée après la demande d'informations.") if resubmission
                 else _("Une nouvelle demande « %(title)s » attend l'examen de son éligibilité."))
                % {"title": application.title})

    notify(_officers(), Kind.APPLICATION_SUBMITTED, message, _url(application))
    return application


@transaction.atomic
def start_eligibility(actor: Any, application: Application, expected_version: int | None = None) -> Application:
    """An officer takes up the file and the rules are run again, as of the filing date."""
    application = _open(actor, application, "start_eligibility", expected_version)
    _store_check(actor, application, application.first_submitted_on or _today())
    return _move(actor, application, "start_eligibility")


@transaction.atomic
def declare_eligible(actor: Any, application: Application, expected_version: int | None = None,
                     note: str = "") -> Application:
    application = _open(actor, application, "declare_eligible", expected_version)
    return _move(actor, application, "declare_eligible", note=note)


@transaction.atomic
def declare_ineligible(actor: Any, application: Application, reasons: list[str] | None = None,
                       expected_version: int | None = None) -> Application:
    """Ineligible, with the failing reasons: the officer's, or else those of the latest check."""
    application = _open(actor, application, "declare_ineligible", expected_version)
    reasons = [r.strip() for r in (reasons or []) if r and r.strip()]
    if not reasons:
        latest = application.eligibility_checks.first()
        reasons = [v["message"] for r in (latest.results if latest else []) for v in r["violations"]]
    if not reasons:
        raise RuleViolation.single(Code.REASON_REQUIRED, _("Indiquez pourquoi la demande n'est pas éligible."),
                                   "reasons")
    before = snapshot(application, AUDITED_APPLICATION)
    application.ineligibility_reasons = reasons
    return _move(actor, application, "declare_ineligible", note="\n".join(reasons), before=before)


@transaction.atomic
def request_information(actor: Any, application: Application, questions: str,
                        expected_version: int | None = None) -> Application:
    application = _open(actor, application, "request_information", expected_version)
    if not (questions or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Écrivez les questions posées à l'organisation."), "questions")
    before = snapshot(application, AUDITED_APPLICATION)
    application.information_request = questions.strip()
    return _move(actor, application, "request_information", note=questions.strip(), before=before)


@transaction.atomic
def withdraw(actor: Any, application: Application, note: str = "",
             expected_version: int | None = None) -> Application:
    application = _open(actor, application, "withdraw", expected_version)
    if Decision.objects.filter(application=application).exists():
        raise Conflict.single(GrantError.DECISION_PENDING, _("Une décision est en cours : la demande ne peut plus être "
                                                    "retirée."), "state")
    return _move(actor, application, "withdraw", note=note)


# --- reviews -------------------------------------------------------------------------------------

@transaction.atomic
def assign_reviewers(actor: Any, applications: Iterable[Application], reviewers: Iterable[User]) -> list[Review]:
    """Assign each reviewer to each application (bulk); an existing assignment is kept as is."""
    _require_officer(actor)
    applications = list(applications)
    reviewers = list(reviewers)
    problems = []
    for reviewer in reviewers:
        if not reviewer.has_role(Role.REVIEWER):
            problems.append(Violation(GrantError.NOT_A_REVIEWER, _("%(who)s n'est pas expert évaluateur.") % {
                "who": reviewer.email}, "reviewers"))
    if not reviewers:
        problems.append(Violation(Code.REQUIRED, _("Choisissez au moins un expert."), "reviewers"))
    if not applications:
        problems.append(Violation(Code.REQUIRED, _("Choisissez au moins une demande."), "applications"))
    for application in applications:
        if application.state not in REVIEW_STATES:
            problems.append(Violation(Code.ILLEGAL_TRANSITION, _(
                "%(ref)s : pas d'évaluation dans l'état « %(s)s ».") % {
                "ref": application.reference, "s": application.get_state_display()}, "applications"))
    if problems:
        raise RuleViolation(problems)
    created = []
    for application in applications:
        for reviewer in reviewers:
            review, new = Review.objects.get_or_create(application=application, reviewer=reviewer,
                                                       defaults={"assigned_by": actor})
            if new:
                created.append(review)
                record(actor, "review.assign", review, after={"application": application.reference,
                                                              "reviewer": reviewer.email})
    for review in created:
        application = review.application
        notify([review.reviewer], Kind.REVIEW_ASSIGNED, lambda a=application: (  # type: ignore[misc]
            _("Évaluation confiée : %(ref)s") % {"ref": a.reference},
            _("Vous êtes invité(e) à évaluer la demande « %(title)s ». Déclarez tout conflit d'intérêts avant "
              "de l'examiner.") % {"title": a.title}),
            reverse("grants:review", kwargs={"pk": review.pk}))
    return created


def _own_review(actor: Any, review: Review) -> Review:
    review = Review.objects.select_for_update().select_related("application").get(pk=review.pk)
    if review.reviewer_id != actor.pk:
        raise NotFound.single(Code.NOT_FOUND, _("Évaluation introuvable."))
    if review.application.state not in REVIEW_STATES:
        raise Conflict.single(Code.ILLEGAL_TRANSITION, _("La demande n'est plus en évaluation."), "state")
    return review


@transaction.atomic
def unassign_reviewer(actor: Any, review: Review) -> None:
    """Take a reviewer off an application; a submitted review is part of the record and stays."""
    _require_officer(actor)
    # Locked and read again: a review submitted meanwhile is not removed from under its reviewer.
    review = Review.objects.select_for_update().select_related("application", "reviewer").get(pk=review.pk)
    if review.status == Review.Status.SUBMITTED:
        raise Conflict.single(GrantError.REVIEW_SUBMITTED, _("Une évaluation remise ne peut être retirée."), "review")
    record(actor, "review.unassign", review, before={"application": review.application.reference,
                                                     "reviewer": review.reviewer.email})
    review.delete()


@transaction.atomic
def declare_conflict(actor: Any, review: Review, note: str) -> Review:
    """The reviewer declares a conflict of interest and is taken off the application's review."""
    review = _own_review(actor, review)
    if not (note or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Décrivez le conflit d'intérêts."), "note")
    if review.status == Review.Status.SUBMITTED:
        raise Conflict.single(GrantError.REVIEW_SUBMITTED, _("L'évaluation est déjà remise."), "review")
    before = snapshot(review, ["status", "conflict_note"])
    review.status, review.conflict_note = Review.Status.CONFLICT, note.strip()
    review.save()
    record(actor, "review.conflict", review, before=before, after=snapshot(review, ["status", "conflict_note"]))
    application = review.application
    notify(_officers(), Kind.REVIEW_ASSIGNED, lambda: (
        _("Conflit d'intérêts déclaré sur %(ref)s") % {"ref": application.reference},
        _("Un expert s'est déporté ; confiez l'évaluation à quelqu'un d'autre.")), _url(application))
    return review


@transaction.atomic
def submit_review(actor: Any, review: Review, scores: dict[int, tuple[int, str]], recommendation: str,
                  comment: str = "") -> Review:
    """Score every criterion (0 to 5) with a comment, and recommend."""
    review = _own_review(actor, review)
    if review.status == Review.Status.CONFLICT:
        raise Conflict.single(GrantError.CONFLICT_DECLARED, _("Vous avez déclaré un conflit d'intérêts."), "review")
    if review.application.state != State.UNDER_REVIEW:
        raise Conflict.single(Code.ILLEGAL_TRANSITION, _("La demande n'est pas encore en évaluation."), "state")
    criteria = list(review.application.call.criteria.all())
    problems = []
    clean: dict[int, tuple[int, str]] = {}
    for criterion in criteria:
        value = scores.get(criterion.pk)
        try:
            score = int(value[0]) if value is not None else None
        except (TypeError, ValueError):
            score = None
        if score is None or not 0 <= score <= 5:
            problems.append(Violation(GrantError.SCORE_REQUIRED,
                                      _("Notez « %(c)s » de 0 à 5.") % {"c": criterion.title},
                                      f"scores.{criterion.pk}"))
        else:
            clean[criterion.pk] = (score, str(value[1] or "") if value is not None else "")
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        problems.append(Violation(GrantError.UNKNOWN_CRITERION, _("Critère inconnu."), "scores"))
    if recommendation not in Recommendation.values:
        problems.append(Violation(Code.REQUIRED, _("Choisissez une recommandation."), "recommendation"))
    if problems:
        raise RuleViolation(problems)
    for criterion in criteria:
        score, note = clean[criterion.pk]
        Score.objects.update_or_create(review=review, criterion=criterion,
                                       defaults={"score": score, "comment": note})
    before = snapshot(review, ["status", "recommendation", "comment"])
    review.status, review.recommendation, review.comment = Review.Status.SUBMITTED, recommendation, comment or ""
    review.submitted_at = timezone.now()
    review.save()
    after = snapshot(review, ["status", "recommendation", "comment"])
    after["scores"] = {str(k): v[0] for k, v in clean.items()}
    record(actor, "review.submit", review, before=before, after=after)
    return review


# --- decision, payments, report --------------------------------------------------------------------

def _tranches(data: list[dict[str, Any]], granted: Decimal) -> list[Tranche]:
    problems = []
    tranches = []
    for index, item in enumerate(data):
        due = item.get("due_on")
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, date):
            problems.append(Violation(Code.INVALID, _("Date d'échéance invalide."), f"tranches.{index}.due_on"))
            continue
        try:
            amount = _money(item.get("amount"), f"tranches.{index}.amount")
        except RuleViolation as error:
            problems.extend(error.violations)
            continue
        if amount <= 0:
            problems.append(Violation(Code.INVALID, _("Une tranche est un montant positif."),
                                      f"tranches.{index}.amount"))
            continue
        tranches.append(Tranche(position=index + 1, due_on=due, amount=amount))
    if not problems and sum((t.amount for t in tranches), Decimal(0)) != granted:
        problems.append(Violation(GrantError.SCHEDULE_UNBALANCED, _("Les tranches doivent totaliser le montant accordé "
                                                           "(%(g)s €).") % {"g": granted}, "tranches"))
    if problems:
        raise RuleViolation(problems)
    return tranches


def _commit_to_envelope(call: Call, amount: Decimal) -> None:
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.committed + amount > call.budget:
        raise RuleViolation.single(GrantError.ENVELOPE_EXCEEDED, _(
            "L'enveloppe de l'appel ne suffit pas : reste %(left)s €, montant à engager %(amount)s €.") % {
            "left": call.budget - call.committed, "amount": amount}, "granted_amount")
    Call.objects.filter(pk=call.pk).update(committed=F("committed") + amount)


def _finalise(actor: Any, application: Application, decision: Decision) -> Application:
    """Make the decision take effect: commit the envelope, move the application, send the letter."""
    if decision.outcome == Decision.Outcome.APPROVED:
        _commit_to_envelope(application.call, decision.granted_amount)
        if application.end_date:
            application.report_due_on = application.end_date + timedelta(days=settings.REPORT_DUE_DAYS)
    decision.confirmed_at = timezone.now()
    decision.save()
    name = "approve" if decision.outcome == Decision.Outcome.APPROVED else "reject"
    application = _move(actor, application, name, note=decision.motivation)
    from .tasks import generate_decision_letter

    transaction.on_commit(lambda: generate_decision_letter(decision.pk))
    return application


def four_eyes_required(outcome: str, granted: Decimal) -> bool:
    return outcome == Decision.Outcome.APPROVED and granted > Decimal(str(settings.FOUR_EYES_THRESHOLD))


@transaction.atomic
def record_decision(actor: Any, application: Application, *, outcome: str, granted_amount: Any = 0,
                    conditions: str = "", motivation: str = "", tranches: list[dict[str, Any]] | None = None,
                    expected_version: int | None = None) -> Decision:
    """The approver decides. An approval above the four-eyes threshold waits for a second approver."""
    name = "approve" if outcome == Decision.Outcome.APPROVED else "reject"
    application = _open(actor, application, name, expected_version)
    if Decision.objects.filter(application=application).exists():
        raise Conflict.single(GrantError.ALREADY_DECIDED, _("Une décision est déjà enregistrée pour cette demande."),
                              "decision")
    if outcome not in Decision.Outcome.values:
        raise RuleViolation.single(Code.INVALID_CHOICE, _("Décision inconnue."), "outcome")
    granted = Decimal(0)
    schedule: list[Tranche] = []
    if outcome == Decision.Outcome.APPROVED:
        granted = _money(granted_amount, "granted_amount")
        problems = []
        if granted <= 0:
            problems.append(Violation(Code.INVALID, _("Le montant accordé doit être positif."), "granted_amount"))
        elif granted > (application.requested_amount or 0):
            problems.append(Violation(GrantError.GRANTED_ABOVE_REQUESTED, _(
                "Le montant accordé (%(g)s €) dépasse le montant demandé (%(r)s €).") % {
                "g": granted, "r": application.requested_amount}, "granted_amount"))
        if problems:
            raise RuleViolation(problems)
        schedule = _tranches(list(tranches or [{"due_on": _today().isoformat(), "amount": str(granted)}]), granted)
        call = Call.objects.get(pk=application.call_id)
        if granted > call.remaining:
            raise RuleViolation.single(GrantError.ENVELOPE_EXCEEDED, _(
                "L'enveloppe de l'appel ne suffit pas : reste %(left)s €, montant à engager %(amount)s €.") % {
                "left": call.remaining, "amount": granted}, "granted_amount")
    elif not (motivation or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Motivez le refus."), "motivation")
    decision = Decision.objects.create(application=application, outcome=outcome, granted_amount=granted,
                                       conditions=conditions or "", motivation=motivation or "", decided_by=actor)
    for tranche in schedule:
        tranche.application = application
    Tranche.objects.bulk_create(schedule)
    record(actor, "decision.record", decision, after={
        **snapshot(decision, ["outcome", "granted_amount", "conditions", "motivation"]),
        "tranches": [[t.due_on.isoformat(), str(t.amount)] for t in schedule]})
    if four_eyes_required(outcome, granted):
        Application.objects.filter(pk=application.pk).update(version=F("version") + 1)
        others = [u for u in _approvers() if u.pk != actor.pk]
        notify(others, Kind.DECISION_TO_CONFIRM, lambda: (
            _("Décision à confirmer : %(ref)s") % {"ref": application.reference},
            _("Un accord de %(amount)s € dépasse le seuil du double regard ; un second ordonnateur doit le "
              "confirmer.") % {"amount": granted}), _url(application))
    else:
        _finalise(actor, application, decision)
    return decision


@transaction.atomic
def confirm_decision(actor: Any, application: Application, expected_version: int | None = None) -> Decision:
    """The second approver confirms a decision above the threshold (four-eyes rule)."""
    application = _open(actor, application, "approve", expected_version)
    decision = Decision.objects.select_for_update().filter(application=application).first()
    if decision is None or decision.is_final:
        raise Conflict.single(GrantError.NOTHING_TO_CONFIRM, _("Aucune décision n'attend de confirmation."), "decision")
    if decision.decided_by_id == actor.pk:
        raise PermissionDenied.single(GrantError.FOUR_EYES, _(
            "Un second ordonnateur, distinct du premier, doit confirmer cette décision."), "decision")
    decision.confirmed_by = actor
    record(actor, "decision.confirm", decision, after={"confirmed_by": actor.email})
    _finalise(actor, application, decision)
    return decision


@transaction.atomic
def cancel_pending_decision(actor: Any, application: Application, reason: str) -> None:
    """A second approver who disagrees sends the pending decision back; the application stays in review."""
    application = _locked(actor, application)
    if not actor.has_role(Role.APPROVER):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un ordonnateur peut faire cela."))
    decision = Decision.objects.select_for_update().filter(application=application).first()
    if decision is None or decision.is_final:
        raise Conflict.single(GrantError.NOTHING_TO_CONFIRM, _("Aucune décision n'attend de confirmation."), "decision")
    if not (reason or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Indiquez pourquoi la décision est écartée."), "reason")
    record(actor, "decision.cancel", decision, before=snapshot(decision), note=reason.strip())
    application.tranches.all().delete()
    decision.delete()
    Application.objects.filter(pk=application.pk).update(version=F("version") + 1)


@transaction.atomic
def start_project(actor: Any, application: Application, expected_version: int | None = None) -> Application:
    application = _open(actor, application, "start_project", expected_version)
    return _move(actor, application, "start_project")


@transaction.atomic
def record_payment(actor: Any, tranche: Tranche, paid_on: date | None = None, reference: str = "") -> Tranche:
    """Finance records that a tranche is paid."""
    if not actor.is_authenticated or not actor.has_role(Role.FINANCE):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul le service financier enregistre les paiements."))
    tranche = Tranche.objects.select_for_update().select_related("application").get(pk=tranche.pk)
    application = tranche.application
    if application.state not in PAYABLE_STATES:
        raise Conflict.single(Code.ILLEGAL_TRANSITION, _("Aucun paiement dans l'état « %(s)s ».") % {
            "s": application.get_state_display()}, "state")
    if tranche.paid_on is not None:
        raise Conflict.single(Code.ALREADY_PAID, _("Cette tranche est déjà payée (le %(d)s).") % {
            "d": tranche.paid_on.strftime("%d/%m/%Y")}, "tranche")
    paid_on = paid_on or _today()
    if paid_on > _today():
        raise RuleViolation.single(Code.INVALID, _("La date de paiement ne peut être dans le futur."), "paid_on")
    tranche.paid_on, tranche.payment_reference, tranche.recorded_by = paid_on, (reference or "")[:100], actor
    tranche.save()
    record(actor, "payment.record", tranche, after={"application": application.reference, "position": tranche.position,
                                                    "amount": str(tranche.amount), "paid_on": paid_on.isoformat(),
                                                    "reference": tranche.payment_reference})
    notify(_partner_admins(application), Kind.PAYMENT, lambda: (
        _("%(ref)s : paiement de %(amount)s €") % {"ref": application.reference, "amount": tranche.amount},
        _("La tranche %(n)s du subside « %(title)s » a été payée le %(d)s.") % {
            "n": tranche.position, "title": application.title, "d": paid_on.strftime("%d/%m/%Y")}),
        _url(application))
    return tranche


@transaction.atomic
def submit_report(actor: Any, application: Application, *, deliverables: str, narrative: str = "",
                  actual_budget_lines: list[dict[str, Any]] | None = None,
                  expected_version: int | None = None) -> FinalReport:
    """The partner files the final report: deliverables, actual budget and documents."""
    application = _open(actor, application, "submit_report", expected_version)
    problems = []
    if not (deliverables or "").strip():
        problems.append(Violation(Code.REQUIRED, _("Décrivez les réalisations du projet."), "deliverables"))
    lines = None
    if actual_budget_lines is not None:
        try:
            _clean, lines = _application_data(application, {"budget_lines": actual_budget_lines})
        except RuleViolation as error:
            problems.extend(error.violations)
    if not lines and not application.budget_lines.filter(stage=BudgetLine.Stage.ACTUAL).exists():
        problems.append(Violation(Code.REQUIRED, _("Indiquez le budget réalisé (au moins une dépense)."),
                                  "actual_budget_lines"))
    if not application.documents.filter(kind=ApplicationDocumentKind.FINAL_REPORT).exists():
        problems.append(Violation(Code.MISSING_DOCUMENT, _("Document manquant : %(kind)s.") % {
            "kind": ApplicationDocumentKind.FINAL_REPORT.label}, "documents"))
    if problems:
        raise RuleViolation(problems)
    if lines is not None:
        _save_lines(application, lines, BudgetLine.Stage.ACTUAL)
    report, _created = FinalReport.objects.update_or_create(application=application, defaults={
        "deliverables": deliverables.strip(), "narrative": (narrative or "").strip(), "submitted_by": actor,
        "submitted_at": timezone.now(), "returned_comment": ""})
    application = _move(actor, application, "submit_report")
    notify(_officers(), Kind.REPORT_SUBMITTED, lambda: (
        _("%(ref)s : rapport final déposé") % {"ref": application.reference},
        _("L'organisation %(org)s a déposé le rapport final de « %(title)s ».") % {
            "org": application.organisation.name, "title": application.title}), _url(application))
    return report


@transaction.atomic
def return_report(actor: Any, application: Application, comment: str,
                  expected_version: int | None = None) -> Application:
    application = _open(actor, application, "return_report", expected_version)
    if not (comment or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Expliquez ce qui manque au rapport."), "comment")
    FinalReport.objects.filter(application=application).update(returned_comment=comment.strip())
    return _move(actor, application, "return_report", note=comment.strip())


@transaction.atomic
def close(actor: Any, application: Application, expected_version: int | None = None) -> Application:
    """The officer closes the file once the report is in and every tranche is paid."""
    application = _open(actor, application, "close", expected_version)
    unpaid = application.tranches.filter(paid_on__isnull=True).count()
    if unpaid:
        raise RuleViolation.single(GrantError.UNPAID_TRANCHES, _(
            "%(n)s tranche(s) restent à payer avant la clôture.") % {"n": unpaid}, "tranches")
    return _move(actor, application, "close")


def eligibility_preview(application: Application, today: date | None = None) -> list[Violation]:
    """What would stop the submission now: shown to the partner while drafting."""
    return rules.check(application, today or _today())
