"""Comments on public items (news, good practices, events) and their moderation: pre-moderation for new accounts,
post-moderation for trusted ones, readers' reports (hidden at a threshold), hide / restore / reject with a reason
told to the author, blocked accounts with a justification, and a word filter. Comment bodies are plain text: they
are escaped wherever they are shown, never rendered as HTML."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.core.models import Versioned


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("En attente de modération")
    PUBLISHED = "published", _("Publié")
    HIDDEN = "hidden", _("Masqué")
    REJECTED = "rejected", _("Refusé")


class HeldBecause(models.TextChoices):
    """Why a comment waits for a moderator before (or again before) being shown."""

    NEW_ACCOUNT = "new_account", _("Nouveau compte : modération préalable")
    WORD_FILTER = "word_filter", _("Contient un mot filtré")
    REPORTS = "reports", _("Signalé par plusieurs lecteurs")


class Comment(Versioned):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments",
                               verbose_name=_("auteur"))
    body = models.TextField(_("commentaire"), max_length=4000)
    status = models.CharField(_("statut"), max_length=10, choices=CommentStatus.choices,
                              default=CommentStatus.PENDING)
    held_because = models.CharField(_("retenu parce que"), max_length=12, choices=HeldBecause.choices, blank=True)
    # The moderator's reason for hiding or rejecting, told to the author.
    reason = models.TextField(_("motif"), blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    report_count = models.PositiveIntegerField(_("signalements"), default=0)
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "status"]),
                   models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author} — {self.body[:60]}"


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("raison du signalement"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a moderator decides on the comment: a report counts until then.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["comment", "created_at"]
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader")]

    def __str__(self) -> str:
        return f"{self.reporter} → {self.comment_id}"


class AccountBlock(models.Model):
    """An account may not comment from ``starts_at`` to ``ends_at`` (or until lifted)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_blocks",
                             verbose_name=_("compte"))
    starts_at = models.DateTimeField(_("à partir du"), default=timezone.now)
    ends_at = models.DateTimeField(_("jusqu'au"))
    justification = models.TextField(_("justification"))
    blocked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    lifted_at = models.DateTimeField(_("levé le"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = _("blocage de compte")
        verbose_name_plural = _("blocages de comptes")
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="block_ends_after_start"),
            models.CheckConstraint(condition=~Q(justification=""), name="block_is_justified"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.ends_at:%Y-%m-%d}"


class FilteredWord(models.Model):
    """A word or expression that holds a comment for moderation (matched without regard to case or accents)."""

    word = models.CharField(_("mot ou expression"), max_length=100, unique=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mot filtré")
        verbose_name_plural = _("mots filtrés")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word
