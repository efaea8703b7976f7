"""Conventions: multi-year agreements by which a ministry's department funds a partner organisation's
activities in named domains, with their amendments, payment schedule and yearly reports.

A convention's status is never stored: it follows from its dates (signature, period, termination), so
that an organisation is "conventionnée" exactly while one of its conventions is active.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.core.models import Timestamped, Versioned
from subsidia.organisations.models import ActivityDomain, Organisation

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Status(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    SIGNED = "signed", _("Signée, pas encore en vigueur")
    ACTIVE = "active", _("En vigueur")
    ENDED = "ended", _("Terminée")
    TERMINATED = "terminated", _("Résiliée")


class ConventionQuerySet(models.QuerySet["Convention"]):
    def signed(self) -> ConventionQuerySet:
        return self.filter(signed_on__isnull=False)

    def active_on(self, day: date) -> ConventionQuerySet:
        """In force on ``day``: signed, within its period, not terminated by then."""
        return self.signed().filter(starts_on__lte=day, ends_on__gte=day).filter(
            Q(terminated_on__isnull=True) | Q(terminated_on__gt=day))

    def overlapping(self, start: date, end: date) -> ConventionQuerySet:
        """Signed conventions whose period in force meets [start, end]."""
        return self.signed().filter(starts_on__lte=end, ends_on__gte=start).filter(
            Q(terminated_on__isnull=True) | Q(terminated_on__gt=start))


class Convention(Versioned, Timestamped):
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="conventions_granted",
                                   verbose_name=_("département du ministère"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="conventions",
                                     verbose_name=_("organisation partenaire"))
    reference = models.CharField(_("référence"), max_length=30, unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"), help_text=_("Date de fin en vigueur, avenants compris."))
    advance_percent = models.PositiveSmallIntegerField(
        _("avances (% du montant annuel)"), default=90, validators=[MaxValueValidator(100)],
        help_text=_("Part du montant annuel versée en avances trimestrielles ; le solde suit le décompte."))
    signed_by_partner_on = models.DateField(_("signée par l'organisation le"), null=True, blank=True)
    signed_on = models.DateField(_("signée par le ministère le"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("signée par"))
    terminated_on = models.DateField(_("résiliée à compter du"), null=True, blank=True)
    termination_reason = models.TextField(_("motif de la résiliation"), blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    is_example = models.BooleanField(_("exemple"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["organisation__name", "-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="convention_period_order"),
            models.CheckConstraint(condition=Q(terminated_on__isnull=True) | ~Q(termination_reason=""),
                                   name="convention_termination_has_reason"),
            models.CheckConstraint(condition=Q(terminated_on__isnull=True) | Q(signed_on__isnull=False),
                                   name="convention_terminated_only_if_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def status_on(self, day: date) -> Status:
        if self.signed_on is None:
            return Status.DRAFT
        if self.terminated_on is not None and day >= self.terminated_on:
            return Status.TERMINATED
        if day < self.starts_on:
            return Status.SIGNED
        if day > self.ends_on:
            return Status.ENDED
        return Status.ACTIVE

    @property
    def status(self) -> Status:
        return self.status_on(timezone.localdate())

    @property
    def last_day(self) -> date:
        """The last day in force (the day before a termination takes effect)."""
        if self.terminated_on is not None:
            return min(self.ends_on, self.terminated_on - timedelta(days=1))
        return self.ends_on


class ConventionDomain(models.Model):
    """One activity domain a convention funds, with its yearly amount and staff (FTE) as first signed."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="domains")
    activity = models.ForeignKey(ActivityDomain, on_delete=models.PROTECT, related_name="convention_domains",
                                 verbose_name=_("domaine d'activité"))
    description = models.TextField(_("description"), blank=True)
    yearly_amount = models.DecimalField(_("montant annuel"), **MONEY)  # type: ignore[arg-type]
    fte = models.DecimalField(_("postes financés (ETP)"), max_digits=6, decimal_places=2, default=Decimal(0),
                              validators=[MinValueValidator(Decimal(0))])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("domaine de la convention")
        verbose_name_plural = _("domaines de la convention")
        ordering = ["convention", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["convention", "activity"], name="unique_convention_domain")]

    def __str__(self) -> str:
        return str(self.activity)


class Indicator(models.Model):
    domain = models.ForeignKey(ConventionDomain, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=50)
    yearly_target = models.DecimalField(_("objectif annuel"), max_digits=12, decimal_places=2,
                                        validators=[MinValueValidator(Decimal(0))])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["domain", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Amendment(models.Model):
    """A signed change to a convention: from ``effective_from`` on, new yearly amounts (and staff) for some
    domains, and possibly a new end date. Each amendment is a version; the first signature is version 0."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("avenant n°"))
    signed_on = models.DateField(_("signé le"))
    effective_from = models.DateField(_("en vigueur à partir du"))
    previous_ends_on = models.DateField(_("fin avant l'avenant"))
    ends_on = models.DateField(_("fin après l'avenant"))
    summary = models.TextField(_("objet de l'avenant"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["convention", "number"]
        constraints = [models.UniqueConstraint(fields=["convention", "number"], name="unique_amendment_number")]

    def __str__(self) -> str:
        return f"{self.convention.reference} — avenant {self.number}"


class AmendmentLine(models.Model):
    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="lines")
    domain = models.ForeignKey(ConventionDomain, on_delete=models.CASCADE, related_name="amendment_lines")
    yearly_amount = models.DecimalField(_("nouveau montant annuel"), **MONEY)  # type: ignore[arg-type]
    fte = models.DecimalField(_("nouveaux postes (ETP)"), max_digits=6, decimal_places=2,
                              validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["amendment", "domain__position"]
        constraints = [models.UniqueConstraint(fields=["amendment", "domain"], name="unique_amendment_line")]

    def __str__(self) -> str:
        return f"{self.domain}: {self.yearly_amount}"


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", _("Avance")
    BALANCE = "balance", _("Solde")


class ScheduledPayment(models.Model):
    """One line of a year's payment schedule; finance records when it is paid. Unpaid lines follow the
    convention (amendments, termination, the accepted financial statement); paid lines never change."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="payments")
    year = models.PositiveSmallIntegerField(_("exercice"))
    kind = models.CharField(_("nature"), max_length=10, choices=PaymentKind.choices)
    position = models.PositiveSmallIntegerField(_("n°"))
    due_on = models.DateField(_("échéance"))
    amount = models.DecimalField(_("montant"), **MONEY)  # type: ignore[arg-type]
    paid_on = models.DateField(_("payé le"), null=True, blank=True)
    payment_reference = models.CharField(_("référence du paiement"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["convention", "year", "due_on", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "year", "kind", "position"], name="unique_payment_line"),
        ]

    def __str__(self) -> str:
        return f"{self.convention.reference} {self.year} {self.get_kind_display()} {self.position}"


class ReportKind(models.TextChoices):
    ACTIVITY = "activity", _("Rapport d'activité")
    FINANCIAL = "financial", _("Décompte financier")


class ReportStatus(models.TextChoices):
    EXPECTED = "expected", _("Attendu")
    SUBMITTED = "submitted", _("Déposé")
    ACCEPTED = "accepted", _("Accepté")
    RETURNED = "returned", _("Renvoyé pour compléments")


class YearlyReport(Versioned):
    """The partner's activity report or financial statement for one year of a convention."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("exercice"))
    kind = models.CharField(_("type"), max_length=10, choices=ReportKind.choices)
    status = models.CharField(_("état"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.EXPECTED,
                              db_index=True)
    due_on = models.DateField(_("à remettre le"))
    narrative = models.TextField(_("commentaire"), blank=True)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    reviewed_at = models.DateTimeField(_("examiné le"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    officer_comment = models.TextField(_("remarques de l'agent"), blank=True)

    class Meta:
        verbose_name = _("rapport annuel")
        verbose_name_plural = _("rapports annuels")
        ordering = ["convention", "year", "kind"]
        constraints = [models.UniqueConstraint(fields=["convention", "year", "kind"], name="unique_yearly_report")]

    def __str__(self) -> str:
        return f"{self.convention.reference} — {self.get_kind_display()} {self.year}"


class IndicatorValue(models.Model):
    report = models.ForeignKey(YearlyReport, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(_("valeur atteinte"), max_digits=12, decimal_places=2,
                                validators=[MinValueValidator(Decimal(0))])
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        ordering = ["report", "indicator__domain__position", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="unique_indicator_value")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class DomainSpending(models.Model):
    """The amount spent on one domain in the year, as declared by the financial statement."""

    report = models.ForeignKey(YearlyReport, on_delete=models.CASCADE, related_name="spending")
    domain = models.ForeignKey(ConventionDomain, on_delete=models.CASCADE, related_name="spending")
    spent = models.DecimalField(_("dépenses éligibles"), **MONEY)  # type: ignore[arg-type]

    class Meta:
        ordering = ["report", "domain__position"]
        constraints = [models.UniqueConstraint(fields=["report", "domain"], name="unique_domain_spending")]

    def __str__(self) -> str:
        return f"{self.domain}: {self.spent}"


def report_document_path(instance: ReportDocument, filename: str) -> str:
    return (f"conventions/{instance.report.convention_id}/{instance.report.year}/{instance.report.kind}/"
            f"{timezone.now():%Y%m%d%H%M%S%f}.{instance.extension}")


class ReportDocument(models.Model):
    report = models.ForeignKey(YearlyReport, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("fichier"), upload_to=report_document_path, max_length=300)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("taille"), validators=[MinValueValidator(1)])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pièce du rapport")
        verbose_name_plural = _("pièces du rapport")
        ordering = ["report", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
