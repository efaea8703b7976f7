"""The photo gallery of an event: officers upload photos (JPEG, PNG or WebP, checked by their content, never by
their name, and re-encoded without their metadata: no GPS position of a shelter leaks), each with a caption,
a credit and a text alternative — all three required — and reorder or delete them. The public sees the photos
of published events only; files are served through a view from Django's storage."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core import ordering
from subsidia.core.errors import Code, RuleViolation, Violation
from subsidia.core.uploads import PHOTOS, CheckedFile, check_upload, store
from subsidia.core.versions import locked

from .inputs import PhotoTexts
from .models import Event, EventStatus, Photo
from .services_staff import locked_event, require_officer

PHOTO_FIELDS = ["caption", "credit", "alt_text", "position", "content_type", "size"]
TEXT_FIELDS = {
    "caption": (300, _("La légende est obligatoire.")),
    "credit": (200, _("Le crédit photo est obligatoire (l'auteur ou la source).")),
    "alt_text": (300, _("Le texte alternatif est obligatoire : décrivez ce que montre la photo.")),
}


def check_image(upload: UploadedFile | None, field: str = "image") -> CheckedFile:
    """A photo (JPEG, PNG or WebP by its content), re-encoded upright without metadata; anything else is refused,
    whatever its name says."""
    if upload is None:
        raise RuleViolation.single(Code.REQUIRED, _("Choisissez une photo."), field)
    return check_upload(upload, PHOTOS, field)


def _texts(data: PhotoTexts, problems: list[Violation]) -> dict[str, str]:
    """The three texts with their spaces collapsed; each is required, within its length."""
    clean = {}
    for key, (limit, message) in TEXT_FIELDS.items():
        value = " ".join(str(getattr(data, key)).split())
        if not value:
            problems.append(Violation(Code.REQUIRED, message, key))
        elif len(value) > limit:
            problems.append(Violation(Code.TOO_LONG, _("%(n)s caractères au plus.") % {"n": limit}, key))
        clean[key] = value
    return clean


@transaction.atomic
def add_photo(actor: Actor, event: Event, upload: UploadedFile | None, data: PhotoTexts) -> Photo:
    require_officer(actor)
    event = locked_event(event)
    problems: list[Violation] = []
    texts = _texts(data, problems)
    checked = None
    try:
        checked = check_image(upload)
    except RuleViolation as error:
        problems.extend(error.violations)
    if problems or checked is None:
        raise RuleViolation(problems)
    position = (event.photos.aggregate(m=Max("position"))["m"] or 0) + 1
    photo = Photo(event=event, content_type=checked.content_type, size=checked.size, position=position,
                  uploaded_by=actor, **texts)
    store(photo, checked, f"photo.{checked.extension}", field="image")
    record(actor, "event_photo.create", photo, after=snapshot(photo, PHOTO_FIELDS))
    return photo


@transaction.atomic
def update_photo(actor: Actor, photo: Photo, data: PhotoTexts) -> Photo:
    require_officer(actor)
    photo = locked(Photo.objects.all(), photo, _("Photo introuvable."))
    problems: list[Violation] = []
    texts = _texts(data, problems)
    if problems:
        raise RuleViolation(problems)
    before = snapshot(photo, PHOTO_FIELDS)
    for key, value in texts.items():
        setattr(photo, key, value)
    photo.save()
    record(actor, "event_photo.update", photo, before=before, after=snapshot(photo, PHOTO_FIELDS))
    return photo


@transaction.atomic
def move_photo(actor: Actor, photo: Photo, up: bool) -> Photo:
    """Move a photo one place up or down in the gallery (positions renumbered 1, 2, 3…)."""
    require_officer(actor)
    locked_event(photo.event_id)
    siblings = Photo.objects.filter(event_id=photo.event_id).order_by("position", "pk")
    moved = ordering.move(siblings, photo, up=up)
    record(actor, "event_photo.move", moved, after={"position": moved.position})
    return moved


@transaction.atomic
def delete_photo(actor: Actor, photo: Photo) -> None:
    """Remove a photo; its file is deleted from the storage once the removal is committed."""
    require_officer(actor)
    photo = locked(Photo.objects.all(), photo, _("Photo introuvable."))
    record(actor, "event_photo.delete", photo, before=snapshot(photo, PHOTO_FIELDS))
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


def gallery_is_public(event: Event) -> bool:
    return event.status == EventStatus.PUBLISHED
