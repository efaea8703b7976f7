"""The conventions of the demo (``data/conventions.toml``), told through the conventions services: the
officer prepares each convention, the approver signs it (the services then set up its reports and payment
schedule) and signs its amendments; the partner's gestionnaire fills in and files each yearly report; the
officer accepts or returns it; finance pays each line of the schedule once it has come due: an advance six
days after its date, a balance ten days after the year's financial statement is accepted (or at once, if that
day is already past when the line appears).

A convention is matched on its department, its organisation and its period (any convention of the pair
meeting the period counts): what exists is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from subsidia.accounts.actors import Actor
from subsidia.conventions import money, selectors
from subsidia.conventions.inputs import (
    AmendmentInput,
    AmendmentLineInput,
    ConventionInput,
    DomainInput,
    IndicatorInput,
    IndicatorValueInput,
    PaymentInput,
    ReportInput,
    SignInput,
)
from subsidia.conventions.models import (
    Amendment,
    Convention,
    PaymentKind,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    YearlyReport,
)
from subsidia.conventions.services import acts, drafting, payments, reports
from subsidia.organisations.models import ActivityDomain, Organisation

from . import clock
from .data import check_keys, one, read
from .directory import partner_admin_of
from .documents import tiny_pdf
from .story import Inbox, Story

OFFICER = "officer@demo.subsidia.lu"
APPROVER = "approver@demo.subsidia.lu"
FINANCE = "finance@demo.subsidia.lu"
PAYMENT_LAG = timedelta(days=6)  # finance pays a few days after the due date
BALANCE_LAG = timedelta(days=10)  # and a balance ten days after the statement is accepted, at the earliest
CONVENTION_KEYS = {"department", "organisation", "title", "starts", "ends", "signed", "narrative", "domain",
                   "filing", "amendment"}
FILING_KEYS = {"years", "kind", "submitted", "outcome", "reviewed", "ratio", "comment"}


def flag_as_example(convention: Convention) -> None:
    """The "example" flag of a demo convention. Written to the model directly: the flag belongs to the demo,
    no service sets it."""
    Convention.objects.filter(pk=convention.pk).update(is_example=True)


@dataclass(frozen=True)
class Filing:
    year: int
    kind: str
    submitted: date
    outcome: str
    reviewed: date | None
    ratio: Decimal
    comment: str


@dataclass
class ConventionStory:
    story: Story
    entry: dict[str, Any]
    notes: str
    planned: set[tuple[int, str, int, date]] = field(default_factory=set)

    def __post_init__(self) -> None:
        check_keys(f"convention of {self.entry.get('organisation')!r}", self.entry, CONVENTION_KEYS)
        self.starts, self.ends, self.signed = (self.story.day(self.entry[key]) for key in ("starts", "ends", "signed"))
        self.organisation = self.entry["organisation"]
        domains = self.entry["domain"]
        activity = one(ActivityDomain, "activity domain", code=domains[0]["code"]).name
        self.title = self.entry["title"].format(start=self.starts.year, end=self.ends.year, activity=activity)
        self.what = f"convention {self.title!r} of {self.organisation}"

    def exists(self) -> bool:
        return Convention.objects.filter(
            department__name=self.entry["department"], organisation__name=self.organisation,
            starts_on__lte=self.ends, ends_on__gte=self.starts).exists()

    def convention(self) -> Convention:
        return one(Convention, "convention", department__name=self.entry["department"],
                   organisation__name=self.organisation, starts_on=self.starts)

    # --- the acts ---

    def tell(self) -> None:
        add = self.story.add
        add(clock.at(self.signed - timedelta(days=40)), OFFICER, self.what, self._prepare)
        add(clock.at(self.signed), APPROVER, f"signature of {self.what}", self._sign)
        for amendment in self.entry.get("amendment", []):
            effective = self.story.day(amendment["effective"])
            signed = self.story.day(amendment["signed"], effective=effective)
            add(clock.at(signed, 11), APPROVER, f"amendment of {self.what}",
                partial(self._amend, amendment, signed, effective))
        for filing in self._filings():
            # A report still waiting for the officer today keeps the officer's "report filed" notification.
            waiting = not filing.outcome or filing.reviewed is None or filing.reviewed > self.story.today
            add(clock.at(filing.submitted, 16), partner_admin_of(self.organisation),
                f"{filing.kind} report {filing.year} of {self.what}", partial(self._file, filing),
                Inbox.UNREAD if waiting else Inbox.DISCARD)
            if filing.outcome and filing.reviewed is not None:
                add(clock.at(filing.reviewed, 17), OFFICER, f"review of the {filing.kind} report {filing.year}",
                    partial(self._review, filing))

    def _filings(self) -> list[Filing]:
        filings = []
        for entry in self.entry.get("filing", []):
            check_keys(f"filing of {self.what}", entry, FILING_KEYS)
            first, last = (self.story.day(f"{y}-01-01").year for y in (entry["years"][0], entry["years"][-1]))
            for year in range(first, last + 1):
                names = {"due": money.report_due_on(year), "after": date(year + 1, 1, 1)}
                submitted = self.story.day(entry["submitted"], **names)
                reviewed = self.story.day(entry["reviewed"], filed=submitted, **names) if "reviewed" in entry else None
                filings.append(Filing(year, entry["kind"], submitted, entry.get("outcome", ""), reviewed,
                                      Decimal(entry.get("ratio", "1.00")), entry.get("comment", "")))
        return filings

    def _prepare(self, officer: Actor | None) -> None:
        assert officer is not None
        entry = self.entry
        convention = drafting.create_convention(officer, ConventionInput(
            department=one(Organisation, "organisation", name=entry["department"]).pk,
            organisation=one(Organisation, "organisation", name=self.organisation).pk, title=self.title,
            starts_on=self.starts, ends_on=self.ends, notes=self.notes,
            domains=tuple(DomainInput(
                activity=one(ActivityDomain, "activity domain", code=d["code"]).pk,
                yearly_amount=Decimal(d["amount"]), fte=Decimal(d["fte"]), description=d["description"],
                indicators=tuple(IndicatorInput(name, unit, Decimal(target)) for name, unit, target in d["indicators"]),
            ) for d in entry["domain"])))
        flag_as_example(convention)

    def _sign(self, approver: Actor | None) -> None:
        assert approver is not None
        acts.sign_convention(approver, self.convention(),
                             SignInput(signed_by_partner_on=self.signed - timedelta(days=7)))
        self._plan_payments()

    def _amend(self, entry: dict[str, Any], signed: date, effective: date, approver: Actor | None) -> None:
        assert approver is not None
        convention = self.convention()
        lines = tuple(AmendmentLineInput(convention.domains.get(activity__code=code).pk, Decimal(amount),
                                         Decimal(fte)) for code, (amount, fte) in entry["lines"].items())
        acts.amend_convention(approver, convention, AmendmentInput(
            signed_on=signed, effective_from=effective, summary=entry["summary"], lines=lines))
        self._plan_payments()

    def _report(self, filing: Filing) -> YearlyReport:
        return one(YearlyReport, "yearly report", convention=self.convention(), year=filing.year, kind=filing.kind)

    def _file(self, filing: Filing, partner: Actor | None) -> None:
        """The gestionnaire fills in the report from the year's targets and amounts, joins the accounts to a
        financial statement, and files it."""
        assert partner is not None
        report = self._report(filing)
        convention = selectors.with_details(Convention.objects.filter(pk=report.convention_id)).get()
        if filing.kind == ReportKind.ACTIVITY:
            data = ReportInput(
                narrative=f"Activités {filing.year} : {self.entry.get('narrative', '')} (exemple)",
                values={indicator.pk: IndicatorValueInput((indicator.yearly_target * filing.ratio).quantize(
                    Decimal(1))) for domain in convention.domains.all() for indicator in domain.indicators.all()})
        else:
            data = ReportInput(
                narrative=f"Décompte {filing.year} arrêté par le conseil d'administration ; comptes joints (exemple).",
                spending={domain.pk: money.cents(money.domain_granted(domain, filing.year) * filing.ratio)
                          for domain in convention.domains.all()})
        report = reports.save_report(partner, report, data)
        if filing.kind == ReportKind.FINANCIAL:
            content = tiny_pdf(f"Comptes {filing.year} - {convention.organisation}")
            reports.add_report_document(partner, report, SimpleUploadedFile(
                f"comptes-{filing.year}.pdf", content, content_type="application/pdf"))
        reports.submit_report(partner, report)

    def _review(self, filing: Filing, officer: Actor | None) -> None:
        assert officer is not None
        if filing.outcome == "return":
            reports.return_report(officer, self._report(filing), filing.comment)
        else:
            reports.accept_report(officer, self._report(filing), filing.comment)
            self._plan_payments()

    # --- the payments ---

    def _plan_payments(self) -> None:
        """Finance's payments of the lines the schedule now holds, each on its day (once)."""
        convention = self.convention()
        for payment in ScheduledPayment.objects.filter(convention=convention, paid_on__isnull=True):
            day = payment.due_on + PAYMENT_LAG
            if payment.kind == PaymentKind.BALANCE:
                statement = YearlyReport.objects.filter(convention=convention, year=payment.year,
                                                        kind=ReportKind.FINANCIAL, status=ReportStatus.ACCEPTED).first()
                if statement is None or statement.reviewed_at is None:
                    continue
                day = max(day, timezone.localdate(statement.reviewed_at) + BALANCE_LAG)
            key = (payment.year, payment.kind, payment.position, day)
            if key in self.planned:
                continue
            self.planned.add(key)
            moment = max(clock.at(day), timezone.now())  # a day already past when the line appears: now
            self.story.add(moment, FINANCE, f"payment {payment.kind} {payment.year}/{payment.position} of {self.what}",
                           partial(self._pay, key))

    def _pay(self, key: tuple[int, str, int, date], finance: Actor | None) -> None:
        assert finance is not None
        year, kind, position, _day = key
        convention = self.convention()
        payment = ScheduledPayment.objects.filter(convention=convention, year=year, kind=kind, position=position,
                                                  paid_on__isnull=True).first()
        if payment is None:
            return  # paid already, or no longer in the schedule
        mark = "A" if kind == PaymentKind.ADVANCE else "S"
        payments.record_payment(finance, payment, PaymentInput(
            payment_reference=f"VIR-{convention.reference}-{year}-{mark}{position}"))


def tell_conventions(story: Story) -> None:
    data = read("conventions.toml")
    for entry in data.get("convention", []):
        convention = ConventionStory(story, entry, data.get("notes", ""))
        if convention.exists():
            story.count("Conventions", "unchanged")
            story.count("Amendments", "unchanged", Amendment.objects.filter(
                convention__organisation__name=convention.organisation,
                convention__department__name=entry["department"]).count())
            continue
        convention.tell()
        story.count("Conventions", "created")
        story.count("Amendments", "created", len(entry.get("amendment", [])))
