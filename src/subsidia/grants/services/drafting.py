"""Partners draft an application (officers correct it until the decision): its fields, answers, planned
budget and documents. A save based on an older copy is refused (409); the eligibility preview says what would
still stop the submission."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.uploads import DOCUMENTS, check_upload, store
from subsidia.core.versions import check_version
from subsidia.organisations.models import ActivityDomain, Membership, Organisation

from .. import rules, selectors
from ..errors import GrantError
from ..inputs import ApplicationInput, BudgetLineInput, Unset
from ..models import (
    Application,
    ApplicationDocument,
    ApplicationDocumentKind,
    BudgetLine,
    Call,
    DeliverableType,
    Question,
    QuestionKind,
    State,
)
from ..workflow import OFFICER_EDITABLE_STATES, PARTNER_EDITABLE_STATES
from .common import AUDITED_APPLICATION, STALE, amount_problems, current_date, locked_application


def next_reference(call: Call) -> str:
    count = Application.objects.filter(call__year=call.year).count() + 1
    while Application.objects.filter(reference=f"{call.year}-{count:04d}").exists():
        count += 1
    return f"{call.year}-{count:04d}"


def _texts_and_dates(data: ApplicationInput, clean: dict[str, Any], problems: list[Violation]) -> None:
    for key in ("title", "summary", "description"):
        value = getattr(data, key)
        if not isinstance(value, Unset):
            clean[key] = value.strip()
    if clean.get("title") == "":
        problems.append(Violation(Code.REQUIRED, _("Le titre du projet est obligatoire."), "title"))
    for key in ("start_date", "end_date"):
        value = getattr(data, key)
        if not isinstance(value, Unset):
            clean[key] = value
    if not isinstance(data.requested_amount, Unset):
        clean["requested_amount"] = data.requested_amount
        if data.requested_amount is not None:
            problems.extend(amount_problems(data.requested_amount, "requested_amount"))


def _choices(call: Call, data: ApplicationInput, clean: dict[str, Any], problems: list[Violation]) -> None:
    """The priority (one of the call's), the field of activity and the deliverables (those the call expects)."""
    if not isinstance(data.priority_id, Unset):
        priority = None if data.priority_id is None else call.priorities.filter(pk=data.priority_id).first()
        if data.priority_id is not None and priority is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Cette priorité n'appartient pas à l'appel."),
                                      "priority"))
        clean["priority"] = priority
    if not isinstance(data.activity_domain_id, Unset):
        domain_id = data.activity_domain_id
        domain = None if domain_id is None else ActivityDomain.objects.filter(pk=domain_id).first()
        if domain_id is not None and domain is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Domaine d'activité inconnu."), "activity_domain"))
        clean["activity_domain"] = domain
    if not isinstance(data.deliverable_types, Unset):
        unknown = [v for v in data.deliverable_types if v not in (call.deliverable_types or DeliverableType.values)]
        if unknown:
            problems.append(Violation(Code.INVALID_CHOICE, _("Type de réalisation non prévu par l'appel : %(v)s.")
                                      % {"v": ", ".join(unknown)}, "deliverable_types"))
        clean["deliverable_types"] = list(dict.fromkeys(data.deliverable_types))


def _answer_problem(question: Question, text: str, field: str) -> Violation | None:
    """An answer of the kind its question asks for (a number, a date, one of the choices)."""
    if not text:
        return None
    if question.kind == QuestionKind.NUMBER:
        try:
            Decimal(text)
        except InvalidOperation:
            return Violation(Code.INVALID, _("Un nombre est attendu."), field)
    elif question.kind == QuestionKind.DATE:
        try:
            date.fromisoformat(text)
        except ValueError:
            return Violation(Code.INVALID, _("Date invalide (AAAA-MM-JJ)."), field)
    elif question.kind == QuestionKind.CHOICE and text not in question.choices:
        return Violation(Code.INVALID_CHOICE, _("Choix inconnu."), field)
    return None


def _answers(application: Application, given: Mapping[str, str], problems: list[Violation]) -> dict[str, str]:
    """The stored answers with the given ones on top, each to a question of the call (not a file question)."""
    answers = dict(application.answers or {})
    questions = {q.key: q for q in application.call.questions.all()}
    for key, value in given.items():
        question = questions.get(key)
        if question is None or question.kind == QuestionKind.FILE:
            problems.append(Violation(GrantError.UNKNOWN_QUESTION, _("Question inconnue : %(k)s.") % {"k": key},
                                      f"answers.{key}"))
            continue
        text = value.strip()
        problem = _answer_problem(question, text, f"answers.{key}")
        if problem is not None:
            problems.append(problem)
        answers[key] = text
    return answers


def budget_lines(lines: Iterable[BudgetLineInput], problems: list[Violation],
                 field: str = "budget_lines") -> list[BudgetLine]:
    """The budget lines to store: each with a label, a known kind and a positive amount."""
    out = []
    for index, item in enumerate(lines):
        label = item.label.strip()
        if not label:
            problems.append(Violation(Code.REQUIRED, _("Chaque ligne budgétaire a un libellé."),
                                      f"{field}.{index}.label"))
        if item.kind not in BudgetLine.Kind.values:
            problems.append(Violation(Code.INVALID_CHOICE, _("Nature de ligne inconnue : dépense ou recette."),
                                      f"{field}.{index}.kind"))
        amount_wrong = amount_problems(item.amount, f"{field}.{index}.amount")
        problems.extend(amount_wrong)
        if item.amount is not None and not amount_wrong:
            out.append(BudgetLine(kind=item.kind, label=label[:200], amount=item.amount, position=index))
    return out


def application_fields(application: Application,
                       data: ApplicationInput) -> tuple[dict[str, Any], list[BudgetLine] | None]:
    """The model values an input sets and its budget lines (None: not given), once every rule holds."""
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    _texts_and_dates(data, clean, problems)
    _choices(application.call, data, clean, problems)
    if not isinstance(data.answers, Unset):
        clean["answers"] = _answers(application, data.answers, problems)
    lines = None if isinstance(data.budget_lines, Unset) else budget_lines(data.budget_lines, problems)
    if problems:
        raise RuleViolation(problems)
    return clean, lines


def save_lines(application: Application, lines: list[BudgetLine], stage: str) -> None:
    application.budget_lines.filter(stage=stage).delete()
    for line in lines:
        line.application = application
        line.stage = stage
    BudgetLine.objects.bulk_create(lines)


def _lines_snapshot(application: Application, stage: str = BudgetLine.Stage.PLANNED) -> list[list[str]]:
    return [[line.kind, line.label, str(line.amount)] for line in application.budget_lines.filter(stage=stage)]


@transaction.atomic
def create_application(actor: Actor, call: Call, organisation: Organisation, data: ApplicationInput) -> Application:
    """A partner drafts an application for its own organisation to a published call."""
    member = actor.is_authenticated and Membership.objects.filter(user=actor, organisation=organisation).exists()
    if not member:
        raise NotFound.single(Code.NOT_FOUND, _("Organisation introuvable."), "organisation_id")
    if not call.is_published:
        raise NotFound.single(Code.NOT_FOUND, _("Appel introuvable."), "call_id")
    if call.closes_on and call.closes_on < current_date():
        raise RuleViolation.single(GrantError.CALL_CLOSED, _("L'appel est clos depuis le %(date)s.") % {
            "date": call.closes_on.strftime("%d/%m/%Y")}, "call_id")
    application = Application(call=call, organisation=organisation, created_by=actor, title="")
    if isinstance(data.title, Unset):
        data = replace(data, title="")
    clean, lines = application_fields(application, data)
    for key, value in clean.items():
        setattr(application, key, value)
    application.reference = next_reference(call)
    application.save()
    if lines is not None:
        save_lines(application, lines, BudgetLine.Stage.PLANNED)
    after = snapshot(application, AUDITED_APPLICATION)
    after["budget_lines"] = _lines_snapshot(application)
    record(actor, "application.create", application, after=after)
    return application


def require_editable(actor: Actor, application: Application) -> None:
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
def update_application(actor: Actor, application: Application, data: ApplicationInput,
                       expected_version: int | None = None) -> Application:
    """Save a draft (also the autosave). With ``expected_version``, a save based on an older copy than the
    stored one is refused (409) and nothing is written: two people never silently overwrite each other."""
    application = locked_application(actor, application)
    require_editable(actor, application)
    check_version(application, expected_version, str(STALE))
    clean, lines = application_fields(application, data)
    before = snapshot(application, AUDITED_APPLICATION)
    before["budget_lines"] = _lines_snapshot(application)
    for key, value in clean.items():
        setattr(application, key, value)
    application.version = F("version") + 1
    application.save()
    if lines is not None:
        save_lines(application, lines, BudgetLine.Stage.PLANNED)
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
def add_document(actor: Actor, application: Application, kind: str, upload: UploadedFile,
                 question_key: str = "") -> ApplicationDocument:
    """Store a supporting document, checked by its content; an upload of the same kind is a new version."""
    application = locked_application(actor, application)
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


def eligibility_preview(application: Application, today: date | None = None) -> list[Violation]:
    """What would stop the submission now: shown to the partner while drafting."""
    return rules.check(application, today or current_date())
