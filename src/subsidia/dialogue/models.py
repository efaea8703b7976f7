"""The regular dialogue between the ministry and the managers of its partner organisations: a meeting series
with its cadence, the meetings (agenda, attendance, minutes, decisions) and the action items followed from one
meeting to the next until they are done."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.core.models import Timestamped, Versioned
from subsidia.organisations.models import Organisation


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Chaque semaine")
    MONTHLY = "monthly", _("Chaque mois")
    BIMONTHLY = "bimonthly", _("Tous les deux mois")
    QUARTERLY = "quarterly", _("Chaque trimestre")
    HALF_YEARLY = "half_yearly", _("Chaque semestre")
    YEARLY = "yearly", _("Chaque année")


# Months between two meetings of each cadence (weekly is counted in days).
CADENCE_MONTHS = {Cadence.MONTHLY: 1, Cadence.BIMONTHLY: 2, Cadence.QUARTERLY: 3, Cadence.HALF_YEARLY: 6,
                  Cadence.YEARLY: 12}


class MeetingSeries(Versioned):
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("objet"), blank=True)
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meeting_series_held",
                                   verbose_name=_("ministère ou département"))
    organisations = models.ManyToManyField(Organisation, related_name="meeting_series",
                                           verbose_name=_("organisations participantes"))
    ministry_participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                                   verbose_name=_("participants du ministère"))
    cadence = models.CharField(_("rythme"), max_length=12, choices=Cadence.choices, default=Cadence.QUARTERLY)
    first_starts_at = models.DateTimeField(_("première réunion"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=120,
                                                        validators=[MinValueValidator(15), MaxValueValidator(720)])
    place = models.CharField(_("lieu habituel"), max_length=200, blank=True)
    online_url = models.URLField(_("lien de visioconférence habituel"), blank=True)
    is_active = models.BooleanField(_("en cours"), default=True)
    is_example = models.BooleanField(_("exemple"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("série de réunions")
        verbose_name_plural = _("séries de réunions")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    HELD = "held", _("Tenue")
    CANCELLED = "cancelled", _("Annulée")


class Meeting(Versioned, Timestamped):
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="meetings")
    # The n-th date of the series' cadence (None for a meeting added by hand); generation never creates the
    # same occurrence twice, so a meeting moved by an officer stays where it was put.
    occurrence = models.PositiveIntegerField(null=True, blank=True)
    # The iCalendar UID: the same event in every feed and invitation, whatever changes.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    online_url = models.URLField(_("lien de visioconférence"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    minutes = models.TextField(_("compte rendu"), blank=True)
    minutes_published_at = models.DateTimeField(_("compte rendu publié le"), null=True, blank=True)
    # iCalendar SEQUENCE: raised whenever the date, place or status changes, so calendars update the event.
    ical_sequence = models.PositiveIntegerField(default=0)
    invitations_sent_at = models.DateTimeField(_("invitations envoyées le"), null=True, blank=True)

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "occurrence"], condition=Q(occurrence__isnull=False),
                                    name="unique_meeting_occurrence"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.series.title} — {timezone.localtime(self.starts_at):%d/%m/%Y}"

    @property
    def minutes_published(self) -> bool:
        return self.minutes_published_at is not None


class AgendaItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposé")
    ACCEPTED = "accepted", _("Inscrit à l'ordre du jour")
    DECLINED = "declined", _("Non retenu")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(_("point"), max_length=200)
    description = models.TextField(_("précisions"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("proposé par"))
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("au nom de"))
    status = models.CharField(_("statut"), max_length=10, choices=AgendaItemStatus.choices,
                              default=AgendaItemStatus.PROPOSED)
    decline_reason = models.TextField(_("motif"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["meeting", "position", "created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Présent·e")
    EXCUSED = "excused", _("Excusé·e")
    ABSENT = "absent", _("Absent·e")


class Attendance(models.Model):
    """Who came: a person, for the ministry (no organisation) or for a participating organisation."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("organisation"))
    person_name = models.CharField(_("nom"), max_length=200)
    status = models.CharField(_("présence"), max_length=10, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.PRESENT)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        ordering = ["meeting", "organisation__name", "person_name"]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.get_status_display()})"


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("décision"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("À faire")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Fait")
    CANCELLED = "cancelled", _("Abandonné")


CLOSED_ACTION_STATUSES = frozenset({ActionStatus.DONE.value, ActionStatus.CANCELLED.value})


class ActionItem(Versioned):
    """A follow-up decided at a meeting; it is listed at every later meeting of the series until it is done
    (and once more, at the first meeting after it was closed)."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="action_items")
    raised_at = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="raised_actions",
                                  verbose_name=_("décidée lors de"))
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("précisions"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="action_items", verbose_name=_("responsable"))
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="action_items", verbose_name=_("organisation responsable"))
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action de suivi")
        verbose_name_plural = _("actions de suivi")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_ACTION_STATUSES


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a user's calendar subscription address (calendar apps cannot sign in).
    Regenerating it revokes the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("abonnement calendrier")
        verbose_name_plural = _("abonnements calendrier")

    def __str__(self) -> str:
        return f"{self.user}"


class InvitationEmail(models.Model):
    """A meeting invitation the worker sent: at most one per meeting, invitee and ``sequence`` (the meeting's
    iCalendar SEQUENCE when it was sent: a moved, relocated or cancelled meeting is sent again, an unchanged
    one never twice). The row is the claim, inserted in the transaction that sends the message."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations_sent")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user", "sequence"],
                                               name="one_invitation_email_per_meeting_version")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.user_id} {self.sequence}"
