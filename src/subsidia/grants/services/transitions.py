"""The steps of an application's workflow before and after the decision that are not the decision itself:
filing (every eligibility rule runs), the eligibility check, a request for information, withdrawal, and the
start of the project. Each is one transition of :data:`subsidia.grants.workflow.WORKFLOW`."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import snapshot
from subsidia.core.errors import Code, Conflict, RuleViolation
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from .. import rules
from ..errors import GrantError
from ..models import Application, Decision, EligibilityCheck
from .common import AUDITED_APPLICATION, application_url, current_date, move, officers, opened


def _store_check(actor: Actor, application: Application, today: date) -> EligibilityCheck:
    results = rules.results(application, today)
    return EligibilityCheck.objects.create(application=application, run_by=actor if actor.is_authenticated else None,
                                           passed=all(r["passed"] for r in results), results=results)


@transaction.atomic
def submit(actor: Actor, application: Application, expected_version: int | None = None,
           today: date | None = None) -> Application:
    """File the application. Every eligibility rule runs; if any fails, all failures are reported and
    nothing changes."""
    today = today or current_date()
    application = opened(actor, application, "submit", expected_version)
    violations = rules.check(application, today)
    if violations:
        raise RuleViolation(violations)
    before = snapshot(application, AUDITED_APPLICATION)
    resubmission = application.first_submitted_on is not None
    application.first_submitted_on = application.first_submitted_on or today
    application.submitted_at = timezone.now()
    application.information_request = ""
    _store_check(actor, application, today)
    application = move(actor, application, "submit", before=before)

    def message() -> tuple[str, str]:
        return (_("%(ref)s : demande déposée par %(org)s") % {"ref": application.reference,
                                                              "org": application.organisation.name},
                (_("La demande « %(title)s » a été redéposée après la demande d'informations.") if resubmission
                 else _("Une nouvelle demande « %(title)s » attend l'examen de son éligibilité."))
                % {"title": application.title})

    notify(officers(), Kind.APPLICATION_SUBMITTED, message, application_url(application))
    return application


@transaction.atomic
def start_eligibility(actor: Actor, application: Application, expected_version: int | None = None) -> Application:
    """An officer takes up the file and the rules are run again, as of the filing date."""
    application = opened(actor, application, "start_eligibility", expected_version)
    _store_check(actor, application, application.first_submitted_on or current_date())
    return move(actor, application, "start_eligibility")


@transaction.atomic
def declare_eligible(actor: Actor, application: Application, expected_version: int | None = None,
                     note: str = "") -> Application:
    application = opened(actor, application, "declare_eligible", expected_version)
    return move(actor, application, "declare_eligible", note=note)


@transaction.atomic
def declare_ineligible(actor: Actor, application: Application, reasons: list[str] | None = None,
                       expected_version: int | None = None) -> Application:
    """Ineligible, with the failing reasons: the officer's, or else those of the latest check."""
    application = opened(actor, application, "declare_ineligible", expected_version)
    reasons = [r.strip() for r in (reasons or []) if r and r.strip()]
    if not reasons:
        latest = application.eligibility_checks.first()
        reasons = [v["message"] for r in (latest.results if latest else []) for v in r["violations"]]
    if not reasons:
        raise RuleViolation.single(Code.REASON_REQUIRED, _("Indiquez pourquoi la demande n'est pas éligible."),
                                   "reasons")
    before = snapshot(application, AUDITED_APPLICATION)
    application.ineligibility_reasons = reasons
    return move(actor, application, "declare_ineligible", note="\n".join(reasons), before=before)


@transaction.atomic
def request_information(actor: Actor, application: Application, questions: str,
                        expected_version: int | None = None) -> Application:
    application = opened(actor, application, "request_information", expected_version)
    if not (questions or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Écrivez les questions posées à l'organisation."), "questions")
    before = snapshot(application, AUDITED_APPLICATION)
    application.information_request = questions.strip()
    return move(actor, application, "request_information", note=questions.strip(), before=before)


@transaction.atomic
def withdraw(actor: Actor, application: Application, note: str = "",
             expected_version: int | None = None) -> Application:
    application = opened(actor, application, "withdraw", expected_version)
    if Decision.objects.filter(application=application).exists():
        raise Conflict.single(GrantError.DECISION_PENDING, _("Une décision est en cours : la demande ne peut plus être "
                                                    "retirée."), "state")
    return move(actor, application, "withdraw", note=note)


@transaction.atomic
def start_project(actor: Actor, application: Application, expected_version: int | None = None) -> Application:
    application = opened(actor, application, "start_project", expected_version)
    return move(actor, application, "start_project")
