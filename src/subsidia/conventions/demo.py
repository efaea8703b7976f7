"""The conventions part of ``subsidia load-demo``: the multi-year conventions of the Département de
l'intégration (ASTI, Caritas, CLAE, CEFIS) and of the MEGA (its 11 conventioned organisations), with the
history each would have by today: signatures, advances paid, yearly reports filed, accepted or returned,
balances paid, an amendment.

The story is told through the services, by the demo officer, approver and finance accounts (and the
partner's gestionnaire where the organisation has one), in the order it happened, so that the payment
schedules, the expected reports and the audit trail are what the services keep. The dates are relative to
today: the current conventions run from the first of January of last year (the Département de
l'intégration) or of this year (the MEGA), so that the officer sees last year's reports reviewed, one waiting
and one returned, and nothing overdue that would not be in real life. What the services date "now" (when a
report was filed or reviewed, the notifications they send) is set back to the day of the story; the
notifications of past events are not kept, so that the demo inboxes are not flooded.

ASTI also had an earlier convention (2022 until the year before last, with the same domains): the demo
subsidy application "Ateliers « Je vote aussi » dans les communes" (2024) is set in its "Guichet
Info-Migrants" domain, so that the overlapping-funding warning shows.

Idempotent: a convention is matched on its department, its organisation and its period (any convention of
the same pair meeting the period counts), so that loading again creates nothing. Amounts, staff (FTE),
indicators and narratives are invented: the conventions are marked as examples, texts end in "(exemple)".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db.models import Max
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record
from subsidia.core.errors import RuleViolation
from subsidia.demo.documents import tiny_pdf
from subsidia.grants.models import Application
from subsidia.notifications.models import Notification
from subsidia.organisations.models import ActivityDomain, Membership, Organisation

from . import money, selectors
from .inputs import (
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
from .models import (
    Amendment,
    Convention,
    DomainSpending,
    IndicatorValue,
    PaymentKind,
    ReportDocument,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    YearlyReport,
)
from .services import acts, drafting, payments, reports

AUDIT_NOTE = "load-demo"
INTEGRATION = "Département de l'intégration"
MEGA = "Ministère de l'Égalité des genres et de la Diversité"
ASTI = "Association de soutien aux travailleurs immigrés"
CARITAS = "Fondation Caritas Luxembourg"
CLAE = "Comité de liaison des associations d'étrangers"
CEFIS = "Centre d'étude et de formation interculturelles et sociales"
FED = "Femmes en détresse"
OFFICER = "officer@demo.subsidia.lu"
APPROVER = "approver@demo.subsidia.lu"
FINANCE = "finance@demo.subsidia.lu"
EXAMPLE_NOTE = "Montants, postes (ETP), indicateurs et rapports : exemple."

# The demo subsidy application set in a domain ASTI's (earlier) convention funds: the overlap warning.
OVERLAP_APPLICATION = (ASTI, "Ateliers « Je vote aussi » dans les communes (exemple)", "guichet-info-migrants")

PAYMENT_LAG = timedelta(days=6)  # finance pays a few days after the due date
BALANCE_LAG = timedelta(days=10)  # and a balance ten days after the statement is accepted, at the earliest


@dataclass(frozen=True)
class DomainSpec:
    code: str
    amount: int
    fte: str
    indicators: tuple[tuple[str, str, int], ...]
    description: str = ""


@dataclass(frozen=True)
class Filing:
    """One yearly report in the story: filed on ``submitted``, then accepted or returned on ``reviewed``
    (no review: it waits for the officer). Events later than today have not happened yet."""

    year: int
    kind: str
    submitted: date
    outcome: str = "accept"  # "accept", "return", or "" (waiting)
    reviewed: date | None = None
    comment: str = ""
    ratio: Decimal = Decimal("1.00")  # values / targets (activity), spending / amount granted (financial)


@dataclass(frozen=True)
class AmendmentSpec:
    signed_on: date
    effective_from: date
    summary: str
    lines: dict[str, tuple[int, str]]  # domain code: (new yearly amount, new FTE)


@dataclass
class ConventionSpec:
    department: str
    organisation: str
    title: str
    starts_on: date
    ends_on: date
    signed_on: date
    domains: list[DomainSpec]
    filings: list[Filing] = field(default_factory=list)
    amendments: list[AmendmentSpec] = field(default_factory=list)
    narrative: str = ""


# --- the data ------------------------------------------------------------------------------------

def _domain(code: str, amount: int, fte: str, description: str, *indicators: tuple[str, str, int]) -> DomainSpec:
    return DomainSpec(code, amount, fte, indicators, f"{description} (exemple)")


ASTI_DOMAINS = [
    _domain("accompagnement-communes", 180000, "2.00",
            "Conseil aux communes : plans communaux d'intégration, commissions consultatives",
            ("Communes accompagnées", "communes", 12),
            ("Réunions de commissions consultatives suivies", "réunions", 40)),
    _domain("traduction-orale-directe", 240000, "3.00",
            "Interprètes à la disposition des services publics, des communes et des écoles",
            ("Heures d'interprétariat", "heures", 2600), ("Langues couvertes", "langues", 18)),
    _domain("guichet-info-migrants", 150000, "2.00",
            "Permanences d'information sur les droits et les démarches, sur place et par téléphone",
            ("Personnes reçues au guichet", "personnes", 1800), ("Permanences tenues", "permanences", 200)),
]
ASTI_EARLIER_AMOUNTS = {"accompagnement-communes": 160000, "traduction-orale-directe": 215000,
                        "guichet-info-migrants": 135000}
CARITAS_DOMAINS = [
    _domain("accueil", 320000, "4.00", "Premier accueil et orientation des personnes nouvellement arrivées",
            ("Personnes accueillies", "personnes", 2500)),
    _domain("centre-de-jour", 410000, "5.50", "Centre de jour : accompagnement social, ateliers, espace de rencontre",
            ("Visites au centre de jour", "visites", 15000), ("Ateliers et activités", "ateliers", 300)),
]
CLAE_DOMAINS = [
    _domain("participation-citoyenne-interculturalite", 260000, "3.00",
            "Soutien aux associations issues de l'immigration, rencontres et festival interculturels",
            ("Associations soutenues", "associations", 90), ("Participants aux rencontres", "personnes", 4000)),
]
CEFIS_DOMAINS = [
    _domain("observatoire-formation-interculturelle", 210000, "2.50",
            "Observatoire de l'intégration, études et formations interculturelles",
            ("Heures de formation dispensées", "heures", 600), ("Études et notes publiées", "publications", 4)),
]

# The MEGA's conventioned organisations, one domain each.
MEGA_CONVENTIONS: list[tuple[str, DomainSpec]] = [
    (FED, _domain("hebergement-femmes-victimes-violence", 1450000, "18.00",
                  "Foyers d'accueil pour femmes et enfants victimes de violence",
                  ("Femmes hébergées", "femmes", 110), ("Enfants hébergés", "enfants", 120))),
    (CARITAS, _domain("traite-etres-humains", 380000, "4.00",
                      "Accompagnement et hébergement des victimes de la traite des êtres humains",
                      ("Victimes accompagnées", "personnes", 60))),
    ("Fondation Maison de la Porte Ouverte", _domain(
        "hebergement-femmes-victimes-violence", 790000, "10.00", "Structures d'hébergement pour femmes et enfants",
        ("Femmes hébergées", "femmes", 70))),
    ("Fondation Pro Familia", _domain(
        "consultation-victimes-violence", 520000, "6.50", "Consultations psycho-sociales et thérapeutiques",
        ("Consultations", "consultations", 3200))),
    ("InfoMann – Act Together", _domain(  # noqa: RUF001 - the organisation's name
        "consultation-garcons-hommes", 310000, "4.00", "Consultation pour garçons et hommes",
        ("Consultations", "consultations", 1400))),
    ("Croix-Rouge luxembourgeoise", _domain(
        "prise-en-charge-auteurs-violence", 450000, "5.00", "Service Riicht Eraus : accompagnement des auteurs",
        ("Auteurs accompagnés", "personnes", 450))),
    ("Initiativ Rem Schaffen", _domain(
        "prevention-violence", 190000, "2.00", "Sensibilisation et prévention dans les écoles et les communes",
        ("Actions de sensibilisation", "actions", 60))),
    ("CID Fraen an Gender", _domain(
        "information-documentation-genre", 360000, "4.50", "Centre de documentation et d'information",
        ("Demandes d'information traitées", "demandes", 1500), ("Ouvrages ajoutés", "ouvrages", 400))),
    ("Conseil national des femmes du Luxembourg", _domain(
        "egalite-femmes-hommes", 120000, "1.50", "Plaidoyer et sensibilisation pour l'égalité",
        ("Actions de sensibilisation", "actions", 25))),
    ("Centre d'information gay et lesbien", _domain(
        "information-consultation-lgbtiq", 280000, "3.50", "Permanences d'information et consultations",
        ("Consultations", "consultations", 900))),
    ("Rosa Lëtzebuerg", _domain(
        "lutte-discriminations-lgbtiq", 95000, "1.00", "Sensibilisation du public et défense des droits",
        ("Actions de sensibilisation", "actions", 30))),
]


def _settled(year: int, ratio: str = "1.04", spent: str = "0.985", *, today: date | None = None) -> list[Filing]:
    """Both reports of ``year`` filed a few days before the deadline and accepted three weeks after it.

    With ``today`` (last year's reports), a story whose acceptance would still lie ahead (early in the year) is
    told sooner: filed since the year's end and accepted by today, so that the officer finds last year's reports
    settled on any day of the year, with only the story's own report waiting."""
    due = money.report_due_on(year)

    def by_today(filed: date, reviewed: date) -> tuple[date, date]:
        if today is None or reviewed <= today:
            return filed, reviewed
        return max(date(year + 1, 1, 1), min(filed, today - timedelta(days=2))), today

    activity = by_today(due - timedelta(days=9), due + timedelta(days=19))
    financial = by_today(due - timedelta(days=6), due + timedelta(days=22))
    return [Filing(year, ReportKind.ACTIVITY, activity[0], reviewed=activity[1], ratio=Decimal(ratio)),
            Filing(year, ReportKind.FINANCIAL, financial[0], reviewed=financial[1], ratio=Decimal(spent))]


def stories(today: date) -> list[ConventionSpec]:
    """Every demo convention and what happened to it, as of ``today``."""
    year = today.year
    last = year - 1
    due = money.report_due_on(last)

    def recent(days: int) -> date:
        """``days`` ago, but after last year's end (its reports can only be filed then)."""
        return min(today, max(date(year, 1, 6), today - timedelta(days=days)))

    start, end = date(last, 1, 1), date(year + 1, 12, 31)
    period = f"{start.year}-{end.year}"
    signed = date(last - 1, 12, 12)
    clae_filed = min(due - timedelta(days=3), recent(30))
    # Caritas' amendment: from 1 July of this year if signed by now, else of last year.
    raise_from = date(year, 7, 1) if date(year, 6, 12) <= today else date(last, 7, 1)

    integration = [
        ConventionSpec(
            INTEGRATION, ASTI, f"Convention {period} : communes, interprétariat et Guichet Info-Migrants",
            start, end, signed, ASTI_DOMAINS,
            filings=[_settled(last, "1.08", "0.992", today=today)[1],
                     Filing(last, ReportKind.ACTIVITY, recent(12), outcome="", ratio=Decimal("1.08"))],
            narrative="Forte demande d'interprétariat dans les écoles ; le guichet a ouvert une permanence le samedi."),
        ConventionSpec(
            INTEGRATION, CARITAS, f"Convention {period} : accueil et centre de jour", start, end, signed,
            CARITAS_DOMAINS, filings=_settled(last, "1.02", "0.978", today=today),
            amendments=[AmendmentSpec(
                raise_from - timedelta(days=19), raise_from,
                "Ouverture du centre de jour le samedi : renfort d'équipe (exemple).",
                {"centre-de-jour": (455000, "6.25")})],
            narrative="Le centre de jour a accueilli davantage de familles ; l'accueil a renforcé ses permanences."),
        ConventionSpec(
            INTEGRATION, CLAE, f"Convention {period} : participation citoyenne et interculturalité", start, end,
            signed, CLAE_DOMAINS,
            filings=[_settled(last, "0.96", today=today)[0],
                     Filing(last, ReportKind.FINANCIAL, clae_filed, outcome="return",
                            reviewed=max(clae_filed, min(due + timedelta(days=45), recent(10))),
                            ratio=Decimal("1.01"), comment=(
                                "Le décompte ne distingue pas les frais de personnel des frais de fonctionnement : "
                                "joignez le détail par poste et le rapport du réviseur d'entreprises (exemple)."))],
            narrative="Le festival des migrations a réuni plus d'associations que prévu."),
        ConventionSpec(
            INTEGRATION, CEFIS, f"Convention {period} : observatoire et formation interculturelle", start, end,
            signed, CEFIS_DOMAINS, filings=_settled(last, "1.00", "0.995", today=today),
            narrative="Deux études publiées sur la participation politique ; formations pour douze communes."),
    ]
    # ASTI's earlier convention, settled year after year.
    earlier_end = date(year - 2, 12, 31)
    earlier = ConventionSpec(
        INTEGRATION, ASTI, f"Convention 2022-{earlier_end.year} : communes, interprétariat et Guichet Info-Migrants",
        date(2022, 1, 1), earlier_end, date(2021, 12, 10),
        [DomainSpec(d.code, ASTI_EARLIER_AMOUNTS[d.code], d.fte, d.indicators, d.description) for d in ASTI_DOMAINS],
        filings=[f for y in range(2022, earlier_end.year + 1) for f in _settled(y, "1.01", "0.99")],
        narrative="Les activités prévues ont été menées.")
    mega_start, mega_end = date(year, 1, 1), date(year + 2, 12, 31)
    mega = [
        ConventionSpec(MEGA, organisation, f"Convention {mega_start.year}-{mega_end.year} : {domain_name(spec.code)}",
                       mega_start, mega_end, date(last, 12, 15), [spec])
        for organisation, spec in MEGA_CONVENTIONS
    ]
    return [earlier, *integration, *mega]


def domain_name(code: str) -> str:
    found = ActivityDomain.objects.filter(code=code).first()
    if found is None:
        raise CommandError(f"The conventions demo needs the activity domain {code!r} (activity_domains.json).")
    return found.name


# --- helpers -------------------------------------------------------------------------------------

def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _user(email: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(f"The conventions demo needs the demo account {email!r}.")
    return user


def _organisation(name: str) -> Organisation:
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        raise CommandError(f"The conventions demo needs the organisation {name!r}.")
    return organisation


def gestionnaire(organisation: Organisation) -> User | None:
    membership = Membership.objects.filter(organisation=organisation, role=Role.PARTNER_ADMIN).select_related(
        "user").order_by("pk").first()
    return membership.user if membership else None


@contextmanager
def notifications_as_of(at: datetime, *, keep: bool = False, read: bool = True) -> Iterator[None]:
    """The notifications the services send inside the block: dated ``at`` and marked already e-mailed when
    kept (the worker does not send them), deleted otherwise (past events that would flood the inboxes)."""
    start = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    yield
    sent = Notification.objects.filter(pk__gt=start)
    if keep:
        sent.update(created_at=at, emailed_at=at, read_at=at if read else None)
    else:
        sent.delete()


def _call(what: str, service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return service(*args, **kwargs)
    except RuleViolation as error:
        raise CommandError(f"Conventions demo, {what}: {error}") from error


# --- loading -------------------------------------------------------------------------------------

class ConventionsDemo:
    def __init__(self, counts: Counter[tuple[str, str]], today: date) -> None:
        self.counts = counts
        self.today = today
        self.officer = _user(OFFICER)
        self.approver = _user(APPROVER)
        self.finance = _user(FINANCE)

    def convention(self, spec: ConventionSpec) -> Convention | None:
        department = _organisation(spec.department)
        organisation = _organisation(spec.organisation)
        existing = Convention.objects.filter(department=department, organisation=organisation,
                                             starts_on__lte=spec.ends_on, ends_on__gte=spec.starts_on)
        if existing.exists():
            self.counts["Conventions", "unchanged"] += 1
            self.counts["Amendments", "unchanged"] += Amendment.objects.filter(convention__in=existing).count()
            return None
        activities = {code: ActivityDomain.objects.get(code=code) for code in (d.code for d in spec.domains)}
        prepared = spec.signed_on - timedelta(days=40)
        with notifications_as_of(_at(prepared)):
            convention = _call(spec.title, drafting.create_convention, self.officer, ConventionInput(
                department=department.pk, organisation=organisation.pk, title=spec.title,
                starts_on=spec.starts_on, ends_on=spec.ends_on, notes=EXAMPLE_NOTE,
                domains=tuple(DomainInput(
                    activity=activities[d.code].pk, description=d.description, yearly_amount=Decimal(d.amount),
                    fte=Decimal(d.fte), indicators=tuple(IndicatorInput(name, unit, Decimal(target))
                                                         for name, unit, target in d.indicators))
                    for d in spec.domains)))
        Convention.objects.filter(pk=convention.pk).update(is_example=True, created_at=_at(prepared))
        for day, _order, act in self._events(spec):
            self._pay_due(convention, day)
            act(convention)
        self._pay_due(convention, self.today)
        self.counts["Conventions", "created"] += 1
        return convention

    def _events(self, spec: ConventionSpec) -> list[tuple[date, int, Callable[[Convention], None]]]:
        """What happened to the convention up to today, in order (signature, amendments, reports)."""
        events: list[tuple[date, int, Callable[[Convention], None]]] = [
            (spec.signed_on, 0, partial(self._sign, spec))]
        for amendment in spec.amendments:
            events.append((amendment.signed_on, 1, partial(self._amend, amendment)))
        for filing in spec.filings:
            events.append((filing.submitted, 2, partial(self._file, spec, filing)))
            if filing.outcome and filing.reviewed is not None:
                events.append((filing.reviewed, 3, partial(self._review, filing)))
        return sorted((e for e in events if e[0] <= self.today), key=lambda e: (e[0], e[1]))

    def _sign(self, spec: ConventionSpec, convention: Convention) -> None:
        with notifications_as_of(_at(spec.signed_on)):
            _call(spec.title, acts.sign_convention, self.approver, convention,
                  SignInput(spec.signed_on, spec.signed_on - timedelta(days=7)))

    def _amend(self, spec: AmendmentSpec, convention: Convention) -> None:
        lines = tuple(AmendmentLineInput(convention.domains.get(activity__code=code).pk, Decimal(amount),
                                         Decimal(fte)) for code, (amount, fte) in spec.lines.items())
        with notifications_as_of(_at(spec.signed_on)):
            amendment = _call(f"amendment of {convention}", acts.amend_convention, self.approver, convention,
                              AmendmentInput(signed_on=spec.signed_on, effective_from=spec.effective_from,
                                             summary=spec.summary, lines=lines))
        Amendment.objects.filter(pk=amendment.pk).update(created_at=_at(spec.signed_on, 11))
        self.counts["Amendments", "created"] += 1

    def _pay_due(self, convention: Convention, until: date) -> None:
        """Finance pays what has come due by ``until``: the advances a few days after their date, a balance
        once the year's financial statement is accepted."""
        until = min(until, self.today)
        for payment in list(ScheduledPayment.objects.filter(convention=convention, paid_on__isnull=True)
                            .order_by("due_on", "kind", "position")):
            day = payment.due_on + PAYMENT_LAG
            if payment.kind == PaymentKind.BALANCE:
                statement = YearlyReport.objects.filter(convention=convention, year=payment.year,
                                                        kind=ReportKind.FINANCIAL, status=ReportStatus.ACCEPTED).first()
                if statement is None or statement.reviewed_at is None:
                    continue
                day = max(day, timezone.localdate(statement.reviewed_at) + BALANCE_LAG)
            if day > until:
                continue
            mark = "A" if payment.kind == PaymentKind.ADVANCE else "S"
            with notifications_as_of(_at(day)):
                _call(f"payment of {convention}", payments.record_payment, self.finance, payment, PaymentInput(
                    day, f"VIR-{convention.reference}-{payment.year}-{mark}{payment.position}"))

    def _report_data(self, convention: Convention, filing: Filing, spec: ConventionSpec) -> ReportInput:
        convention = selectors.with_details(Convention.objects.filter(pk=convention.pk)).get()
        if filing.kind == ReportKind.ACTIVITY:
            return ReportInput(
                narrative=f"Activités {filing.year} : {spec.narrative} (exemple)",
                values={indicator.pk: IndicatorValueInput((indicator.yearly_target * filing.ratio).quantize(
                    Decimal(1))) for domain in convention.domains.all() for indicator in domain.indicators.all()})
        return ReportInput(
            narrative=f"Décompte {filing.year} arrêté par le conseil d'administration ; comptes joints (exemple).",
            spending={domain.pk: money.cents(money.domain_granted(domain, filing.year) * filing.ratio)
                      for domain in convention.domains.all()})

    def _file(self, spec: ConventionSpec, filing: Filing, convention: Convention) -> None:
        """The partner's gestionnaire fills in and files the report; an organisation without an account in
        the demo has it written as the services would leave it."""
        report = YearlyReport.objects.get(convention=convention, year=filing.year, kind=filing.kind)
        data = self._report_data(convention, filing, spec)
        at = _at(filing.submitted, 16)
        word = "rapport" if filing.kind == ReportKind.ACTIVITY else "comptes"
        content = tiny_pdf(f"{word.capitalize()} {filing.year} - {convention.organisation}")
        name = f"{word}-{filing.year}.pdf"
        partner = gestionnaire(convention.organisation)
        # Kept (unread) for a report still waiting for the officer today: the officer's "report filed".
        waiting = not filing.outcome or filing.reviewed is None or filing.reviewed > self.today
        with notifications_as_of(at, keep=waiting, read=False):
            if partner is not None:
                what = f"report {report}"
                report = _call(what, reports.save_report, partner, report, data)
                if filing.kind == ReportKind.FINANCIAL:
                    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
                    _call(what, reports.add_report_document, partner, report, upload)
                _call(what, reports.submit_report, partner, report)
            else:
                self._write_report(report, data, name, content, at)
        YearlyReport.objects.filter(pk=report.pk).update(submitted_at=at)
        ReportDocument.objects.filter(report=report).update(uploaded_at=at - timedelta(hours=1))

    def _write_report(self, report: YearlyReport, data: ReportInput, name: str, content: bytes,
                      at: datetime) -> None:
        report.narrative = data.narrative or ""
        if report.kind == ReportKind.ACTIVITY:
            IndicatorValue.objects.bulk_create([
                IndicatorValue(report=report, indicator_id=pk, value=entry.value)
                for pk, entry in (data.values or {}).items() if entry.value is not None])
        else:
            DomainSpending.objects.bulk_create([
                DomainSpending(report=report, domain_id=pk, spent=amount)
                for pk, amount in (data.spending or {}).items() if amount is not None])
            document = ReportDocument(report=report, original_name=name, content_type="application/pdf",
                                      extension="pdf", size=len(content), uploaded_at=at)
            document.file.save("document.pdf", ContentFile(content), save=False)
            document.save()
        problems = reports.report_problems(report, self.today)
        if problems:
            raise CommandError(f"Conventions demo, report {report}: " + "; ".join(str(p.message) for p in problems))
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = at
        report.version += 1
        report.save()
        record(None, "convention.report_submit", report, after=reports.report_snapshot(report), note=AUDIT_NOTE)

    def _review(self, filing: Filing, convention: Convention) -> None:
        assert filing.reviewed is not None
        report = YearlyReport.objects.get(convention=convention, year=filing.year, kind=filing.kind)
        at = _at(filing.reviewed, 11)
        with notifications_as_of(at):
            if filing.outcome == "return":
                _call(f"report {report}", reports.return_report, self.officer, report, filing.comment)
            else:
                _call(f"report {report}", reports.accept_report, self.officer, report, filing.comment)
        YearlyReport.objects.filter(pk=report.pk).update(reviewed_at=at)

    # --- the overlapping subsidy application ------------------------------------------------------

    def overlap(self) -> None:
        organisation, title, code = OVERLAP_APPLICATION
        application = Application.objects.filter(organisation__name=organisation, title=title).first()
        if application is None:
            raise CommandError(f"The conventions demo needs the demo application {title!r} of {organisation!r}.")
        domain = ActivityDomain.objects.get(code=code)
        if application.activity_domain_id == domain.pk:
            self.counts["Application activity domains", "unchanged"] += 1
            return
        before = {"activity_domain": str(application.activity_domain or "")}
        # An update, not a save: the application's own history (updated_at, version) is the grants demo's.
        Application.objects.filter(pk=application.pk).update(activity_domain=domain)
        record(None, "application.update", application, before=before, after={"activity_domain": domain.name},
               note=AUDIT_NOTE)
        self.counts["Application activity domains", "updated"] += 1


def load_conventions_demo(counts: Counter[tuple[str, str]], today: date | None = None) -> None:
    """Load the demo conventions (run by ``load-demo`` once the accounts and the grants demo exist)."""
    today = today or timezone.localdate()
    demo = ConventionsDemo(counts, today)
    for spec in stories(today):
        demo.convention(spec)
    demo.overlap()
