"""The public knowledge base: good practices (by theme, block and municipality), the FAQ by topic and the news.

Rich text (bodies, answers) is sanitised with nh3 when saved by a service and again when shown."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.core.models import Timestamped, Versioned
from subsidia.events.models import Block, Event
from subsidia.organisations.models import Municipality, Organisation, Theme


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    ARCHIVED = "archived", _("Archivé")


class PublishedQuerySet(models.QuerySet):
    def published(self) -> PublishedQuerySet:
        return self.filter(state=PublicationState.PUBLISHED)


class GoodPractice(Timestamped, Versioned):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=200, unique=True)
    summary = models.TextField(_("résumé"), max_length=1000)
    body = models.TextField(_("description"), blank=True, help_text=_("Texte mis en forme (nettoyé)."))
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="good_practices",
                              verbose_name=_("thème"))
    block = models.ForeignKey(Block, on_delete=models.SET_NULL, null=True, blank=True, related_name="good_practices",
                              verbose_name=_("bloc thématique"))
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="good_practices",
                              verbose_name=_("présentée lors de"))
    municipalities = models.ManyToManyField(Municipality, blank=True, related_name="good_practices",
                                            verbose_name=_("communes"))
    actors = models.ManyToManyField(Organisation, blank=True, related_name="good_practices",
                                    verbose_name=_("acteurs impliqués"))
    other_actors = models.TextField(_("autres acteurs"), blank=True, help_text=_("Un acteur par ligne."))
    results = models.TextField(_("résultats"), blank=True)
    contact_name = models.CharField(_("personne de contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone de contact"), max_length=40, blank=True)
    state = models.CharField(_("publication"), max_length=10, choices=PublicationState.choices,
                             default=PublicationState.DRAFT)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)
    is_example = models.BooleanField(_("exemple"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)  # Timestamped's, with its verbose name

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bonne pratique")
        verbose_name_plural = _("bonnes pratiques")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def other_actor_list(self) -> list[str]:
        return [line.strip() for line in self.other_actors.splitlines() if line.strip()]


def attachment_upload_path(attachment: GoodPracticeAttachment, filename: str) -> str:
    return f"good-practices/{attachment.practice_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class GoodPracticeAttachment(models.Model):
    practice = models.ForeignKey(GoodPractice, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=attachment_upload_path, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["practice", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class FaqTopic(models.Model):
    name = models.CharField(_("thème"), max_length=150, unique=True)
    slug = models.SlugField(_("adresse"), max_length=150, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("rubrique de la FAQ")
        verbose_name_plural = _("rubriques de la FAQ")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class FaqQuestion(Versioned):
    topic = models.ForeignKey(FaqTopic, on_delete=models.PROTECT, related_name="questions",
                              verbose_name=_("rubrique"))
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("réponse"), help_text=_("Texte mis en forme (nettoyé)."))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    state = models.CharField(_("publication"), max_length=10, choices=PublicationState.choices,
                             default=PublicationState.DRAFT)
    # Changed when the question or its answer changes, not when it is merely re-ordered: what readers see.
    last_updated_on = models.DateField(_("mise à jour le"), default=timezone.localdate)
    is_example = models.BooleanField(_("exemple"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("question fréquente")
        verbose_name_plural = _("questions fréquentes")
        ordering = ["topic__position", "topic__name", "position", "pk"]

    def __str__(self) -> str:
        return self.question


class NewsTag(models.Model):
    name = models.CharField(_("mot-clé"), max_length=80, unique=True)
    slug = models.SlugField(_("adresse"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("mot-clé")
        verbose_name_plural = _("mots-clés")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NewsItem(Timestamped, Versioned):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=200, unique=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    summary = models.TextField(_("chapeau"), max_length=1000, blank=True)
    body = models.TextField(_("texte"), help_text=_("Texte mis en forme (nettoyé)."))
    tags = models.ManyToManyField(NewsTag, blank=True, related_name="news", verbose_name=_("mots-clés"))
    issuing_body = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="news", verbose_name=_("émetteur"))
    issuing_body_name = models.CharField(_("émetteur (autre)"), max_length=200, blank=True)
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="news",
                              verbose_name=_("événement annoncé"))
    state = models.CharField(_("publication"), max_length=10, choices=PublicationState.choices,
                             default=PublicationState.DRAFT)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    # A partner's news item waits for an officer: proposed for publication at this time.
    submitted_at = models.DateTimeField(_("proposé le"), null=True, blank=True)
    is_example = models.BooleanField(_("exemple"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def issuer(self) -> str:
        return self.issuing_body.name if self.issuing_body else self.issuing_body_name
