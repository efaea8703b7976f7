"""Uploads are checked by their real content and only against the kinds each use accepts: archives by their
structure with every read bounded (zip bombs refused in a few MB of memory), images decoded with their pixels
bounded and re-encoded upright without metadata."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile
from pytest_django import Settings

from subsidia.core import uploads
from subsidia.core.errors import RuleViolation
from subsidia.core.uploads import DOCUMENTS, PDF_ONLY, PHOTOS, PUBLICATIONS, Accept, CheckedFile, check_upload

from . import uploads_samples as samples

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BOUNDED = 4 * 1024 * 1024  # what a check may allocate at its peak, whatever the archive inflates to


def upload(content: bytes, name: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


def refused(content: bytes, accept: Accept, name: str = "document.pdf") -> str:
    with pytest.raises(RuleViolation) as caught:
        check_upload(upload(content, name), accept)
    [violation] = caught.value.violations
    assert violation.field == "file" and violation.message
    return violation.code


def peak_while(check: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        check()
    except RuleViolation:
        pass
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A minimal ODT whose manifest inflates to 200 MB of zeros (about 200 KB on disk)."""
    return samples.with_bomb("META-INF/manifest.xml")


# --- zip bombs: refused, memory bounded ---------------------------------------------------------------

def test_a_zip_bomb_member_is_refused_by_its_declared_ratio_in_bounded_memory(bomb: bytes) -> None:
    assert len(bomb) < 400_000
    assert peak_while(lambda: check_upload(upload(bomb, "rapport.odt"), DOCUMENTS)) < BOUNDED
    assert refused(bomb, DOCUMENTS, "rapport.odt") == "archive_bomb"


def test_a_zip_bomb_is_never_inflated_even_when_the_limits_would_let_it_through(bomb: bytes,
                                                                                settings: Settings) -> None:
    """With the ratio and total limits lifted, the member is still read only up to its small cap."""
    settings.UPLOAD_ARCHIVE_MAX_RATIO = 10**9
    settings.UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_BYTES = 10**12
    assert peak_while(lambda: check_upload(upload(bomb, "rapport.odt"), DOCUMENTS)) < BOUNDED
    assert refused(bomb, DOCUMENTS, "rapport.odt") == "file_type_not_allowed"  # no manifest read: no ODF


def test_a_member_lying_about_its_size_is_refused_while_reading_in_bounded_memory(bomb: bytes) -> None:
    """Its headers declare 1000 bytes; it would inflate to 200 MB: the read stops at the declared size."""
    liar = samples.lie_about(bomb, "META-INF/manifest.xml", 1000)
    assert peak_while(lambda: check_upload(upload(liar, "rapport.odt"), DOCUMENTS)) < BOUNDED
    assert refused(liar, DOCUMENTS, "rapport.odt") == "archive_bomb"


def test_a_zip_bomb_as_the_mimetype_member_is_refused(bomb: bytes) -> None:
    mimetype_bomb = samples.with_bomb("mimetype", 20 * samples.MB)
    assert peak_while(lambda: check_upload(upload(mimetype_bomb, "rapport.odt"), DOCUMENTS)) < BOUNDED
    assert refused(mimetype_bomb, DOCUMENTS) == "archive_bomb"
    liar = samples.lie_about(mimetype_bomb, "mimetype", 40)
    # Its declared size passes the ratio check, and a deflated mimetype member makes no ODF: refused as a
    # plain zip, before anything is inflated.
    assert refused(liar, DOCUMENTS) == "file_type_not_allowed"


def test_a_zip_bomb_where_a_photo_is_expected_is_not_even_opened(bomb: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the archive was opened")

    monkeypatch.setattr(uploads.zipfile, "ZipFile", never)
    assert refused(bomb, PHOTOS, "photo.jpg") == "not_an_image"
    assert refused(bomb, PDF_ONLY) == "file_type_not_allowed"


def test_too_many_members_are_refused_before_the_directory_is_parsed(settings: Settings) -> None:
    settings.UPLOAD_ARCHIVE_MAX_MEMBERS = 5
    assert refused(samples.ooxml(extra_members=10), DOCUMENTS) == "archive_too_many_members"
    assert check_upload(upload(samples.ooxml(extra_members=2)), DOCUMENTS).content_type == uploads.DOCX


def test_a_total_uncompressed_size_over_the_limit_is_refused(settings: Settings) -> None:
    settings.UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_BYTES = 50_000
    assert refused(samples.ooxml(extra_members=3, extra_size=20_480), DOCUMENTS) == "archive_too_large"
    assert check_upload(upload(samples.ooxml(extra_members=1, extra_size=20_480)), DOCUMENTS)


def test_a_member_compressed_with_bzip2_is_refused() -> None:
    """zipfile inflates bzip2 and lzma without an output bound: office documents never use them."""
    assert refused(samples.bzip2_member(), DOCUMENTS) == "file_corrupt"


def test_the_upload_is_read_in_chunks_never_whole() -> None:
    class Guarded(io.BytesIO):
        largest = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            Guarded.largest = max(Guarded.largest, len(data))
            return data

    big_pdf = PDF + b"%" + b"x" * (5 * samples.MB) + b"\n%%EOF\n"
    big_docx = samples.ooxml(extra_members=5, extra_size=samples.MB)
    for content in (big_pdf, big_docx):
        file = SimpleUploadedFile("document", b"")
        file.file, file.size = Guarded(content), len(content)
        assert check_upload(file, DOCUMENTS)
        assert Guarded.largest <= 256 * 1024, Guarded.largest


def test_an_upload_larger_than_its_declared_size_is_measured_and_refused(settings: Settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    file = SimpleUploadedFile("document.pdf", PDF + b"%" * 2000)
    file.size = 10
    with pytest.raises(RuleViolation) as caught:
        check_upload(file, DOCUMENTS)
    assert caught.value.violations[0].code == "file_too_large"


# --- archives: recognised by their real structure ----------------------------------------------------------

@pytest.mark.parametrize("claimed", ["image/png", "image/jpeg", "application/pdf"])
def test_a_fake_odf_claiming_an_image_or_a_pdf_is_refused_as_a_photo_and_as_a_pdf(claimed: str) -> None:
    fake = samples.odf(claimed)
    assert refused(fake, PHOTOS, "photo.png") == "not_an_image"
    assert refused(fake, PDF_ONLY, "document.pdf") == "file_type_not_allowed"
    assert refused(fake, DOCUMENTS) == "file_type_not_allowed"
    assert uploads.detect_type(upload(fake)) == uploads.ZIP


@pytest.mark.parametrize("content, expected", [
    (samples.odf(), uploads.ODT),
    (samples.odf("application/vnd.oasis.opendocument.spreadsheet"), uploads.ODS),
    (samples.ooxml("docx"), uploads.DOCX),
    (samples.ooxml("xlsx"), uploads.XLSX),
], ids=["odt", "ods", "docx", "xlsx"])
def test_real_minimal_office_documents_are_accepted_where_documents_are(content: bytes, expected: str) -> None:
    checked = check_upload(upload(content, "document.bin"), DOCUMENTS)
    assert (checked.content_type, checked.extension) == (expected, uploads.EXTENSIONS[expected])
    assert checked.size == len(content) and checked.file.read() == content
    assert check_upload(upload(content), PUBLICATIONS).content_type == expected
    assert refused(content, PHOTOS) == "not_an_image"
    assert refused(content, PDF_ONLY) == "file_type_not_allowed"


@pytest.mark.parametrize("content, expected", [(samples.odf(samples.ODP), uploads.ODP),
                                               (samples.ooxml("pptx"), uploads.PPTX)], ids=["odp", "pptx"])
def test_presentations_are_accepted_only_as_knowledge_attachments(content: bytes, expected: str) -> None:
    assert check_upload(upload(content), PUBLICATIONS).content_type == expected
    assert refused(content, DOCUMENTS) == "file_type_not_allowed"


@pytest.mark.parametrize("content", [
    samples.plain_zip(),
    samples.odf(stored=False),                                   # mimetype deflated: not how ODF begins
    samples.odf(with_manifest=False),                            # no META-INF/manifest.xml
    samples.odf(manifest_type="application/vnd.oasis.opendocument.spreadsheet"),  # the two disagree
    samples.odf("application/vnd.oasis.opendocument.text-template"),
    samples.ooxml(main_part=False),                              # [Content_Types].xml names a missing part
    samples.ooxml(declared=False),                               # word/document.xml not declared as main part
    b"PK\x03\x04" + b"\x00" * 64,                                # not even a readable zip
], ids=["plain-zip", "deflated-mimetype", "no-manifest", "manifest-disagrees", "template", "no-main-part",
        "undeclared-main-part", "broken"])
def test_a_zip_that_is_not_a_real_office_document_is_refused(content: bytes) -> None:
    assert refused(content, DOCUMENTS, "document.docx") == "file_type_not_allowed"
    assert refused(content, PUBLICATIONS, "document.docx") == "file_type_not_allowed"


def test_a_pdf_only_field_takes_a_pdf_and_nothing_else() -> None:
    assert check_upload(upload(PDF), PDF_ONLY).content_type == uploads.PDF
    for content in (samples.odf(), samples.ooxml(), samples.image("PNG"), samples.image("JPEG")):
        assert refused(content, PDF_ONLY) == "file_type_not_allowed"


def test_refusals_name_the_formats_of_the_use() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_upload(upload(PDF), PHOTOS, "image")
    assert caught.value.violations[0].field == "image"
    assert "JPEG, PNG, WebP" in caught.value.violations[0].message
    with pytest.raises(RuleViolation) as caught:
        check_upload(upload(b"MZ\x90\x00" + b"\x00" * 64), DOCUMENTS)
    assert "PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG" in caught.value.violations[0].message


# --- images: decoded, bounded, re-encoded without metadata -------------------------------------------------

def test_a_jpeg_with_exif_gps_is_stored_without_any_exif_and_upright() -> None:
    original = samples.jpeg_with_gps(size=(32, 16), orientation=6)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the GPS position is there
        assert before.size == (32, 16)
    checked = check_upload(SimpleUploadedFile("foyer.jpg", original), PHOTOS)
    assert (checked.content_type, checked.extension) == ("image/jpeg", "jpg")
    stored = checked.file.read()
    assert checked.size == len(stored)
    assert b"Exif" not in stored and b"PhoneMaker" not in stored and b"rue des Roses" not in stored
    with Image.open(io.BytesIO(stored)) as after:
        assert after.format == "JPEG"
        assert not after.getexif() and "exif" not in after.info and "comment" not in after.info
        assert after.size == (16, 32)  # turned as the orientation said: the left (red) half is now on top
        red, blue = after.convert("RGB").getpixel((8, 4)), after.convert("RGB").getpixel((8, 28))
        assert isinstance(red, tuple) and isinstance(blue, tuple)
        assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]


@pytest.mark.parametrize("image_format, mime", [("PNG", "image/png"), ("WEBP", "image/webp"),
                                                ("JPEG", "image/jpeg")])
def test_photos_are_re_encoded_in_their_own_format(image_format: str, mime: str) -> None:
    original = samples.image(image_format, size=(5, 4))
    checked = check_upload(SimpleUploadedFile("x", original), PHOTOS)
    assert checked.content_type == mime and isinstance(checked, CheckedFile)
    with Image.open(checked.file) as stored:
        assert stored.format == image_format and stored.size == (5, 4)


def test_a_decompression_bomb_png_is_refused_before_it_is_decoded() -> None:
    bomb = samples.png_bomb()
    assert len(bomb) < 2000
    assert peak_while(lambda: check_upload(SimpleUploadedFile("bombe.png", bomb), PHOTOS)) < BOUNDED
    with pytest.raises(RuleViolation) as caught:
        check_upload(SimpleUploadedFile("bombe.png", bomb), PHOTOS)
    assert caught.value.violations[0].code == "image_too_large"
    assert "40 millions de pixels" in caught.value.violations[0].message
    assert Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS <= 40_000_000


def test_the_pixel_limit_is_a_setting(settings: Settings) -> None:
    settings.UPLOAD_IMAGE_MAX_PIXELS = 100
    assert refused(samples.image("PNG", size=(20, 20)), PHOTOS) == "image_too_large"
    assert check_upload(upload(samples.image("PNG", size=(10, 10))), PHOTOS)


def test_an_image_accepted_as_a_document_is_re_encoded_too() -> None:
    original = samples.jpeg_with_gps()
    checked = check_upload(upload(original, "scan.jpg"), DOCUMENTS)
    assert checked.content_type == "image/jpeg" and b"Exif" not in checked.file.read()


@pytest.mark.parametrize("content", [
    samples.image("PNG", size=(64, 64))[:-30],  # truncated
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x08" * 64,
], ids=["truncated-png", "png-header-only", "jpeg-header-only"])
@pytest.mark.parametrize("pillow_lenient", [False, True], ids=["pillow-default", "after-weasyprint-import"])
def test_a_broken_image_is_refused(content: bytes, pillow_lenient: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on when imported: uploads are decoded strictly anyway."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", pillow_lenient)
    assert refused(content, PHOTOS) == "image_corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is pillow_lenient


def test_an_empty_file_is_refused() -> None:
    assert refused(b"", DOCUMENTS) == "empty_file"
