"""Calls, drafting an application, its documents, and optimistic locking of concurrent edits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.grants.forms_partner import ApplicationForm
from subsidia.grants.inputs import ApplicationInput, BudgetLineInput, CallInput, CriterionInput, QuestionInput
from subsidia.grants.models import Application, ApplicationDocument, Call, Question, State
from subsidia.grants.services import calls as call_services
from subsidia.grants.services import drafting as drafting_services
from subsidia.grants.services import transitions as transition_services
from subsidia.organisations.models import Organisation

from .factories import PDF, ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot"


@pytest.fixture
def people(make_user: Callable[..., User], org_a: Organisation, org_b: Organisation) -> dict[str, User]:
    return {
        "member": make_user("partner_member", organisation=org_a),
        "admin": make_user("partner_admin", organisation=org_a),
        "admin_b": make_user("partner_admin", organisation=org_b),
        "officer": make_user("officer"),
        "officer2": make_user("officer"),
        "approver": make_user("approver"),
    }


class TestCalls:
    def test_an_officer_creates_a_call_with_the_published_defaults(self, people: dict[str, User]) -> None:
        call = call_services.create_call(people["officer"], CallInput(
            programme="Subsides intégration", year=2027, title="Subsides intégration 2027",
            budget=Decimal("150000"), priorities=("Participation politique", "Lutte contre les discriminations"),
            criteria=(CriterionInput(title="Pertinence", weight=3), CriterionInput(title="Impact", weight=1)),
            questions=(
                QuestionInput(key="communes", label="Avec des communes ?", kind="choice", choices=("oui", "non")),
                QuestionInput(key="lesquelles", label="Lesquelles ?", shown_if_question="communes",
                              shown_if_value="oui", required=True),
            ),
        ))
        assert call.min_lead_weeks == 6
        assert call.eligible_legal_forms == ["asbl", "federation"]
        assert call.required_document_kinds == ["description", "budget"]
        assert [p.title for p in call.priorities.all()] == ["Participation politique",
                                                            "Lutte contre les discriminations"]
        assert [(c.title, c.weight) for c in call.criteria.all()] == [("Pertinence", 3), ("Impact", 1)]
        dependent = call.questions.get(key="lesquelles")
        assert dependent.shown_if_question is not None and dependent.shown_if_question.key == "communes"
        assert not dependent.is_shown({"communes": "non"}) and dependent.is_shown({"communes": "oui"})
        assert AuditEvent.objects.filter(action="call.create", object_id=str(call.pk)).exists()

    def test_every_invalid_field_is_reported_at_once(self, people: dict[str, User]) -> None:
        with pytest.raises(RuleViolation) as refused:
            call_services.create_call(people["officer"], CallInput(
                programme="", title="X", year=1900, budget=Decimal(-1), eligible_legal_forms=("sarl",),
                min_lead_weeks=500, opens_on=timezone.localdate(),
                closes_on=timezone.localdate() - timedelta(days=1)))
        assert {v.field for v in refused.value.violations} == {
            "programme", "year", "budget", "eligible_legal_forms", "min_lead_weeks", "closes_on"}
        assert not Call.objects.exists()

    def test_only_officers_manage_calls(self, people: dict[str, User]) -> None:
        with pytest.raises(PermissionDenied):
            call_services.create_call(people["approver"], CallInput(programme="P", title="T", year=2027,
                                                                    budget=Decimal(1)))

    def test_a_stale_call_edit_is_refused(self, people: dict[str, User]) -> None:
        call = CallFactory.create()
        call_services.update_call(people["officer"], call, CallInput(title="Premier"), expected_version=1)
        with pytest.raises(Conflict):
            call_services.update_call(people["officer2"], call, CallInput(title="Second"), expected_version=1)
        call.refresh_from_db()
        assert call.title == "Premier" and call.version == 2

    def test_a_priority_in_use_cannot_be_removed(self, people: dict[str, User], org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a)
        call = application.call
        with pytest.raises(RuleViolation) as refused:
            call_services.update_call(people["officer"], call, CallInput(priorities=("Nouvelle priorité",)))
        assert refused.value.violations[0].code == "in_use"
        assert call.priorities.count() == 2

    def test_the_envelope_cannot_shrink_below_what_is_committed(self, people: dict[str, User]) -> None:
        call = CallFactory.create(budget=Decimal(10000), committed=Decimal(8000))
        with pytest.raises(RuleViolation) as refused:
            call_services.update_call(people["officer"], call, CallInput(budget=Decimal("7999.99")))
        assert refused.value.violations[0].code == "budget_below_committed"


class TestDrafting:
    def test_a_member_drafts_for_their_own_organisation_only(self, people: dict[str, User], org_a: Organisation,
                                                             org_b: Organisation) -> None:
        call = CallFactory.create()
        application = drafting_services.create_application(people["member"], call, org_a, ApplicationInput(
            title="Ciné-débats", budget_lines=(BudgetLineInput(label="Salle", kind="expense", amount=Decimal(500)),)))
        assert application.state == State.DRAFT and application.reference.startswith(f"{call.year}-")
        assert [line.label for line in application.budget_lines.all()] == ["Salle"]
        with pytest.raises(NotFound):
            drafting_services.create_application(people["member"], call, org_b, ApplicationInput(title="Ailleurs"))
        with pytest.raises(NotFound):
            drafting_services.create_application(people["officer"], call, org_a,
                                                 ApplicationInput(title="Pas un partenaire"))

    def test_no_draft_on_an_unpublished_or_closed_call(self, people: dict[str, User], org_a: Organisation) -> None:
        with pytest.raises(NotFound):
            drafting_services.create_application(people["member"], CallFactory.create(is_published=False), org_a,
                                                 ApplicationInput(title="X"))
        closed = CallFactory.create(opens_on=timezone.localdate() - timedelta(days=60),
                                    closes_on=timezone.localdate() - timedelta(days=1))
        with pytest.raises(RuleViolation) as refused:
            drafting_services.create_application(people["member"], closed, org_a, ApplicationInput(title="X"))
        assert refused.value.violations[0].code == "call_closed"

    def test_invalid_values_are_all_reported_and_nothing_is_saved(self, people: dict[str, User],
                                                                  org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a)
        before = (application.title, application.version, application.budget_lines.count())
        with pytest.raises(RuleViolation) as refused:
            drafting_services.update_application(people["member"], application, ApplicationInput(
                title="", requested_amount=Decimal(-1), priority_id=999999, deliverable_types=("fusée",),
                answers={"inconnue": "x"}, budget_lines=(BudgetLineInput(label="", kind="gift", amount=Decimal(-5)),)))
        fields = {v.field for v in refused.value.violations}
        assert {"title", "requested_amount", "priority", "deliverable_types", "answers.inconnue",
                "budget_lines.0.label", "budget_lines.0.kind", "budget_lines.0.amount"} <= fields
        application.refresh_from_db()
        assert (application.title, application.version, application.budget_lines.count()) == before
        # A date or an amount that is not one never reaches the service: the form refuses it, on its field.
        form = ApplicationForm({"version": application.version, "title": "", "start_date": "31/02/2027",
                                "requested_amount": "beaucoup"}, application=application)
        assert not form.is_valid()
        assert {"start_date", "requested_amount"} <= set(form.errors)

    def test_the_partner_cannot_edit_after_submission_but_an_officer_can(self, people: dict[str, User],
                                                                         org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a)
        transition_services.submit(people["admin"], application)
        with pytest.raises(Conflict) as refused:
            drafting_services.update_application(people["member"], application, ApplicationInput(title="Changé"))
        assert refused.value.violations[0].code == "not_editable"
        drafting_services.update_application(people["officer"], application,
                                             ApplicationInput(title="Corrigé par l'agent"))
        application.refresh_from_db()
        assert application.title == "Corrigé par l'agent"
        with pytest.raises(PermissionDenied):
            drafting_services.update_application(people["approver"], application, ApplicationInput(title="Non"))

    def test_answers_are_checked_by_kind(self, people: dict[str, User], org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a)
        Question.objects.create(call=application.call, key="participants", label="Participants", kind="number")
        Question.objects.create(call=application.call, key="date", label="Date", kind="date")
        Question.objects.create(call=application.call, key="format", label="Format", kind="choice",
                                choices=["présentiel", "en ligne"])
        with pytest.raises(RuleViolation) as refused:
            drafting_services.update_application(people["member"], application, ApplicationInput(
                answers={"participants": "cent", "date": "demain", "format": "hybride"}))
        assert len(refused.value.violations) == 3
        drafting_services.update_application(people["member"], application, ApplicationInput(
            answers={"participants": "120", "date": "2027-05-01", "format": "en ligne"}))
        application.refresh_from_db()
        assert application.answers == {"participants": "120", "date": "2027-05-01", "format": "en ligne"}


class TestOptimisticLocking:
    def test_a_second_edit_based_on_the_same_version_is_refused_and_nothing_is_lost(self, people: dict[str, User],
                                                                                    org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, state=State.SUBMITTED)
        # Both officers open the application at the same version.
        seen_by_first = seen_by_second = Application.objects.get(pk=application.pk).version
        drafting_services.update_application(people["officer"], application, ApplicationInput(
            title="Titre revu par l'agent 1", budget_lines=(
                BudgetLineInput(label="Impression", kind="expense", amount=Decimal(7000)),
                BudgetLineInput(label="Commune", kind="income", amount=Decimal(1000)))),
            expected_version=seen_by_first)
        with pytest.raises(Conflict) as refused:
            drafting_services.update_application(people["officer2"], application, ApplicationInput(
                title="Titre revu par l'agent 2", budget_lines=()), expected_version=seen_by_second)
        assert refused.value.violations[0].code == "stale_version"
        assert "modifiée entre-temps" in refused.value.violations[0].message
        application.refresh_from_db()
        assert application.title == "Titre revu par l'agent 1"
        assert application.version == seen_by_first + 1
        assert sorted((line.label, line.amount) for line in application.budget_lines.all()) == [
            ("Commune", Decimal("1000.00")), ("Impression", Decimal("7000.00"))]
        assert AuditEvent.objects.filter(action="application.update", object_id=str(application.pk)).count() == 1

    def test_a_transition_on_a_stale_copy_is_refused(self, people: dict[str, User], org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a)
        version = application.version
        drafting_services.update_application(people["member"], application, ApplicationInput(summary="Revu"),
                                             expected_version=version)
        with pytest.raises(Conflict):
            transition_services.submit(people["admin"], application, expected_version=version)
        application.refresh_from_db()
        assert application.state == State.DRAFT

    @pytest.mark.django_db(transaction=True)
    @pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers, and the audit trail's "
                        "append-only trigger forbids the flush a transactional test needs; runs on PostgreSQL")
    def test_two_simultaneous_saves_exactly_one_wins(self, people: dict[str, User], org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, state=State.SUBMITTED)
        version = application.version
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def save(who: str) -> None:
            try:
                barrier.wait()
                drafting_services.update_application(people[who], application, ApplicationInput(title=f"par {who}"),
                                                     expected_version=version)
                outcomes[who] = "saved"
            except Conflict:
                outcomes[who] = "refused"
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=(who,)) for who in ("officer", "officer2")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == ["refused", "saved"]
        winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
        application.refresh_from_db()
        assert application.title == f"par {winner}" and application.version == version + 1


class TestDocuments:
    def test_a_renamed_executable_uploaded_as_budget_pdf_is_refused(self, people: dict[str, User],
                                                                    org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, complete=False)
        upload = SimpleUploadedFile("budget.pdf", EXECUTABLE, content_type="application/pdf")
        with pytest.raises(RuleViolation) as refused:
            drafting_services.add_document(people["member"], application, "budget", upload)
        assert refused.value.violations[0].code == "file_type_not_allowed"
        assert not ApplicationDocument.objects.exists()
        assert not default_storage.exists(f"applications/{application.pk}")

    def test_a_pdf_is_stored_by_content_and_each_version_kept(self, people: dict[str, User],
                                                              org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, complete=False)
        first = drafting_services.add_document(
            people["member"], application, "budget",
            SimpleUploadedFile("budget.exe", PDF, content_type="application/x-msdownload"))
        second = drafting_services.add_document(people["member"], application, "budget",
                                                SimpleUploadedFile("v2.pdf", PDF))
        assert (first.version, second.version) == (1, 2)
        assert first.content_type == "application/pdf" and first.file.name.endswith(".pdf")
        assert default_storage.exists(first.file.name) and default_storage.exists(second.file.name)
        assert [d.pk for d in application.current_documents()] == [second.pk]

    def test_the_size_limit_is_configurable(self, people: dict[str, User], org_a: Organisation,
                                            settings: Settings) -> None:
        settings.UPLOAD_MAX_BYTES = 10
        application = ApplicationFactory.create(organisation=org_a, complete=False)
        with pytest.raises(RuleViolation) as refused:
            drafting_services.add_document(people["member"], application, "budget", SimpleUploadedFile("b.pdf", PDF))
        assert refused.value.violations[0].code == "file_too_large"

    def test_report_documents_only_once_the_project_runs(self, people: dict[str, User], org_a: Organisation) -> None:
        draft = ApplicationFactory.create(organisation=org_a, complete=False)
        with pytest.raises(RuleViolation):
            drafting_services.add_document(people["member"], draft, "final_report", SimpleUploadedFile("r.pdf", PDF))
        running = ApplicationFactory.create(organisation=org_a, complete=False, state=State.IN_PROGRESS)
        drafting_services.add_document(people["member"], running, "final_report", SimpleUploadedFile("r.pdf", PDF))
        with pytest.raises(RuleViolation):
            drafting_services.add_document(people["member"], running, "budget", SimpleUploadedFile("b.pdf", PDF))

    def test_another_organisation_cannot_upload(self, people: dict[str, User], org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, complete=False)
        with pytest.raises(NotFound):
            drafting_services.add_document(people["admin_b"], application, "budget", SimpleUploadedFile("b.pdf", PDF))
