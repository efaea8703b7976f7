"""The photo gallery: images only (checked by content), caption, credit and alt text required; public for
published events."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import PermissionDenied, RuleViolation
from subsidia.core.tests import uploads_samples
from subsidia.events import gallery
from subsidia.events.inputs import PhotoTexts
from subsidia.events.models import EventStatus, Photo

from .factories_staff import JPEG, PNG, StaffEventFactory

pytestmark = pytest.mark.django_db

TEXTS = {"caption": "Les tables rondes", "credit": "Ministère",
         "alt_text": "Des personnes discutent autour d'une table"}


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer")


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def test_add_reorder_delete(officer: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    event = StaffEventFactory.create()
    first = gallery.add_photo(officer, event, _png(), PhotoTexts(**TEXTS))
    second = gallery.add_photo(officer, event, SimpleUploadedFile("b.jpg", JPEG, "image/jpeg"), PhotoTexts(**TEXTS))
    assert (first.content_type, second.content_type) == ("image/png", "image/jpeg")
    assert first.image.name.endswith(".png") and (first.position, second.position) == (1, 2)
    gallery.move_photo(officer, second, up=True)
    assert list(event.photos.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    storage, name = first.image.storage, first.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        gallery.delete_photo(officer, first)
    assert not storage.exists(name) and not Photo.objects.filter(pk=first.pk).exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("event_photo.create") == 2 and "event_photo.delete" in actions


@pytest.mark.parametrize("missing", ["caption", "credit", "alt_text"])
def test_texts_are_required(officer: User, missing: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        gallery.add_photo(officer, StaffEventFactory.create(), _png(), PhotoTexts(**{**TEXTS, missing: "   "}))
    assert [v.field for v in caught.value.violations] == [missing]
    assert not Photo.objects.exists()


def test_a_non_image_named_jpg_is_refused(officer: User) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4\n%not a photo\n", "image/jpeg")
    with pytest.raises(RuleViolation) as caught:
        gallery.add_photo(officer, StaffEventFactory.create(), fake, PhotoTexts(**TEXTS))
    assert caught.value.violations[0].code == "not_an_image"
    assert not Photo.objects.exists()


def test_only_officers_upload(make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        gallery.add_photo(make_user("moderator"), StaffEventFactory.create(), _png(), PhotoTexts(**TEXTS))


def test_upload_page_shows_clear_errors(officer: User, login: Callable[..., Client]) -> None:
    event = StaffEventFactory.create()
    client = login(officer)
    url = reverse("events:staff_photos", kwargs={"pk": event.pk})
    response = client.post(url, {"image": SimpleUploadedFile("x.jpg", b"GIF89a not really", "image/jpeg"),
                                 "caption": "", "credit": "", "alt_text": ""})
    body = response.content.decode()
    assert response.status_code == 422
    assert "Ce fichier n&#x27;est pas une photo" in body  # the template escapes the apostrophe
    assert "Le texte alternatif est obligatoire" in body and "Le crédit photo est obligatoire" in body
    assert "La légende est obligatoire." in body
    response = client.post(url, {"image": _png(), **TEXTS})
    assert response.status_code == 302 and Photo.objects.count() == 1


def test_public_gallery_and_files(officer: User, client: Client) -> None:
    event = StaffEventFactory.create()
    photo = gallery.add_photo(officer, event, _png(), PhotoTexts(**TEXTS))
    page = client.get(reverse("events:gallery", kwargs={"slug": event.slug}))
    body = page.content.decode()
    assert page.status_code == 200 and "<figure>" in body and "<figcaption>" in body and "Ministère" in body
    assert f'alt="{TEXTS["alt_text"]}"'.replace("'", "&#x27;") in body
    file_url = reverse("events:photo_file", kwargs={"slug": event.slug, "pk": photo.pk})
    response = client.get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    served = response.getvalue()
    assert served == photo.image.open("rb").read() and served.startswith(b"\x89PNG")
    event.status = EventStatus.DRAFT
    event.save()
    assert client.get(file_url).status_code == 404
    assert client.get(reverse("events:gallery", kwargs={"slug": event.slug})).status_code == 404


# --- uploads: photos re-encoded without metadata, archives and bombs refused ---------------------------------

def test_a_photo_with_its_gps_position_is_stored_upright_without_any_exif(officer: User) -> None:
    original = uploads_samples.jpeg_with_gps(size=(32, 16), orientation=6)
    photo = gallery.add_photo(officer, StaffEventFactory.create(), SimpleUploadedFile("foyer.jpg", original),
                              PhotoTexts(**TEXTS))
    with photo.image.open("rb") as handle:
        stored = handle.read()
    assert photo.content_type == "image/jpeg" and photo.size == len(stored) and stored != original
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and image.size == (16, 32)


def test_a_webp_photo_is_accepted(officer: User) -> None:
    upload = SimpleUploadedFile("photo.webp", uploads_samples.image("WEBP"), "image/webp")
    photo = gallery.add_photo(officer, StaffEventFactory.create(), upload, PhotoTexts(**TEXTS))
    assert photo.content_type == "image/webp" and photo.image.name.endswith(".webp")


@pytest.mark.parametrize("content, code", [
    (uploads_samples.odf("image/png"), "not_an_image"),
    (uploads_samples.odf(), "not_an_image"),
    (uploads_samples.png_bomb(), "image_too_large"),
], ids=["zip-claiming-png", "real-odt", "decompression-bomb"])
def test_the_page_refuses_a_fake_photo_clearly_and_stores_nothing(
        officer: User, login: Callable[..., Client], content: bytes, code: str) -> None:
    event = StaffEventFactory.create()
    url = reverse("events:staff_photos", kwargs={"pk": event.pk})
    response = login(officer).post(url, {"image": SimpleUploadedFile("photo.png", content, "image/png"), **TEXTS})
    body = response.content.decode()
    assert response.status_code == 422
    expected = "Ce fichier n&#x27;est pas une photo" if code == "not_an_image" else "Cette image est trop grande"
    assert expected in body
    assert not Photo.objects.exists()
