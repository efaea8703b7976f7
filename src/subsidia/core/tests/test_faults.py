"""Faults in the middle of a workflow transition: all or nothing.

For every transition of every domain's table (grants, conventions and their yearly reports, good practices,
news, FAQ, comments) and for the state-changing services of events and the dialogue, an object is set up in
the transition's source state, then the transition is run once to count its writes (INSERT, UPDATE, DELETE)
and rolled back; then, for each k from 1 to that count, the database "fails" right after the k-th write has
been executed (and refuses every later write). Each time:

* the failure reaches the caller;
* every table of the project holds exactly the rows it held before (same count, same content): the object's
  state and version, its history, the audit trail, the notifications;
* nothing was left to run after the commit (no e-mail, no task) and no e-mail went out.

The cases are built from the tables themselves: a transition added to a table without a case here makes
this module fail (a missing entry raises), so none can be skipped.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection, models, transaction
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from subsidia.accounts.models import User
from subsidia.conventions import workflow as conventions_workflow
from subsidia.conventions.inputs import (
    AmendmentInput,
    AmendmentLineInput,
    ConventionInput,
    IndicatorValueInput,
    ReportInput,
    SignInput,
    TerminationInput,
)
from subsidia.conventions.models import Convention, ReportKind, YearlyReport
from subsidia.conventions.services.acts import amend_convention, sign_convention, terminate_convention
from subsidia.conventions.services.drafting import delete_convention, update_convention
from subsidia.conventions.services.reports import accept_report, return_report, save_report, submit_report
from subsidia.conventions.tests.factories import ConventionDomainFactory, ConventionFactory, IndicatorFactory
from subsidia.core.workflow import Transition
from subsidia.dialogue import services as dialogue
from subsidia.dialogue import services_actions as dialogue_actions
from subsidia.dialogue import services_agenda as dialogue_agenda
from subsidia.dialogue import services_calendar as dialogue_calendar
from subsidia.dialogue import services_meetings as dialogue_meetings
from subsidia.dialogue.inputs import ActionInput, AttendanceRow, MinutesInput
from subsidia.dialogue.models import AgendaItem, AgendaItemStatus, Meeting, MeetingStatus
from subsidia.dialogue.tests.factories import ActionItemFactory, MeetingFactory, MeetingSeriesFactory
from subsidia.events import services as events
from subsidia.events import services_staff as events_staff
from subsidia.events.inputs import RegistrationInput
from subsidia.events.models import EventStatus, Registration, RegistrationStatus
from subsidia.events.tests.factories import EventFactory, RegistrationFactory
from subsidia.grants import workflow as grants_workflow
from subsidia.grants.tests.test_workflow import ACTIONS as GRANT_ACTIONS
from subsidia.grants.tests.test_workflow import actor_for, in_state
from subsidia.knowledge import workflow as knowledge_workflow
from subsidia.knowledge.services import faq as knowledge_faq
from subsidia.knowledge.services import good_practices as knowledge_practices
from subsidia.knowledge.services import news as knowledge_news
from subsidia.knowledge.tests.factories import FaqQuestionFactory, GoodPracticeFactory, NewsItemFactory
from subsidia.moderation import services as moderation
from subsidia.moderation import workflow as moderation_workflow
from subsidia.moderation.tests.factories import CommentFactory
from subsidia.organisations.models import Organisation

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class InjectedFault(Exception):
    """The database went away right after a write."""


class Writes:
    """A connection wrapper counting the writes; with ``fail_after`` = k, the k-th write is executed, then
    the fault is raised, and every later write is refused too (a service that swallowed the first fault and
    carried on would still be caught)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.fail_after = fail_after
        self.count = 0
        self.statements: list[str] = []
        self.tripped = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        is_write = bool(WRITE.match(sql))
        if is_write and self.tripped:
            raise InjectedFault(f"write refused after the fault: {sql[:80]}")
        result = execute(sql, params, many, context)
        if is_write:
            self.count += 1
            self.statements.append(sql[:100])
            if self.count == self.fail_after:
                self.tripped = True
                raise InjectedFault(f"fault after write {self.count}: {sql[:80]}")
        return result


def database_contents() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the project (managed models and the many-to-many tables)."""
    contents = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        columns = [f.attname for f in opts.concrete_fields]
        contents[opts.label] = list(model._base_manager.order_by("pk").values_list(*columns))
    return contents


class _DryRun(Exception):
    pass


# --- the world the transitions run in ------------------------------------------------------------

@dataclass
class World:
    people: dict[str, Any]
    org: Any
    on_day: Callable[[date], None]
    settings: Any
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    make: Callable[[World], models.Model]  # the object, in the source state
    act: Callable[[World, Any], Any]  # the service, given a fresh copy of the object
    reached: Callable[[World, Any], bool]  # after a successful run: did the transition happen?


# Grants: every (transition, source) pair of the table, through the services the workflow tests use.

def _grant_case(name: str, source: str) -> Case:
    return Case(
        make=lambda w: in_state(w.org, source),
        act=lambda w, app: GRANT_ACTIONS[name](w.people[actor_for(name)], app),
        reached=lambda w, app: type(app).objects.get(pk=app.pk).state == grants_workflow.WORKFLOW[name].target,
    )


# Conventions: the acts on a convention (its status is derived from its dates and "today").

SIGNED_DAY, ACTIVE_DAY = date(2023, 12, 20), date(2025, 3, 1)


def _convention_in(w: World, status: str) -> Convention:
    convention = ConventionFactory.create(organisation=w.org)
    domain = ConventionDomainFactory.create(convention=convention, yearly_amount=Decimal("120000.00"))
    IndicatorFactory.create(domain=domain, yearly_target=Decimal("300"))
    w.on_day(SIGNED_DAY)
    if status != "draft":
        sign_convention(w.people["approver"], convention,
                        SignInput(signed_on=date(2023, 12, 15), signed_by_partner_on=date(2023, 12, 10)))
    if status == "active":
        w.on_day(ACTIVE_DAY)
    w.notes["day"] = ACTIVE_DAY if status == "active" else SIGNED_DAY
    return Convention.objects.get(pk=convention.pk)


CONVENTION_ACT_SERVICES: dict[str, Callable[[World, Convention], Any]] = {
    "edit": lambda w, c: update_convention(w.people["officer"], c,
                                           replace(ConventionInput.of(c), title="Intitulé corrigé")),
    "delete": lambda w, c: delete_convention(w.people["officer"], c),
    "sign": lambda w, c: sign_convention(w.people["approver"], c, SignInput(signed_on=date(2023, 12, 15))),
    "amend": lambda w, c: amend_convention(w.people["approver"], c, AmendmentInput(
        signed_on=w.notes["day"] - timedelta(days=2),
        effective_from=date(w.notes["day"].year + (w.notes["day"].month == 12), 6, 1), summary="Avenant",
        lines=(AmendmentLineInput(domain=c.domains.get().pk, yearly_amount=Decimal("130000")),))),
    "terminate": lambda w, c: terminate_convention(w.people["approver"], c,
                                                   TerminationInput(date(2025, 7, 1), "Fin anticipée")),
}


def _convention_reached(name: str) -> Callable[[World, Any], bool]:
    target = conventions_workflow.CONVENTION_WORKFLOW[name].reaches

    def reached(w: World, convention: Convention) -> bool:
        fresh = Convention.objects.filter(pk=convention.pk).first()
        if name == "delete":
            return fresh is None
        assert fresh is not None
        # A termination takes effect on its date: the status is read on that day.
        day = max(timezone.localdate(), fresh.terminated_on or timezone.localdate())
        return fresh.version > convention.version and (target is None or fresh.status_on(day) == target)

    return reached


def _convention_case(name: str, source: str) -> Case:
    return Case(make=lambda w: _convention_in(w, source), act=CONVENTION_ACT_SERVICES[name],
                reached=_convention_reached(name))


# Yearly reports of a convention signed for 2024-2026, on 1 February 2025: the activity report of 2024.

def _report_in(w: World, status: str) -> YearlyReport:
    convention = _convention_in(w, "signed")
    w.on_day(date(2025, 2, 1))
    report = convention.reports.get(year=2024, kind=ReportKind.ACTIVITY)
    indicator = convention.domains.get().indicators.get()
    w.notes["indicator"] = indicator.pk
    report = save_report(w.people["partner_admin"], report,
                         ReportInput(narrative="Une année chargée.",
                                     values={indicator.pk: IndicatorValueInput(Decimal("310"), "Objectif")}))
    if status in {"submitted", "returned"}:
        report = submit_report(w.people["partner_admin"], report)
    if status == "returned":
        report = return_report(w.people["officer"], report, comment="Précisez les communes.")
    return YearlyReport.objects.get(pk=report.pk)


REPORT_ACT_SERVICES: dict[str, Callable[[World, YearlyReport], Any]] = {
    "report_save": lambda w, r: save_report(w.people["partner_admin"], r, ReportInput(
        narrative="Corrigé.", values={w.notes["indicator"]: IndicatorValueInput(Decimal("320"))})),
    "report_submit": lambda w, r: submit_report(w.people["partner_admin"], r),
    "report_accept": lambda w, r: accept_report(w.people["officer"], r, comment="Merci."),
    "report_return": lambda w, r: return_report(w.people["officer"], r, comment="À compléter."),
}


def _report_case(name: str, source: str) -> Case:
    target = conventions_workflow.REPORT_WORKFLOW[name].target

    def reached(w: World, report: YearlyReport) -> bool:
        fresh = YearlyReport.objects.get(pk=report.pk)
        return fresh.version > report.version and (target is None or fresh.status == target)

    return Case(make=lambda w: _report_in(w, source), act=REPORT_ACT_SERVICES[name], reached=reached)


# Knowledge base: good practices, news (with a partner's proposal), FAQ.

def _officer_or_partner(w: World, roles: frozenset[str]) -> Any:
    return w.people["officer"] if "officer" in roles else w.people["partner_admin"]


def _practice_case(name: str, source: str) -> Case:
    transition = knowledge_workflow.GOOD_PRACTICES[name]
    return Case(
        make=lambda w: GoodPracticeFactory.create(state=source),
        act=lambda w, p: knowledge_practices.transition_good_practice(
            _officer_or_partner(w, transition.roles), p, name, expected_version=p.version),
        reached=lambda w, p: type(p).objects.get(pk=p.pk).state == transition.target,
    )


def _news_in(w: World, status: str) -> Any:
    state = knowledge_workflow.DRAFT if status == knowledge_workflow.SUBMITTED else status
    return NewsItemFactory.create(state=state, issuing_body=w.org,
                                  submitted_at=timezone.now() if status == knowledge_workflow.SUBMITTED else None)


def _news_case(name: str, source: str) -> Case:
    transition = knowledge_workflow.NEWS[name]
    reason = "À compléter." if name == "send_back" else ""
    return Case(
        make=lambda w: _news_in(w, source),
        act=lambda w, item: knowledge_news.transition_news(_officer_or_partner(w, transition.roles), item, name,
                                                           reason=reason, expected_version=item.version),
        reached=lambda w, item: knowledge_workflow.news_status(type(item).objects.get(pk=item.pk))
        == transition.target,
    )


def _faq_case(name: str, source: str) -> Case:
    transition = knowledge_workflow.FAQ[name]
    return Case(
        make=lambda w: FaqQuestionFactory.create(state=source),
        act=lambda w, q: knowledge_faq.transition_faq_question(w.people["officer"], q, name),
        reached=lambda w, q: type(q).objects.get(pk=q.pk).state == transition.target,
    )


# Comments: the moderators' acts, and the readers' reports that hide a comment (threshold set to one).

def _comment_act(name: str) -> Callable[[World, Any], Any]:
    transition = moderation_workflow.COMMENTS[name]
    if not transition.roles:
        assert name == "reports", f"a system transition of the comments without a fault case: {name}"

        def report(w: World, comment: Any) -> Any:
            w.settings.COMMENT_REPORT_THRESHOLD = 1
            return moderation.report_comment(w.people["reader"], comment, "Hors sujet")

        return report
    return lambda w, c: moderation.moderate(w.people["moderator"], c, name, "Motif de test")


def _comment_case(name: str, source: str) -> Case:
    transition = moderation_workflow.COMMENTS[name]
    return Case(
        make=lambda w: CommentFactory.create(status=source),
        act=_comment_act(name),
        reached=lambda w, c: (lambda fresh: fresh.status == transition.target and fresh.version > c.version)(
            type(c).objects.get(pk=c.pk)),
    )


# Events and the dialogue have no table: their state-changing services are listed here, and every public
# function of their service modules must be either listed or named as not changing a state (see the guard).

def _full_event_with_waiting_list(w: World) -> Registration:
    event = EventFactory.create(capacity=1)
    first = RegistrationFactory.create(event=event, status=RegistrationStatus.CONFIRMED)
    w.notes["waiting"] = RegistrationFactory.create(event=event, status=RegistrationStatus.WAITLISTED,
                                                    waitlisted_at=timezone.now()).pk
    return first


def _cancelled_and_promoted(w: World, registration: Registration) -> bool:
    return (Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED
            and Registration.objects.get(pk=w.notes["waiting"]).status == RegistrationStatus.CONFIRMED)


def _meeting(w: World, *, past: bool, **kwargs: Any) -> Meeting:
    series = MeetingSeriesFactory.create(organisations=[w.org])
    starts = timezone.now().replace(microsecond=0) + timedelta(days=-2 if past else 20)
    return MeetingFactory.create(series=series, starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs)


def _proposed_item(w: World) -> AgendaItem:
    meeting = _meeting(w, past=False)
    return AgendaItem.objects.create(meeting=meeting, title="Point des partenaires", proposed_by=w.people[
        "partner_admin"], organisation=w.org, status=AgendaItemStatus.PROPOSED)


SERVICE_CASES: dict[str, Case] = {
    "events.register": Case(
        make=lambda w: EventFactory.create(),
        act=lambda w, e: events.register(None, e, RegistrationInput(full_name="Ana Lima", email="ana@example.lu")),
        reached=lambda w, e: e.registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 1),
    "events.register[waiting list]": Case(
        make=lambda w: RegistrationFactory.create(event=EventFactory.create(capacity=1)).event,
        act=lambda w, e: events.register(None, e, RegistrationInput(full_name="Ana Lima", email="ana@example.lu")),
        reached=lambda w, e: e.registrations.filter(status=RegistrationStatus.WAITLISTED).count() == 1),
    "events.cancel_registration": Case(
        make=_full_event_with_waiting_list,
        act=lambda w, r: events.cancel_registration(None, r),
        reached=_cancelled_and_promoted),
    "events_staff.staff_cancel_registration": Case(
        make=_full_event_with_waiting_list,
        act=lambda w, r: events_staff.staff_cancel_registration(w.people["officer"], r, reason="Empêchée"),
        reached=_cancelled_and_promoted),
    "events.check_in": Case(
        make=lambda w: RegistrationFactory.create(status=RegistrationStatus.CONFIRMED),
        act=lambda w, r: events.check_in(w.people["officer"], r),
        reached=lambda w, r: Registration.objects.get(pk=r.pk).checked_in_at is not None),
    "events_staff.publish_event": Case(
        make=lambda w: EventFactory.create(draft=True),
        act=lambda w, e: events_staff.publish_event(w.people["officer"], e),
        reached=lambda w, e: type(e).objects.get(pk=e.pk).status == EventStatus.PUBLISHED),
    "events_staff.cancel_event": Case(
        make=lambda w: RegistrationFactory.create(status=RegistrationStatus.CONFIRMED).event,
        act=lambda w, e: events_staff.cancel_event(w.people["officer"], e, reason="Salle indisponible"),
        reached=lambda w, e: type(e).objects.get(pk=e.pk).status == EventStatus.CANCELLED),
    "dialogue_meetings.record_minutes": Case(
        make=lambda w: _meeting(w, past=True),
        act=lambda w, m: dialogue_meetings.record_minutes(w.people["officer"], m, MinutesInput("Compte rendu.",
                                                          decisions=["Décision"],
                                                          attendance=[AttendanceRow(person_name="Ana Lima")])),
        reached=lambda w, m: Meeting.objects.get(pk=m.pk).status == MeetingStatus.HELD),
    "dialogue_meetings.publish_minutes": Case(
        make=lambda w: _meeting(w, past=True, status=MeetingStatus.HELD, minutes="Compte rendu."),
        act=lambda w, m: dialogue_meetings.publish_minutes(w.people["officer"], m),
        reached=lambda w, m: Meeting.objects.get(pk=m.pk).minutes_published_at is not None),
    "dialogue_agenda.decide_agenda_item[accept]": Case(
        make=_proposed_item,
        act=lambda w, i: dialogue_agenda.decide_agenda_item(w.people["officer"], i, accept=True),
        reached=lambda w, i: AgendaItem.objects.get(pk=i.pk).status == AgendaItemStatus.ACCEPTED),
    "dialogue_agenda.decide_agenda_item[decline]": Case(
        make=_proposed_item,
        act=lambda w, i: dialogue_agenda.decide_agenda_item(w.people["officer"], i, accept=False,
                                                            reason="Hors sujet"),
        reached=lambda w, i: AgendaItem.objects.get(pk=i.pk).status == AgendaItemStatus.DECLINED),
    "dialogue_meetings.send_invitations": Case(
        make=lambda w: _meeting(w, past=False),
        act=lambda w, m: dialogue_meetings.send_invitations(w.people["officer"], m),
        reached=lambda w, m: Meeting.objects.get(pk=m.pk).invitations_sent_at is not None),
    "dialogue_actions.update_action_item": Case(
        make=lambda w: ActionItemFactory.create(raised_at=_meeting(w, past=True)),
        act=lambda w, a: dialogue_actions.update_action_item(w.people["officer"], a, replace(ActionInput.of(a),
                                                                                             status="done")),
        reached=lambda w, a: type(a).objects.get(pk=a.pk).status == "done"),
}

# The other public functions of those modules: they read, check, or edit content without a state of its own.
NOT_STATE_CHANGES = {
    "events": {"check_window", "promote_waitlisted",  # promotion: inside cancel_registration
               "run_allocation"},  # allocation: no state, re-runnable by design (same seed, same result)
    "events_staff": {"add_block", "add_session", "create_event", "delete_block", "delete_session", "is_officer",
                     "launch_allocation", "live_count", "locked_event", "require_officer", "unique_slug",
                     "update_block", "update_event", "update_session"},
    "dialogue": {"create_series", "extend_all_series", "generate_meetings", "horizon", "locked_meeting",
                 "locked_series", "meeting_url", "require_officer", "update_series", "web_address",
                 "when"},
    "dialogue_meetings": {"add_meeting", "update_meeting"},
    "dialogue_agenda": {"propose_agenda_item"},
    "dialogue_actions": {"add_action_item"},
    "dialogue_calendar": {"calendar_token", "renew_calendar_token", "user_for_token"},
}
SERVICE_MODULES = {"events": events, "events_staff": events_staff, "dialogue": dialogue,
                   "dialogue_meetings": dialogue_meetings, "dialogue_agenda": dialogue_agenda,
                   "dialogue_actions": dialogue_actions, "dialogue_calendar": dialogue_calendar}


def _table_cases() -> Iterator[tuple[str, Callable[[], Case]]]:
    """(id, case factory) for every transition and source state of every table, in the tables' order. The case
    is built when the test runs, so that a transition without a service here fails its own test, by name."""
    tables: list[tuple[str, dict[str, Any], Callable[[str, str], Case]]] = [
        ("grants", grants_workflow.WORKFLOW.transitions, _grant_case),
        ("conventions", conventions_workflow.CONVENTION_WORKFLOW.transitions, _convention_case),
        ("convention_reports", conventions_workflow.REPORT_WORKFLOW.transitions, _report_case),
        ("good_practices", knowledge_workflow.GOOD_PRACTICES.transitions, _practice_case),
        ("news", knowledge_workflow.NEWS.transitions, _news_case),
        ("faq", knowledge_workflow.FAQ.transitions, _faq_case),
        ("comments", moderation_workflow.COMMENTS.transitions, _comment_case),
    ]
    for domain, table, build in tables:
        for name, transition in table.items():
            for source in sorted(transition.sources):
                yield f"{domain}.{name}[{source}]", partial(build, name, source)
    for name, case in SERVICE_CASES.items():
        yield name, _ready(case)


def _ready(case: Case) -> Callable[[], Case]:
    """A case built already, as a factory like the tables' ones."""
    return lambda: case


CASES = dict(_table_cases())


@pytest.fixture
def world(make_user: Callable[..., User], org_a: Organisation, on_day: Callable[[date], None],
          settings: Settings) -> World:
    settings.FOUR_EYES_THRESHOLD = 25000
    people = {role: make_user(role, organisation=org_a if role.startswith("partner") else None)
              for role in ["officer", "approver", "finance", "moderator", "partner_admin"]}
    people["reader"] = make_user()
    return World(people=people, org=org_a, on_day=on_day, settings=settings)


def _fresh(obj: models.Model) -> Any:
    return type(obj)._base_manager.get(pk=obj.pk)


@pytest.mark.parametrize("case_id", list(CASES))
def test_a_fault_after_any_write_leaves_the_previous_state_and_nothing_else(
        case_id: str, world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    case = CASES[case_id]()
    obj = case.make(world)
    mail.outbox.clear()

    # A clean run, rolled back: the transition is legal from this state and makes this many writes.
    counter = Writes()
    try:
        with transaction.atomic(), connection.execute_wrapper(counter):
            case.act(world, _fresh(obj))
            assert case.reached(world, obj), f"{case_id}: the clean run did not make the transition"
            raise _DryRun
    except _DryRun:
        pass
    assert counter.count >= 1, f"{case_id}: the transition wrote nothing"

    for k in range(1, counter.count + 1):
        before = database_contents()
        fault = Writes(fail_after=k)
        with (django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(InjectedFault),
              connection.execute_wrapper(fault)):
            case.act(world, _fresh(obj))
        where = f"{case_id}: fault after write {k}/{counter.count} ({counter.statements[k - 1]})"
        # Outside of a transaction of the service's own, the ORM marks the caller's transaction for rollback:
        # in production (autocommit) the writes before the fault would have stayed.
        assert not connection.needs_rollback, f"{where}: a write was made outside the service's transaction"
        after = database_contents()
        assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}, where
        assert after == before, where
        assert callbacks == [], f"{where}: work left for after the commit"
        assert mail.outbox == [], f"{where}: an e-mail went out"


def test_every_transition_of_every_table_has_its_fault_case() -> None:
    """The list above is built from the tables; this says so in plain words, and guards the events and dialogue
    services, which have no table: a new public service there must be put in one list or the other."""
    tables: list[tuple[str, Mapping[str, Transition]]] = [
        ("grants", grants_workflow.WORKFLOW.transitions),
        ("conventions", conventions_workflow.CONVENTION_WORKFLOW.transitions),
        ("convention_reports", conventions_workflow.REPORT_WORKFLOW.transitions),
        ("good_practices", knowledge_workflow.GOOD_PRACTICES.transitions),
        ("news", knowledge_workflow.NEWS.transitions),
        ("faq", knowledge_workflow.FAQ.transitions),
        ("comments", moderation_workflow.COMMENTS.transitions),
    ]
    for prefix, table in tables:
        for name, transition in table.items():
            for source in transition.sources:
                assert f"{prefix}.{name}[{source}]" in CASES
                CASES[f"{prefix}.{name}[{source}]"]()  # the table's transition has a service here
    for label, module in SERVICE_MODULES.items():
        public = {n for n, f in inspect.getmembers(module, inspect.isfunction)
                  if f.__module__ == module.__name__ and not n.startswith("_")}
        covered = {key.split(".", 1)[1].split("[")[0] for key in SERVICE_CASES if key.startswith(f"{label}.")}
        assert public == covered | NOT_STATE_CHANGES[label], (
            f"{label}: new or removed services, put each in SERVICE_CASES or NOT_STATE_CHANGES: "
            f"{sorted(public ^ (covered | NOT_STATE_CHANGES[label]))}")


def test_the_fault_injector_sees_a_partial_write(world: World) -> None:
    """The harness itself: a "service" without a transaction of its own is caught, whether its first write goes
    through the ORM (which then marks the caller's transaction for rollback) or not (the row stays changed)."""
    practice = GoodPracticeFactory.create(state="draft")

    def orm_without_transaction(p: Any) -> None:
        type(p).objects.filter(pk=p.pk).update(state="published")
        type(p).objects.filter(pk=p.pk).update(version=p.version + 1)

    with pytest.raises(InjectedFault), connection.execute_wrapper(Writes(fail_after=1)):
        orm_without_transaction(practice)
    assert connection.needs_rollback
    connection.needs_rollback = False

    before = database_contents()
    table = type(practice)._meta.db_table

    def raw_without_transaction(p: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET state = %s WHERE id = %s", ["archived", p.pk])  # noqa: S608
            cursor.execute(f"UPDATE {table} SET version = version + 1 WHERE id = %s", [p.pk])  # noqa: S608

    with pytest.raises(InjectedFault), connection.execute_wrapper(Writes(fail_after=1)):
        raw_without_transaction(practice)
    assert not connection.needs_rollback
    assert database_contents() != before
