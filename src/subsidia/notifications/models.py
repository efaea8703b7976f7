"""In-app notifications, and each user's choice of which of them also reach them by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    APPLICATION_SUBMITTED = "application_submitted", _("Une demande de subside est déposée")
    APPLICATION_STATE = "application_state", _("Une demande de mon organisation change d'état")
    INFORMATION_REQUESTED = "information_requested", _("Le ministère demande des informations")
    REVIEW_ASSIGNED = "review_assigned", _("Une évaluation m'est confiée")
    REVIEW_PENDING = "review_pending", _("Rappel : évaluation en attente")
    DECISION_TO_CONFIRM = "decision_to_confirm", _("Une décision attend une seconde signature")
    DECISION = "decision", _("Une décision est prise")
    PAYMENT = "payment", _("Un paiement est effectué")
    PAYMENT_DUE = "payment_due", _("Rappel : échéance de paiement")
    REPORT_DUE = "report_due", _("Rappel : rapport final à remettre")
    REPORT_SUBMITTED = "report_submitted", _("Un rapport final est déposé")
    CONVENTION = "convention", _("Une convention de mon organisation est signée, modifiée ou résiliée")
    CONVENTION_REPORT_DUE = "convention_report_due", _("Rappel : rapport annuel de convention à remettre")
    CONVENTION_REPORT_SUBMITTED = "convention_report_submitted", _("Un rapport annuel de convention est déposé")
    CONVENTION_REPORT_REVIEWED = "convention_report_reviewed", _("Un rapport annuel est accepté ou renvoyé")
    CONVENTION_PAYMENT = "convention_payment", _("Un paiement de convention est effectué")
    MEETING_INVITATION = "meeting_invitation", _("Invitation à une réunion du dialogue")
    AGENDA_ITEM_PROPOSED = "agenda_item_proposed", _("Un point est proposé à l'ordre du jour")
    MINUTES_PUBLISHED = "minutes_published", _("Le compte rendu d'une réunion est publié")
    ACTION_ITEM = "action_item", _("Une action de suivi m'est confiée")
    NEWS_SUBMITTED = "news_submitted", _("Un partenaire propose une actualité")
    NEWS_REVIEWED = "news_reviewed", _("Une actualité proposée est publiée ou renvoyée")
    COMMENT_MODERATION = "comment_moderation", _("Une décision de modération concerne mon commentaire ou mon "
                                                 "compte")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("lien"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Reminders carry a key, so that the daily job never sends the same reminder twice.
    dedupe_key = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                    name="unique_notification_key"),
        ]

    def __str__(self) -> str:
        return self.subject


class Preference(models.Model):
    """Whether notifications of one kind are also sent by e-mail (they are unless the user says no)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    by_email = models.BooleanField(_("par e-mail"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unique_notification_preference")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {self.by_email}"
