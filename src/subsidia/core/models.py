"""Abstract models every domain shares: when a record was made and changed, and the version that optimistic
locking compares (:mod:`subsidia.core.versions`). Abstract, so no table of their own."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils import timezone


class Timestamped(models.Model):
    """``created_at`` (set once, from the clock the tests can freeze) and ``updated_at`` (each save)."""

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A ``version`` raised by one in the database at each change (see :func:`save_bumped`)."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def save_bumped(self, update_fields: list[str] | None = None) -> None:
        """Save with the version raised by one in the database (no lost update), and read the values back."""
        self.version = F("version") + 1
        if update_fields is not None:
            update_fields = [*update_fields, "version"]
        self.save(update_fields=update_fields)
        self.refresh_from_db()
