"""Events the department organises (national conferences, side events on site or online): the programme of
sessions grouped in thematic blocks or tables, public registration with a waiting list, the ranked allocation of
blocks or tables within their capacity, check-in, and what comes after (evaluation, report, photos).

Registration data is personal data: it is deleted ``retention_days`` after the event (the counts stay)."""

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
from subsidia.organisations.models import Municipality, Organisation, Theme


def _allocation_seed() -> str:
    return secrets.token_hex(8)


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    CANCELLED = "cancelled", _("Annulé")


class Event(Versioned, Timestamped):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=200, unique=True)
    summary = models.TextField(_("résumé"), max_length=1000)
    description = models.TextField(_("description"), blank=True, help_text=_("Texte mis en forme (nettoyé)."))
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Luxembourg")
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    address = models.CharField(_("adresse du lieu"), max_length=300, blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="events", verbose_name=_("commune"))
    online_url = models.URLField(_("lien de participation en ligne"), blank=True)
    organisers = models.ManyToManyField(Organisation, related_name="events_organised", blank=True,
                                        verbose_name=_("organisateurs"))
    partners = models.ManyToManyField(Organisation, related_name="events_partnered", blank=True,
                                      verbose_name=_("partenaires"))
    themes = models.ManyToManyField(Theme, related_name="events", blank=True, verbose_name=_("thèmes"))
    audience = models.CharField(_("public visé"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("nombre de places"), null=True, blank=True,
                                           help_text=_("Vide : pas de limite."))
    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("clôture des inscriptions"), null=True, blank=True)
    registration_enabled = models.BooleanField(_("inscription en ligne"), default=True)
    # How many blocks or tables each registrant is given (e.g. two rounds of speed tables).
    blocks_per_person = models.PositiveSmallIntegerField(_("blocs ou tables par personne"), default=1,
                                                         validators=[MinValueValidator(1), MaxValueValidator(6)])
    status = models.CharField(_("statut"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT)
    retention_days = models.PositiveIntegerField(
        _("conservation des inscriptions (jours après l'événement)"), default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)])
    registration_data_deleted_at = models.DateTimeField(_("données d'inscription supprimées le"), null=True,
                                                        blank=True)
    # Counts kept after the registrations are deleted (and for past events recorded by hand).
    participant_count = models.PositiveIntegerField(_("nombre de participants"), null=True, blank=True)
    # The lottery that orders registrants for the allocation of blocks: public, so anyone can re-run it.
    allocation_seed = models.CharField(_("graine du tirage"), max_length=32, default=_allocation_seed)
    allocated_at = models.DateTimeField(_("répartition faite le"), null=True, blank=True)
    evaluation_sent_at = models.DateTimeField(_("questionnaire envoyé le"), null=True, blank=True)
    evaluation_report = models.TextField(_("rapport d'évaluation"), blank=True)
    evaluation_published_at = models.DateTimeField(_("rapport publié le"), null=True, blank=True)
    ical_sequence = models.PositiveIntegerField(default=0)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_example = models.BooleanField(_("exemple"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.place

    @property
    def is_hybrid(self) -> bool:
        return bool(self.online_url) and bool(self.place)


class BlockKind(models.TextChoices):
    BLOCK = "block", _("Bloc thématique")
    TABLE = "table", _("Table")


class Block(models.Model):
    """A thematic block or a table: what registrants rank, each with its own capacity."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="blocks")
    kind = models.CharField(_("type"), max_length=8, choices=BlockKind.choices, default=BlockKind.BLOCK)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("nombre de places"), null=True, blank=True,
                                           help_text=_("Vide : pas de limite."))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("bloc thématique ou table")
        verbose_name_plural = _("blocs thématiques et tables")
        ordering = ["event", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """A moment of the programme: a presentation, a round of speed tables, a break."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    block = models.ForeignKey(Block, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions",
                              verbose_name=_("bloc ou table"))
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    speakers = models.TextField(_("intervenants"), blank=True, help_text=_("Une personne par ligne."))
    room = models.CharField(_("salle"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    capacity = models.PositiveIntegerField(_("nombre de places"), null=True, blank=True,
                                           help_text=_("Vide : pas de limite."))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("programme")
        ordering = ["event", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmée")
    WAITLISTED = "waitlisted", _("Liste d'attente")
    CANCELLED = "cancelled", _("Annulée")


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    # Identifies the registration in signed links (cancellation, check-in, certificate) and in the .ics.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="event_registrations")
    full_name = models.CharField(_("nom et prénom"), max_length=200)
    email = models.EmailField(_("adresse e-mail"))
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("commune"))
    accessibility_needs = models.TextField(_("besoins d'accessibilité"), blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    status = models.CharField(_("statut"), max_length=10, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # Order of the waiting list (who is promoted first): the time the person joined it.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(_("passé de la liste d'attente le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("présence enregistrée le"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    # Place in the lottery of the allocation (1 = first to choose), and the sessions chosen.
    lottery_position = models.PositiveIntegerField(_("rang au tirage"), null=True, blank=True)
    sessions = models.ManyToManyField(Session, blank=True, related_name="registrations",
                                      verbose_name=_("sessions choisies"))
    evaluation_invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            # One live registration per e-mail address and event (a cancelled one may be followed by another).
            models.UniqueConstraint(fields=["event", "email"], condition=~Q(status="cancelled"),
                                    name="one_live_registration_per_email"),
        ]
        indexes = [models.Index(fields=["event", "status", "waitlisted_at"])]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.event}"

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None


class BlockChoice(models.Model):
    """One of a registrant's ranked preferences (rank 1 = most wanted) and whether the allocation gave it."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="choices")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField(_("rang"), validators=[MinValueValidator(1)])
    allocated = models.BooleanField(_("attribué"), default=False)

    class Meta:
        verbose_name = _("choix de bloc ou de table")
        verbose_name_plural = _("choix de blocs ou de tables")
        ordering = ["registration", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "block"], name="one_choice_per_block"),
            models.UniqueConstraint(fields=["registration", "rank"], name="one_block_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.block}"


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Note de 1 à 5")
    CHOICE = "choice", _("Choix dans une liste")
    TEXT = "text", _("Réponse libre")


class EvaluationQuestion(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="evaluation_questions")
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("type de réponse"), max_length=8, choices=QuestionKind.choices,
                            default=QuestionKind.RATING)
    options = models.TextField(_("choix proposés"), blank=True, help_text=_("Un choix par ligne."))
    required = models.BooleanField(_("obligatoire"), default=False)

    class Meta:
        verbose_name = _("question d'évaluation")
        verbose_name_plural = _("questionnaire d'évaluation")
        ordering = ["event", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class EvaluationResponse(models.Model):
    """One attendee's answers. Anonymous once the registrations are deleted (the link is cut, answers stay)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="evaluation_responses")
    registration = models.OneToOneField(Registration, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="evaluation_response")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("réponse au questionnaire")
        verbose_name_plural = _("réponses au questionnaire")
        ordering = ["event", "submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.event} — {self.submitted_at:%Y-%m-%d}"


class EvaluationAnswer(models.Model):
    response = models.ForeignKey(EvaluationResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(EvaluationQuestion, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    choice = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.question}: {self.rating or self.choice or self.text[:40]}"


def photo_upload_path(photo: Photo, filename: str) -> str:
    return f"events/{photo.event_id}/photos/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class Photo(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_upload_path, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    caption = models.CharField(_("légende"), max_length=300)
    credit = models.CharField(_("crédit photo"), max_length=200)
    alt_text = models.CharField(_("texte alternatif"), max_length=300,
                                help_text=_("Ce que montre la photo, pour les personnes qui ne la voient pas."))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["event", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="photo_has_alt_text"),
            models.CheckConstraint(condition=~Q(credit=""), name="photo_has_credit"),
            models.CheckConstraint(condition=~Q(caption=""), name="photo_has_caption"),
        ]

    def __str__(self) -> str:
        return self.caption


class RegistrationEmail(models.Model):
    """An e-mail the worker sent to a registrant: at most one per registration, purpose and version.

    The row is the claim (inserted in the transaction that sends the message, see ``mailing.send_once``): a re-run
    of the job finds it and sends nothing. ``version`` tells apart e-mails of the same purpose that are meant
    to go again (the allocation's result after each run of the allocation); empty when there is only one."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="emails_sent")
    purpose = models.CharField(max_length=20)
    version = models.CharField(max_length=32, blank=True, default="")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "purpose", "version"],
                                               name="one_registration_email_per_purpose_and_version")]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.purpose} {self.version}".strip()
