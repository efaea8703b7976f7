"""Amounts granted, payment schedules, balances and surplus: at several dates, across a leap year and
through amendments (subsidia.conventions.money and the services that keep the schedule in line)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from subsidia.accounts.models import User
from subsidia.conventions import money
from subsidia.conventions.inputs import AmendmentInput, AmendmentLineInput, PaymentInput, ReportInput, SignInput
from subsidia.conventions.models import Convention, PaymentKind, ReportKind, ScheduledPayment, YearlyReport
from subsidia.conventions.selectors import with_details
from subsidia.conventions.services.acts import amend_convention, sign_convention
from subsidia.conventions.services.payments import record_payment
from subsidia.conventions.services.reports import accept_report, add_report_document, save_report, submit_report
from subsidia.grants.tests.factories import PDF

from .factories import ConventionDomainFactory, ConventionFactory

D = Decimal


def fresh(convention: Convention) -> Convention:
    return with_details(Convention.objects.all()).get(pk=convention.pk)


def schedule(convention: Convention, year: int) -> list[tuple[str, int, date, Decimal, bool]]:
    return [(p.kind, p.position, p.due_on, p.amount, p.paid_on is not None)
            for p in ScheduledPayment.objects.filter(convention=convention, year=year)
            .order_by("due_on", "kind", "position")]


@pytest.mark.django_db
class TestGranted:
    def test_a_full_year_is_exactly_the_yearly_amount(self) -> None:
        domain = ConventionDomainFactory.create(yearly_amount=D("120000.00"))
        assert money.granted(fresh(domain.convention), 2025) == D("120000.00")
        assert money.granted(fresh(domain.convention), 2024) == D("120000.00")  # a leap year, in full

    def test_a_part_of_a_leap_year_counts_366_days(self) -> None:
        convention = ConventionFactory.create(starts_on=date(2024, 3, 1), ends_on=date(2025, 12, 31))
        ConventionDomainFactory.create(convention=convention, yearly_amount=D("120000.00"))
        # 306 days (1 March to 31 December) of 366, then of 365 for the same dates a year later.
        assert money.granted(fresh(convention), 2024) == D("100327.87")
        later = ConventionFactory.create(starts_on=date(2025, 3, 1), ends_on=date(2025, 12, 31))
        ConventionDomainFactory.create(convention=later, yearly_amount=D("120000.00"))
        assert money.granted(fresh(later), 2025) == D("100602.74")

    def test_the_29th_of_february_alone(self) -> None:
        convention = ConventionFactory.create(starts_on=date(2024, 2, 29), ends_on=date(2024, 2, 29))
        ConventionDomainFactory.create(convention=convention, yearly_amount=D("36600.00"))
        assert money.granted(fresh(convention), 2024) == D("100.00")
        assert money.covered_years(fresh(convention)) == [2024]

    def test_domains_add_up_and_years_outside_the_period_are_nothing(self) -> None:
        convention = ConventionFactory.create()
        ConventionDomainFactory.create(convention=convention, yearly_amount=D("100000.00"))
        ConventionDomainFactory.create(convention=convention, yearly_amount=D("50000.50"))
        assert money.granted(fresh(convention), 2026) == D("150000.50")
        assert money.granted(fresh(convention), 2023) == D("0.00")
        assert money.granted(fresh(convention), 2027) == D("0.00")


@pytest.mark.django_db
class TestSchedule:
    def test_signing_plans_quarterly_advances_and_the_balance(self, signed: Convention) -> None:
        assert schedule(signed, 2025) == [
            (PaymentKind.ADVANCE, 1, date(2025, 1, 1), D("27000.00"), False),
            (PaymentKind.ADVANCE, 2, date(2025, 4, 1), D("27000.00"), False),
            (PaymentKind.ADVANCE, 3, date(2025, 7, 1), D("27000.00"), False),
            (PaymentKind.ADVANCE, 4, date(2025, 10, 1), D("27000.00"), False),
            # Reports are due on 31 March of the next year; the balance 60 days later.
            (PaymentKind.BALANCE, 1, date(2026, 5, 30), D("12000.00"), False),
        ]
        assert sorted({p.year for p in signed.payments.all()}) == [2024, 2025, 2026]

    def test_a_part_year_starts_its_advances_on_the_first_day(self, draft: Convention, approver: User,
                                                              on_day: Callable[[date], None]) -> None:
        draft.starts_on = date(2024, 5, 15)
        draft.save()
        on_day(date(2024, 5, 1))
        sign_convention(approver, draft, SignInput(signed_on=date(2024, 5, 1)))
        plan = schedule(draft, 2024)
        assert [row[2] for row in plan] == [date(2024, 5, 15), date(2024, 7, 1), date(2024, 10, 1), date(2025, 5, 30)]
        granted = money.granted(fresh(draft), 2024)
        assert granted == D("75737.70")  # 231 days of 366
        assert sum(row[3] for row in plan) == granted
        # Advances differ by a cent at most and hold 90 % of the year.
        advances = [row[3] for row in plan if row[0] == PaymentKind.ADVANCE]
        assert sum(advances) == D("68163.93") and max(advances) - min(advances) <= D("0.01")


@pytest.mark.django_db
class TestBalances:
    def _pay(self, convention: Convention, finance: User, on_day: Callable[[date], None], year: int, position: int,
             day: date) -> ScheduledPayment:
        on_day(day)
        payment = ScheduledPayment.objects.get(convention=convention, year=year, kind=PaymentKind.ADVANCE,
                                               position=position)
        return record_payment(finance, payment, PaymentInput(paid_on=day, payment_reference=f"VIR-{year}-{position}"))

    def test_the_balance_at_several_dates(self, signed: Convention, finance: User,
                                          on_day: Callable[[date], None]) -> None:
        self._pay(signed, finance, on_day, 2025, 1, date(2025, 1, 10))
        self._pay(signed, finance, on_day, 2025, 2, date(2025, 4, 3))
        convention = fresh(signed)
        before = money.position(convention, 2025, date(2024, 12, 31))
        assert (before.due, before.paid, before.to_pay, before.overdue) == (D(0), D(0), D("120000.00"), D(0))
        mid_march = money.position(convention, 2025, date(2025, 3, 15))
        assert (mid_march.due, mid_march.paid, mid_march.overdue) == (D("27000.00"), D("27000.00"), D(0))
        april_2 = money.position(convention, 2025, date(2025, 4, 2))
        assert (april_2.due, april_2.paid, april_2.overdue) == (D("54000.00"), D("27000.00"), D("27000.00"))
        may = money.position(convention, 2025, date(2025, 5, 1))
        assert (may.paid, may.to_pay, may.overdue) == (D("54000.00"), D("66000.00"), D(0))
        august = money.position(convention, 2025, date(2025, 8, 1))
        assert august.overdue == D("27000.00")  # the July advance is late
        # The balance (due 30 May 2026) is not late while the financial statement is not accepted.
        later = money.position(convention, 2025, date(2026, 6, 1))
        assert later.overdue == D("54000.00") and later.due == D("120000.00")

    def test_an_amendment_reshapes_the_unpaid_lines_and_keeps_the_paid_ones(self, signed: Convention, finance: User,
                                                                            approver: User,
                                                                            on_day: Callable[[date], None]) -> None:
        self._pay(signed, finance, on_day, 2025, 1, date(2025, 1, 10))
        self._pay(signed, finance, on_day, 2025, 2, date(2025, 4, 3))
        on_day(date(2025, 6, 20))
        domain = signed.domains.get()
        amend_convention(approver, signed,
                         AmendmentInput(signed_on=date(2025, 6, 15), effective_from=date(2025, 7, 1),
                                        summary="Renfort de l'équipe",
                                        lines=(AmendmentLineInput(domain=domain.pk, yearly_amount=Decimal("150000.00"),
                                                                  fte=Decimal("2.5")),)))
        convention = fresh(signed)
        # 181 days at 120 000 and 184 days at 150 000, of 365.
        assert money.granted(convention, 2025) == D("135123.29")
        assert money.granted(convention, 2026) == D("150000.00")
        assert money.granted(convention, 2024) == D("120000.00")
        assert schedule(signed, 2025) == [
            (PaymentKind.ADVANCE, 1, date(2025, 1, 1), D("27000.00"), True),
            (PaymentKind.ADVANCE, 2, date(2025, 4, 1), D("27000.00"), True),
            (PaymentKind.ADVANCE, 3, date(2025, 7, 1), D("33805.48"), False),
            (PaymentKind.ADVANCE, 4, date(2025, 10, 1), D("33805.48"), False),
            (PaymentKind.BALANCE, 1, date(2026, 5, 30), D("13512.33"), False),
        ]
        assert money.rate_on(convention.domains.get(), date(2025, 7, 1)).fte == D("2.50")
        assert money.rate_on(convention.domains.get(), date(2025, 6, 30)).fte == D("2.00")

    def test_an_amendment_extending_the_end_adds_a_year_over_a_leap_day(self, signed: Convention, approver: User,
                                                                        on_day: Callable[[date], None]) -> None:
        on_day(date(2026, 6, 1))
        amend_convention(approver, signed,
                         AmendmentInput(signed_on=date(2026, 5, 20), effective_from=date(2026, 6, 1),
                                        summary="Prolongation", ends_on=date(2028, 2, 29)))
        convention = fresh(signed)
        assert money.covered_years(convention) == [2024, 2025, 2026, 2027, 2028]
        assert money.granted(convention, 2028) == D("19672.13")  # 60 days of 366
        assert convention.reports.filter(year=2028).count() == 2

    def _file_statement(self, convention: Convention, spent: str, on_day: Callable[[date], None],
                        make_user: Callable[..., User], officer: User) -> YearlyReport:
        on_day(date(2026, 2, 1))
        admin = make_user("partner_admin", organisation=convention.organisation)
        report = convention.reports.get(year=2025, kind=ReportKind.FINANCIAL)
        save_report(admin, report, ReportInput(narrative="Comptes 2025",
                                               spending={convention.domains.get().pk: Decimal(spent)}))
        add_report_document(admin, report, SimpleUploadedFile("comptes-2025.pdf", PDF, "application/pdf"))
        submit_report(admin, report)
        return accept_report(officer, report)

    def test_spending_less_than_the_advances_leaves_a_surplus_to_recover(self, signed: Convention, finance: User,
                                                                         on_day: Callable[[date], None],
                                                                         make_user: Callable[..., User]) -> None:
        for position, day in enumerate([date(2025, 1, 5), date(2025, 4, 5), date(2025, 7, 5), date(2025, 10, 5)], 1):
            self._pay(signed, finance, on_day, 2025, position, day)
        self._file_statement(signed, "100000.00", on_day, make_user, make_user("officer"))
        convention = fresh(signed)
        result = money.position(convention, 2025, date(2026, 2, 2))
        assert (result.granted, result.paid, result.spent, result.eligible) == (
            D("120000.00"), D("108000.00"), D("100000.00"), D("100000.00"))
        assert (result.surplus, result.to_pay) == (D("8000.00"), D(0))
        # The balance is no longer due: nothing unpaid remains on the schedule of 2025.
        assert [row for row in schedule(signed, 2025) if not row[4]] == []

    def test_spending_more_than_granted_pays_the_balance_up_to_the_amount_granted(
            self, signed: Convention, finance: User, on_day: Callable[[date], None],
            make_user: Callable[..., User]) -> None:
        for position, day in enumerate([date(2025, 1, 5), date(2025, 4, 5), date(2025, 7, 5), date(2025, 10, 5)], 1):
            self._pay(signed, finance, on_day, 2025, position, day)
        self._file_statement(signed, "130000.00", on_day, make_user, make_user("officer"))
        result = money.position(fresh(signed), 2025, date(2026, 2, 2))
        assert (result.eligible, result.to_pay, result.surplus) == (D("120000.00"), D("12000.00"), D(0))
        assert schedule(signed, 2025)[-1] == (PaymentKind.BALANCE, 1, date(2026, 5, 30), D("12000.00"), False)
