"""Conventions: the derived status and "conventionnée", preparing and signing, amendments, termination,
payments, yearly reports (accepted and returned), overlapping funding, and who may see what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.conventions import selectors
from subsidia.conventions.inputs import (
    AmendmentInput,
    AmendmentLineInput,
    ConventionInput,
    DomainInput,
    IndicatorInput,
    IndicatorValueInput,
    PaymentInput,
    ReportInput,
    TerminationInput,
)
from subsidia.conventions.models import (
    Convention,
    PaymentKind,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    Status,
    YearlyReport,
)
from subsidia.conventions.services.acts import amend_convention, sign_convention, terminate_convention
from subsidia.conventions.services.drafting import create_convention, update_convention
from subsidia.conventions.services.payments import record_payment
from subsidia.conventions.services.reports import (
    accept_report,
    add_report_document,
    return_report,
    save_report,
    submit_report,
)
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.grants.models import Application, State
from subsidia.grants.tests.factories import PDF, ApplicationFactory
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import Organisation

from .factories import ActivityDomainFactory, ConventionDomainFactory, ConventionFactory, DepartmentFactory

D = Decimal


def codes(error: pytest.ExceptionInfo[RuleViolation]) -> list[str]:
    return [v.code for v in error.value.violations]


@pytest.mark.django_db
class TestStatus:
    @pytest.mark.parametrize(("day", "status", "conventioned"), [
        (date(2023, 12, 14), Status.DRAFT, False),  # not signed yet
        (date(2023, 12, 31), Status.SIGNED, False),  # signed, not in force
        (date(2024, 1, 1), Status.ACTIVE, True),
        (date(2024, 2, 29), Status.ACTIVE, True),
        (date(2026, 12, 31), Status.ACTIVE, True),
        (date(2027, 1, 1), Status.ENDED, False),
    ])
    def test_status_and_conventionnee_follow_the_dates(self, draft: Convention, org_a: Organisation,
                                                       org_b: Organisation, day: date, status: str,
                                                       conventioned: bool) -> None:
        draft.signed_on = date(2023, 12, 15)
        draft.save()
        shown = draft.signed_on <= day
        convention = Convention.objects.get(pk=draft.pk) if shown else ConventionFactory.build(
            starts_on=draft.starts_on, ends_on=draft.ends_on)
        assert convention.status_on(day) == status
        assert selectors.is_conventioned(org_a, day) is (conventioned and shown)
        assert (org_a in selectors.conventioned_organisations(day)) is (conventioned and shown)
        assert org_b not in selectors.conventioned_organisations(day)

    def test_a_termination_ends_conventionnee_the_day_it_takes_effect(self, signed: Convention, approver: User,
                                                                      org_a: Organisation,
                                                                      on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        terminate_convention(approver, signed,
                             TerminationInput(date(2025, 7, 1), "Cessation des activités du guichet."))
        signed.refresh_from_db()
        assert signed.status_on(date(2025, 6, 30)) == Status.ACTIVE
        assert selectors.is_conventioned(org_a, date(2025, 6, 30))
        assert signed.status_on(date(2025, 7, 1)) == Status.TERMINATED
        assert not selectors.is_conventioned(org_a, date(2025, 7, 1))
        assert signed.last_day == date(2025, 6, 30)

    def test_an_amendment_extending_the_end_keeps_the_organisation_conventionnee(
            self, signed: Convention, approver: User, org_a: Organisation, on_day: Callable[[date], None]) -> None:
        assert not selectors.is_conventioned(org_a, date(2027, 3, 1))
        on_day(date(2026, 10, 1))
        amend_convention(approver, signed,
                         AmendmentInput(signed_on=date(2026, 9, 30), effective_from=date(2026, 10, 1),
                                        summary="Prolongation d'un an", ends_on=date(2027, 12, 31)))
        assert selectors.is_conventioned(org_a, date(2027, 3, 1))
        assert not selectors.is_conventioned(org_a, date(2028, 1, 1))

    def test_one_active_convention_among_several_is_enough(self, org_a: Organisation) -> None:
        ConventionFactory.create(organisation=org_a, signed_on=date(2020, 1, 1), starts_on=date(2020, 1, 1),
                                 ends_on=date(2022, 12, 31))
        ConventionFactory.create(organisation=org_a, signed_on=date(2023, 1, 1), starts_on=date(2023, 1, 1),
                                 ends_on=date(2025, 12, 31))
        assert selectors.is_conventioned(org_a, date(2021, 6, 1))
        assert selectors.is_conventioned(org_a, date(2024, 6, 1))
        assert not selectors.is_conventioned(org_a, date(2026, 1, 1))
        assert list(selectors.conventioned_organisations(date(2024, 6, 1))) == [org_a]


@pytest.mark.django_db
class TestPreparingAndSigning:
    def test_an_officer_prepares_a_convention_with_domains_and_indicators(self, officer: User,
                                                                          org_a: Organisation) -> None:
        department = DepartmentFactory.create()
        domains = [ActivityDomainFactory.create(), ActivityDomainFactory.create()]
        convention = create_convention(officer, ConventionInput(
            department=department.pk, organisation=org_a.pk, title="Convention intégration",
            starts_on=date(2025, 1, 1), ends_on=date(2027, 12, 31),
            domains=(
                DomainInput(activity=domains[0].pk, yearly_amount=D("250000"), fte=D("3.5"),
                            indicators=(IndicatorInput("Communes accompagnées", "communes", D("20")),)),
                DomainInput(activity=domains[1].pk, yearly_amount=D("80000.50"), fte=D("1")),
            )))
        assert convention.reference == "CONV-2025-001"
        assert convention.status == Status.DRAFT
        assert [(d.activity, d.yearly_amount, d.fte) for d in convention.domains.all()] == [
            (domains[0], D("250000.00"), D("3.50")), (domains[1], D("80000.50"), D("1.00"))]
        first_domain = convention.domains.first()
        assert first_domain is not None and first_domain.indicators.get().yearly_target == D("20.00")
        assert AuditEvent.objects.filter(action="convention.create", object_id=str(convention.pk)).exists()

    def test_every_problem_is_reported_at_once_and_nothing_is_written(self, officer: User, org_a: Organisation) -> None:
        with pytest.raises(RuleViolation) as error:
            create_convention(officer, ConventionInput(
                department=org_a.pk, organisation=org_a.pk, title="", starts_on=date(2025, 1, 1),
                ends_on=date(2024, 12, 31), domains=(DomainInput(activity=999999, yearly_amount=D("-5")),)))
        fields = {v.field for v in error.value.violations}
        assert {"department", "title", "ends_on", "domains.0.activity", "domains.0.yearly_amount"} <= fields
        assert not Convention.objects.exists()

    def test_only_officers_prepare_and_only_approvers_sign(self, draft: Convention, make_user: Callable[..., User],
                                                           org_a: Organisation) -> None:
        with pytest.raises(PermissionDenied):
            create_convention(make_user("approver"), ConventionInput(
                department=None, organisation=org_a.pk, title="", starts_on=date(2025, 1, 1),
                ends_on=date(2025, 12, 31)))
        with pytest.raises(PermissionDenied):
            sign_convention(make_user("officer"), draft)
        with pytest.raises(PermissionDenied):
            sign_convention(make_user("finance"), draft)

    def test_partners_do_not_see_drafts(self, draft: Convention, gestionnaire: User) -> None:
        with pytest.raises(NotFound):
            sign_convention(gestionnaire, draft)
        assert not selectors.conventions_visible_to(gestionnaire).exists()

    def test_signing_sets_up_the_reports_and_cannot_happen_twice(self, gestionnaire: User, signed: Convention,
                                                                 approver: User) -> None:
        reports = signed.reports.order_by("year", "kind")
        assert [(r.year, r.kind, r.status, r.due_on) for r in reports] == [
            (year, kind, ReportStatus.EXPECTED, date(year + 1, 3, 31))
            for year in (2024, 2025, 2026) for kind in sorted(ReportKind.values)]
        assert Notification.objects.filter(user=gestionnaire, kind=Kind.CONVENTION).exists()
        with pytest.raises(Conflict) as error:
            sign_convention(approver, signed)
        assert codes(error) == ["illegal_transition"]

    def test_a_convention_without_amount_cannot_be_signed(self, approver: User, on_day: Callable[[date], None]) -> None:
        convention = ConventionFactory.create()
        with pytest.raises(RuleViolation) as error:
            sign_convention(approver, convention)
        assert codes(error) == ["no_domain"]
        ConventionDomainFactory.create(convention=convention, yearly_amount=D(0))
        with pytest.raises(RuleViolation) as error:
            sign_convention(approver, convention)
        assert codes(error) == ["no_amount"]

    def test_a_signed_convention_is_no_longer_editable(self, signed: Convention, officer: User) -> None:
        with pytest.raises(Conflict):
            update_convention(officer, signed, replace(ConventionInput.of(signed), title="Autre"))

    def test_a_stale_edit_is_refused_and_changes_nothing(self, draft: Convention, officer: User) -> None:
        update_convention(officer, draft, replace(ConventionInput.of(draft), title="Premier"), expected_version=1)
        with pytest.raises(Conflict) as error:
            update_convention(officer, draft, replace(ConventionInput.of(draft), title="Second"), expected_version=1)
        assert codes(error) == ["stale_version"]
        draft.refresh_from_db()
        assert (draft.title, draft.version) == ("Premier", 2)


@pytest.mark.django_db
class TestAmendmentsAndTermination:
    def test_an_amendment_must_fall_within_the_convention_and_change_something(self, signed: Convention, approver: User,
                                                                               on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        with pytest.raises(RuleViolation) as error:
            amend_convention(approver, signed,
                             AmendmentInput(signed_on=date(2025, 5, 1), effective_from=date(2027, 2, 1), summary=""))
        assert set(codes(error)) >= {"out_of_period", "required"}
        with pytest.raises(RuleViolation) as error:
            amend_convention(approver, signed, AmendmentInput(signed_on=date(2025, 5, 1),
                                                              effective_from=date(2025, 6, 1), summary="Rien"))
        assert codes(error) == ["empty"]
        assert not signed.amendments.exists()

    def test_amendments_are_numbered_versions(self, signed: Convention, approver: User,
                                              on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        domain = signed.domains.get()
        first = amend_convention(approver, signed,
                                 AmendmentInput(signed_on=date(2025, 5, 1), effective_from=date(2025, 6, 1),
                                                summary="Hausse",
                                                lines=(AmendmentLineInput(domain=domain.pk,
                                                                          yearly_amount=Decimal("130000")),)))
        second = amend_convention(approver, signed,
                                  AmendmentInput(signed_on=date(2025, 5, 20), effective_from=date(2025, 9, 1),
                                                 summary="Prolongation", ends_on=date(2027, 6, 30)))
        assert (first.number, second.number) == (1, 2)
        assert (second.previous_ends_on, second.ends_on) == (date(2026, 12, 31), date(2027, 6, 30))
        assert first.lines.get().fte == D("2.00")  # unchanged staff when the amendment gives none

    def test_termination_needs_a_reason_and_drops_what_is_no_longer_due(self, signed: Convention, approver: User,
                                                                        on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        with pytest.raises(RuleViolation) as error:
            terminate_convention(approver, signed, TerminationInput(date(2025, 7, 1), " "))
        assert codes(error) == ["required"]
        terminate_convention(approver, signed, TerminationInput(date(2025, 7, 1), "Dissolution de l'association"))
        assert sorted(set(signed.reports.values_list("year", flat=True))) == [2024, 2025]
        assert not ScheduledPayment.objects.filter(convention=signed, year=2026).exists()
        # Half a year (181 days) is granted for 2025.
        assert sum(p.amount for p in ScheduledPayment.objects.filter(convention=signed, year=2025)) == D("59506.85")
        with pytest.raises(Conflict):
            terminate_convention(approver, signed, TerminationInput(date(2025, 8, 1), "Encore"))


@pytest.mark.django_db
class TestPayments:
    def test_finance_records_a_payment_once(self, signed: Convention, finance: User, officer: User, gestionnaire: User,
                                            on_day: Callable[[date], None]) -> None:
        payment = ScheduledPayment.objects.get(convention=signed, year=2024, kind=PaymentKind.ADVANCE, position=1)
        with pytest.raises(PermissionDenied):
            record_payment(officer, payment)
        on_day(date(2024, 1, 10))
        with pytest.raises(RuleViolation) as error:
            record_payment(finance, payment, PaymentInput(paid_on=date(2024, 1, 11)))
        assert codes(error) == ["future_date"]
        record_payment(finance, payment, PaymentInput(paid_on=date(2024, 1, 8), payment_reference="VIR-1"))
        payment.refresh_from_db()
        assert (payment.paid_on, payment.payment_reference, payment.recorded_by) == (date(2024, 1, 8), "VIR-1",
                                                                                    finance)
        assert Notification.objects.filter(user=gestionnaire, kind=Kind.CONVENTION_PAYMENT).exists()
        with pytest.raises(Conflict):
            record_payment(finance, payment)


@pytest.mark.django_db
class TestYearlyReports:
    def _activity(self, convention: Convention, year: int = 2024) -> YearlyReport:
        return convention.reports.get(year=year, kind=ReportKind.ACTIVITY)

    def _fill(self, user: User, report: YearlyReport) -> YearlyReport:
        indicator = report.convention.domains.get().indicators.get()
        return save_report(user, report,
                           ReportInput(narrative="Une année chargée.",
                                       values={indicator.pk: IndicatorValueInput(Decimal("310"), "Objectif")}))

    def test_a_member_fills_in_but_only_a_gestionnaire_files(self, signed: Convention, org_a: Organisation,
                                                             make_user: Callable[..., User], gestionnaire: User,
                                                             on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 2, 1))
        member = make_user("partner_member", organisation=org_a)
        report = self._fill(member, self._activity(signed))
        assert report.indicator_values.get().value == D("310.00")
        with pytest.raises(PermissionDenied):
            submit_report(member, report)
        submit_report(gestionnaire, report)
        report.refresh_from_db()
        assert (report.status, report.submitted_by) == (ReportStatus.SUBMITTED, gestionnaire)

    def test_a_report_is_filed_complete_and_after_the_year(self, signed: Convention, gestionnaire: User,
                                                           on_day: Callable[[date], None]) -> None:
        on_day(date(2024, 12, 31))
        report = self._activity(signed)
        with pytest.raises(RuleViolation) as error:
            submit_report(gestionnaire, report)
        assert set(codes(error)) == {"year_not_over", "required", "missing_indicator"}
        on_day(date(2025, 1, 1))
        financial = signed.reports.get(year=2024, kind=ReportKind.FINANCIAL)
        with pytest.raises(RuleViolation) as error:
            submit_report(gestionnaire, financial)
        assert set(codes(error)) == {"missing_spending", "missing_document"}
        report.refresh_from_db()
        assert report.status == ReportStatus.EXPECTED

    def test_an_officer_returns_with_comments_then_accepts(self, signed: Convention, gestionnaire: User, officer: User,
                                                           on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 2, 1))
        report = submit_report(gestionnaire, self._fill(gestionnaire, self._activity(signed)))
        with pytest.raises(RuleViolation) as error:
            return_report(officer, report, comment="")
        assert codes(error) == ["required"]
        return_report(officer, report, comment="Précisez les communes accompagnées.")
        report.refresh_from_db()
        assert (report.status, report.officer_comment) == (ReportStatus.RETURNED,
                                                          "Précisez les communes accompagnées.")
        assert Notification.objects.filter(user=gestionnaire, kind=Kind.CONVENTION_REPORT_REVIEWED).exists()
        with pytest.raises(Conflict):
            accept_report(officer, report)
        report = save_report(gestionnaire, report, ReportInput(narrative="Avec les communes : Mersch, Diekirch."))
        submit_report(gestionnaire, report)
        accept_report(officer, report, comment="Merci.")
        report.refresh_from_db()
        assert report.status == ReportStatus.ACCEPTED
        assert [e.action for e in AuditEvent.objects.filter(object_type="conventions.yearlyreport",
                                                            object_id=str(report.pk)).order_by("pk")] == [
            "convention.report_save", "convention.report_submit", "convention.report_return",
            "convention.report_save", "convention.report_submit", "convention.report_accept"]
        with pytest.raises(Conflict):
            save_report(gestionnaire, report, ReportInput(narrative="Trop tard"))

    def test_officers_do_not_file_and_partners_do_not_accept(self, signed: Convention, gestionnaire: User,
                                                             officer: User, on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 2, 1))
        report = self._fill(gestionnaire, self._activity(signed))
        with pytest.raises(PermissionDenied):
            submit_report(officer, report)
        submit_report(gestionnaire, report)
        with pytest.raises(PermissionDenied):
            accept_report(gestionnaire, report)

    def test_a_renamed_executable_is_refused_as_a_report_document(self, signed: Convention, gestionnaire: User,
                                                                  on_day: Callable[[date], None]) -> None:
        report = signed.reports.get(year=2024, kind=ReportKind.FINANCIAL)
        upload = SimpleUploadedFile("comptes.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "application/pdf")
        with pytest.raises(RuleViolation) as error:
            add_report_document(gestionnaire, report, upload)
        assert codes(error) == ["file_type_not_allowed"]
        add_report_document(gestionnaire, report, SimpleUploadedFile("comptes.pdf", PDF))
        assert report.documents.count() == 1

    def test_overdue_reports_are_listed(self, signed: Convention, gestionnaire: User,
                                        on_day: Callable[[date], None]) -> None:
        assert not selectors.overdue_reports(date(2025, 3, 31)).exists()
        overdue = selectors.overdue_reports(date(2025, 4, 1))
        assert sorted((r.year, r.kind) for r in overdue) == [(2024, "activity"), (2024, "financial")]
        on_day(date(2025, 2, 1))
        submit_report(gestionnaire, self._fill(gestionnaire, self._activity(signed)))
        assert [(r.year, r.kind) for r in selectors.overdue_reports(date(2025, 4, 1))] == [(2024, "financial")]


@pytest.mark.django_db
class TestOverlappingFunding:
    @pytest.fixture
    def application(self, signed: Convention, org_a: Organisation) -> Application:
        domain = signed.domains.get()
        return ApplicationFactory.create(organisation=org_a, activity_domain=domain.activity, state=State.SUBMITTED,
                                         start_date=date(2025, 9, 1), end_date=date(2026, 3, 31))

    def test_a_subsidy_for_a_conventioned_domain_over_the_same_period_is_flagged(self, signed: Convention,
                                                                                 application: Application) -> None:
        [overlap] = selectors.overlaps_for_application(application)
        assert (overlap.convention, overlap.domain, overlap.start, overlap.end) == (
            signed, signed.domains.get(), date(2025, 9, 1), date(2026, 3, 31))
        assert [o.application for o in selectors.overlaps_for_convention(signed)] == [application]

    def test_another_domain_another_period_or_another_organisation_is_not(self, signed: Convention,
                                                                          application: Application,
                                                                          org_b: Organisation) -> None:
        application.activity_domain = ActivityDomainFactory.create()
        application.save()
        assert selectors.overlaps_for_application(application) == []
        domain = signed.domains.get().activity
        later = ApplicationFactory.create(organisation=signed.organisation, activity_domain=domain,
                                          state=State.SUBMITTED, start_date=date(2027, 1, 1),
                                          end_date=date(2027, 6, 30))
        elsewhere = ApplicationFactory.create(organisation=org_b, activity_domain=domain, state=State.SUBMITTED,
                                              start_date=date(2025, 1, 1), end_date=date(2025, 6, 30))
        assert selectors.overlaps_for_application(later) == []
        assert selectors.overlaps_for_application(elsewhere) == []
        assert selectors.overlaps_for_convention(signed) == []

    def test_a_termination_ends_the_overlap(self, signed: Convention, application: Application, approver: User,
                                            on_day: Callable[[date], None]) -> None:
        on_day(date(2025, 6, 1))
        terminate_convention(approver, signed, TerminationInput(date(2025, 9, 1), "Fin anticipée"))
        assert selectors.overlaps_for_application(application) == []

    def test_a_draft_convention_does_not_count(self, draft: Convention, org_a: Organisation) -> None:
        application = ApplicationFactory.create(organisation=org_a, activity_domain=draft.domains.get().activity,
                                                start_date=date(2025, 1, 1), end_date=date(2025, 6, 30))
        assert selectors.overlaps_for_application(application) == []

    def test_the_funding_overview_adds_conventions_and_subsidies_by_year(self, signed: Convention,
                                                                         application: Application) -> None:
        overview = selectors.funding_overview(signed.organisation, date(2025, 1, 1), date(2026, 12, 31))
        assert overview.years == [2025, 2026]
        kinds = [(line.kind, line.warning) for line in overview.lines]
        assert kinds == [("convention", True), ("subsidy", True)]
        assert overview.totals == {2025: D("126000.00"), 2026: D("120000.00")}  # 120 000 + the 6 000 requested
        assert len(overview.overlaps) == 1


@pytest.mark.django_db
class TestVisibility:
    def test_a_partner_sees_only_its_own_conventions_and_reports(self, signed: Convention,
                                                                 make_user: Callable[..., User], org_b: Organisation,
                                                                 gestionnaire: User) -> None:
        other = make_user("partner_admin", organisation=org_b)
        assert list(selectors.conventions_visible_to(gestionnaire)) == [signed]
        assert not selectors.conventions_visible_to(other).exists()
        assert not selectors.reports_visible_to(other).exists()
        statement = signed.reports.get(year=2024, kind=ReportKind.FINANCIAL)
        with pytest.raises(NotFound):
            save_report(other, statement, ReportInput(narrative="intrusion"))

    def test_reviewers_and_moderators_see_no_convention(self, signed: Convention,
                                                        make_user: Callable[..., User]) -> None:
        for role in ("reviewer", "moderator"):
            assert not selectors.conventions_visible_to(make_user(role)).exists()

    @pytest.mark.parametrize("url_name", ["conventions:detail", "conventions:report"])
    def test_the_pages_answer_404_to_another_organisation(self, signed: Convention, make_user: Callable[..., User],
                                                          org_b: Organisation, login: Callable[..., Client],
                                                          url_name: str) -> None:
        from django.urls import reverse

        statement = signed.reports.filter(kind=ReportKind.FINANCIAL).first()
        assert statement is not None
        target = signed.pk if url_name == "conventions:detail" else statement.pk
        url = reverse(url_name, kwargs={"pk": target})
        assert login(make_user("partner_admin", organisation=org_b)).get(url).status_code == 404
        assert login(make_user("partner_member", organisation=signed.organisation)).get(url).status_code == 200
