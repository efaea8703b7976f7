"""Subsidy calls and the applications filed to them, from draft to final report.

The workflow of an application is declared as data in :mod:`subsidia.grants.workflow`; every change
goes through :mod:`subsidia.grants.services`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.core.models import Timestamped, Versioned
from subsidia.organisations.models import Organisation


class DeliverableType(models.TextChoices):
    EVENT = "event", _("Événement ponctuel")
    BROCHURE = "brochure", _("Brochure ou publication")
    EXHIBITION = "exhibition", _("Exposition")
    VIDEO = "video", _("Vidéo")
    TRAINING = "training", _("Formation ou atelier")
    WEBSITE = "website", _("Site web ou outil numérique")
    OTHER = "other", _("Autre réalisation")


class ApplicationDocumentKind(models.TextChoices):
    DESCRIPTION = "description", _("Description du projet")
    BUDGET = "budget", _("Budget prévisionnel")
    ANSWER = "answer", _("Réponse à une question de l'appel")
    FINAL_REPORT = "final_report", _("Rapport final")
    ACTUAL_BUDGET = "actual_budget", _("Décompte final")
    ANNEX = "annex", _("Annexe")


class Call(Versioned, Timestamped):
    """An "appel à projets": its rules are data, so officers change a call without a developer."""

    programme = models.CharField(_("programme"), max_length=200)
    year = models.PositiveSmallIntegerField(_("année"), validators=[MinValueValidator(2000),
                                                                    MaxValueValidator(2100)])
    title = models.CharField(_("titre"), max_length=200)
    text = models.TextField(_("texte de l'appel"), blank=True)
    eligible_legal_forms = models.JSONField(_("formes juridiques éligibles"), default=list, blank=True)
    min_lead_weeks = models.PositiveSmallIntegerField(
        _("délai minimal de dépôt (semaines)"), default=6, validators=[MaxValueValidator(104)],
        help_text=_("Une demande doit être déposée au moins ce nombre de semaines avant le début du projet."),
    )
    required_document_kinds = models.JSONField(_("documents obligatoires"), default=list, blank=True)
    deliverable_types = models.JSONField(_("types de réalisations"), default=list, blank=True)
    opens_on = models.DateField(_("ouverture"), null=True, blank=True)
    closes_on = models.DateField(
        _("clôture"), null=True, blank=True, help_text=_("Laisser vide pour un appel permanent (au fil de l'eau).")
    )
    budget = models.DecimalField(_("enveloppe budgétaire"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal(0))])
    committed = models.DecimalField(_("montant engagé"), max_digits=12, decimal_places=2, default=Decimal(0))
    is_published = models.BooleanField(_("publié"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")
        ordering = ["-year", "title"]
        constraints = [
            # The envelope can never go negative: what is committed stays within the budget.
            models.CheckConstraint(condition=models.Q(committed__gte=0) & models.Q(committed__lte=models.F("budget")),
                                   name="call_committed_within_budget"),
            models.CheckConstraint(condition=models.Q(closes_on__isnull=True) | models.Q(opens_on__isnull=True)
                                   | models.Q(closes_on__gte=models.F("opens_on")), name="call_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_rolling(self) -> bool:
        return self.closes_on is None

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed

    def is_open(self, on: object = None) -> bool:
        day = on or timezone.localdate()
        return bool(
            self.is_published
            and (self.opens_on is None or self.opens_on <= day)  # type: ignore[operator]
            and (self.closes_on is None or day <= self.closes_on)  # type: ignore[operator]
        )


class Priority(models.Model):
    """One of a call's yearly priorities, e.g. the political participation of non-nationals."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(_("priorité"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("priorité")
        verbose_name_plural = _("priorités")
        ordering = ["call", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """A review criterion with its weight; reviewers score it from 0 to 5."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("critère"), max_length=200)
    help_text = models.TextField(_("explication"), blank=True)
    weight = models.PositiveSmallIntegerField(_("pondération"), default=1, validators=[MinValueValidator(1),
                                                                                       MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("critère d'évaluation")
        verbose_name_plural = _("critères d'évaluation")
        ordering = ["call", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Texte")
    NUMBER = "number", _("Nombre")
    CHOICE = "choice", _("Choix")
    DATE = "date", _("Date")
    FILE = "file", _("Fichier")


class Question(models.Model):
    """An extra question of a call, shown only when an earlier answer has a given value."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("identifiant"), max_length=60)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.TextField(_("explication"), blank=True)
    kind = models.CharField(_("type de réponse"), max_length=10, choices=QuestionKind.choices,
                            default=QuestionKind.TEXT)
    choices = models.JSONField(_("choix possibles"), default=list, blank=True)
    required = models.BooleanField(_("obligatoire"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    shown_if_question = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="dependent_questions",
        verbose_name=_("affichée si la question"),
    )
    shown_if_value = models.CharField(_("a la réponse"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("question de l'appel")
        verbose_name_plural = _("questions de l'appel")
        ordering = ["call", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "key"], name="unique_question_key")]

    def __str__(self) -> str:
        return self.label

    def is_shown(self, answers: dict[str, object]) -> bool:
        """Whether the question applies, given the answers so far."""
        if self.shown_if_question_id is None:
            return True
        parent = self.shown_if_question
        assert parent is not None
        return parent.is_shown(answers) and str(answers.get(parent.key, "")) == self.shown_if_value


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    ELIGIBILITY = "eligibility", _("Examen de l'éligibilité")
    MORE_INFORMATION_REQUESTED = "more_information_requested", _("Informations demandées")
    INELIGIBLE = "ineligible", _("Non éligible")
    UNDER_REVIEW = "under_review", _("En évaluation")
    APPROVED = "approved", _("Accordée")
    REJECTED = "rejected", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")
    IN_PROGRESS = "in_progress", _("En cours")
    REPORTING = "reporting", _("Rapport final déposé")
    CLOSED = "closed", _("Clôturée")


class Application(Versioned, Timestamped):
    """A "demande de subside" filed by an organisation to a call."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    reference = models.CharField(_("référence"), max_length=30, unique=True)
    title = models.CharField(_("titre du projet"), max_length=200)
    summary = models.TextField(_("résumé"), blank=True)
    description = models.TextField(_("description"), blank=True)
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="applications", verbose_name=_("priorité visée"))
    deliverable_types = models.JSONField(_("réalisations"), default=list, blank=True)
    activity_domain = models.ForeignKey(
        "organisations.ActivityDomain", on_delete=models.PROTECT, null=True, blank=True,
        related_name="applications", verbose_name=_("domaine d'activité"),
        help_text=_("Le domaine que le projet finance : le ministère vérifie qu'une convention ne le finance "
                    "pas déjà sur la même période."),
    )
    start_date = models.DateField(_("début du projet"), null=True, blank=True)
    end_date = models.DateField(_("fin du projet"), null=True, blank=True)
    requested_amount = models.DecimalField(_("montant demandé"), max_digits=12, decimal_places=2, null=True, blank=True,
                                           validators=[MinValueValidator(Decimal("0.01"))])
    answers = models.JSONField(_("réponses aux questions de l'appel"), default=dict, blank=True)
    state = models.CharField(_("état"), max_length=30, choices=State.choices, default=State.DRAFT, db_index=True)
    information_request = models.TextField(_("informations demandées"), blank=True)
    ineligibility_reasons = models.JSONField(_("motifs de non-éligibilité"), default=list, blank=True)
    first_submitted_on = models.DateField(_("date de dépôt"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    report_due_on = models.DateField(_("rapport final attendu le"), null=True, blank=True)
    # Optimistic locking (Versioned): every write bumps the version; a write based on an older one is refused.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("demande de subside")
        verbose_name_plural = _("demandes de subside")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def lines(self, stage: str = "planned") -> list[BudgetLine]:
        return [line for line in self.budget_lines.all() if line.stage == stage]

    def totals(self, stage: str = "planned") -> dict[str, Decimal]:
        lines = self.lines(stage)
        expenses = sum((line.amount for line in lines if line.kind == BudgetLine.Kind.EXPENSE), Decimal(0))
        incomes = sum((line.amount for line in lines if line.kind == BudgetLine.Kind.INCOME), Decimal(0))
        return {"expenses": expenses, "incomes": incomes}

    def current_documents(self) -> list[ApplicationDocument]:
        """The latest version of each document (kind and, for answers, question)."""
        latest: dict[tuple[str, str], ApplicationDocument] = {}
        for document in sorted(self.documents.all(), key=lambda d: (d.version, d.pk)):
            latest[(document.kind, document.question_key)] = document
        return sorted(latest.values(), key=lambda d: (d.kind, d.question_key))


class BudgetLine(models.Model):
    class Kind(models.TextChoices):
        EXPENSE = "expense", _("Dépense")
        INCOME = "income", _("Autre recette")

    class Stage(models.TextChoices):
        PLANNED = "planned", _("Prévisionnel")
        ACTUAL = "actual", _("Réalisé")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.PLANNED)
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal(0))])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        ordering = ["application", "stage", "kind", "position", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_line_not_negative")]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"


def application_document_path(instance: ApplicationDocument, filename: str) -> str:
    return (f"applications/{instance.application_id}/{instance.kind}/"
            f"v{instance.version}-{timezone.now():%Y%m%d%H%M%S}.{instance.extension}")


class ApplicationDocument(models.Model):
    """A supporting document; a new upload of the same kind is a new version, the old ones are kept."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type de document"), max_length=20, choices=ApplicationDocumentKind.choices)
    question_key = models.CharField(max_length=60, blank=True)
    version = models.PositiveIntegerField(default=1)
    file = models.FileField(_("fichier"), upload_to=application_document_path, max_length=300)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("taille"), validators=[MinValueValidator(1)])
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pièce justificative")
        verbose_name_plural = _("pièces justificatives")
        ordering = ["application", "kind", "question_key", "-version"]
        constraints = [models.UniqueConstraint(fields=["application", "kind", "question_key", "version"],
                                               name="unique_document_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class EligibilityCheck(models.Model):
    """One run of the eligibility rules, with each rule's result and message."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="eligibility_checks")
    run_at = models.DateTimeField(default=timezone.now)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    passed = models.BooleanField()
    results = models.JSONField(default=list)

    class Meta:
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application.reference} · {self.run_at:%Y-%m-%d %H:%M}"


class StateChange(models.Model):
    """The history of an application's states, shown to the partner and the officers."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="state_changes")
    transition = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, choices=State.choices)
    to_state = models.CharField(max_length=30, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.from_state} → {self.to_state}"


class Recommendation(models.TextChoices):
    FUND = "fund", _("Financer")
    FUND_WITH_CONDITIONS = "fund_with_conditions", _("Financer sous conditions")
    DO_NOT_FUND = "do_not_fund", _("Ne pas financer")


class Review(models.Model):
    """A reviewer's assignment to an application, then their scores and recommendation."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("À faire")
        CONFLICT = "conflict", _("Conflit d'intérêts déclaré")
        SUBMITTED = "submitted", _("Remise")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    conflict_note = models.TextField(_("nature du conflit d'intérêts"), blank=True)
    recommendation = models.CharField(_("recommandation"), max_length=30, choices=Recommendation.choices,
                                      blank=True)
    comment = models.TextField(_("avis"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        ordering = ["application", "assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="unique_reviewer")]

    def __str__(self) -> str:
        return f"{self.application.reference} · {self.reviewer}"

    def weighted_score(self) -> Decimal | None:
        """The weighted average of this review's scores (0 to 5), or None before submission."""
        scores = list(self.scores.all())
        total_weight = sum(score.criterion.weight for score in scores)
        if self.status != self.Status.SUBMITTED or not total_weight:
            return None
        total = sum((Decimal(score.score) * score.criterion.weight for score in scores), Decimal(0))
        return (total / Decimal(total_weight)).quantize(Decimal("0.01"))


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("note"), validators=[MaxValueValidator(5)])
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        ordering = ["review", "criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="unique_score"),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="score_at_most_five"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Decision(models.Model):
    """The approver's decision; above the four-eyes threshold a second approver confirms it."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Accord")
        REJECTED = "rejected", _("Refus")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("décision"), max_length=10, choices=Outcome.choices)
    granted_amount = models.DecimalField(_("montant accordé"), max_digits=12, decimal_places=2, default=Decimal(0),
                                         validators=[MinValueValidator(Decimal(0))])
    conditions = models.TextField(_("conditions"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    letter = models.FileField(_("lettre de décision"), upload_to="decisions/", max_length=300, blank=True)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        constraints = [
            models.CheckConstraint(condition=models.Q(granted_amount__gte=0), name="granted_not_negative"),
            models.CheckConstraint(condition=models.Q(confirmed_by__isnull=True)
                                   | ~models.Q(confirmed_by=models.F("decided_by")), name="four_eyes"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.get_outcome_display()}"

    @property
    def is_final(self) -> bool:
        return self.confirmed_at is not None


class Tranche(models.Model):
    """One payment of the schedule set by the decision; finance records when it is paid."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tranches")
    position = models.PositiveSmallIntegerField(_("tranche"))
    due_on = models.DateField(_("échéance"))
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    paid_on = models.DateField(_("payée le"), null=True, blank=True)
    payment_reference = models.CharField(_("référence du paiement"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("tranche de paiement")
        verbose_name_plural = _("tranches de paiement")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="unique_tranche_position"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="tranche_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} · {self.position}"


class FinalReport(models.Model):
    """What the partner reports at the end: deliverables, narrative; actual budget lines and documents
    hang on the application (stage "actual", kinds final_report / actual_budget)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="final_report")
    deliverables = models.TextField(_("réalisations"))
    narrative = models.TextField(_("bilan"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_comment = models.TextField(_("remarques de l'agent"), blank=True)

    class Meta:
        verbose_name = _("rapport final")
        verbose_name_plural = _("rapports finaux")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self._meta.verbose_name}"
