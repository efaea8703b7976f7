"""The search index: one entry per public object (a published good practice, FAQ question, news item, event or
call, an organisation listed in the directory), kept up to date by :mod:`subsidia.search.signals` and rebuilt
by :func:`subsidia.search.index.rebuild`.

An entry keeps the object's text (for the snippets) and its Snowball French stems per field (for matching and
ranking, see :mod:`subsidia.search.text`). The database's full-text index sits beside it: an FTS5 table
``search_fts`` on SQLite, a weighted ``tsvector`` column ``vector`` with a GIN index on PostgreSQL (both created by
migration 0002, and filled by :mod:`subsidia.search.index`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchKind(models.TextChoices):
    # The order is the tie-break between equally ranked results of the same date.
    GOOD_PRACTICE = "good_practice", _("Bonne pratique")
    FAQ = "faq", _("Question fréquente")
    NEWS = "news", _("Actualité")
    EVENT = "event", _("Événement")
    CALL = "call", _("Appel à projets")
    ORGANISATION = "organisation", _("Organisme (annuaire)")


class SearchEntry(models.Model):
    kind = models.CharField(_("type"), max_length=20, choices=SearchKind.choices)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(_("titre"), max_length=300)
    summary = models.TextField(_("résumé"), blank=True)
    body = models.TextField(_("texte"), blank=True)
    # What the page's address is made of (see providers.py): the object's slug, and its parent's (FAQ topic).
    slug = models.CharField(max_length=200, blank=True)
    parent_slug = models.CharField(max_length=200, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(max_length=8, default="fr")
    is_example = models.BooleanField(_("exemple"), default=False)
    # Space-separated Snowball French stems of the title, the summary and the body, in order.
    title_stems = models.TextField(blank=True)
    summary_stems = models.TextField(blank=True)
    body_stems = models.TextField(blank=True)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("entrée de l'index de recherche")
        verbose_name_plural = _("index de recherche")
        ordering = ["kind", "object_id"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_search_entry_per_object")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.title}"
