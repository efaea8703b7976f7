"""Uploaded files are checked by their content, never by their name, and only against the kinds that the upload
use accepts (``PHOTOS`` for a gallery, ``DOCUMENTS`` for supporting documents, ...).

- The upload is read in chunks (its real size counted, its first bytes sniffed), never whole into memory.
- An office document is a zip archive: it is recognised by its real structure, ODF (a first member ``mimetype``
  stored uncompressed naming an ODF text, spreadsheet or presentation, and ``META-INF/manifest.xml`` saying the
  same) or OOXML (``[Content_Types].xml`` declaring the main part ``word/document.xml``, ``xl/workbook.xml`` or
  ``ppt/presentation.xml``, which is there). Any other zip, whatever its ``mimetype`` member says, is a plain zip
  and refused. Before anything is inflated, the central directory is bounded (member count) and every member's
  declared sizes are checked (compression ratio, total uncompressed size); only the few members that tell the
  type are read, in small chunks, with a cap of a few hundred KiB, the inflated bytes counted while reading.
- An image is decoded (its pixel count bounded before decoding: a decompression bomb is refused) and re-encoded
  in its own format, upright (the EXIF orientation applied) and without any metadata (EXIF, GPS, XMP,
  comments); the re-encoded file is the one stored.
"""

from __future__ import annotations

import re
import struct
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .errors import RuleViolation

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
ZIP = "application/zip"  # a zip that is no office document: recognised, never accepted

# The extension stored files get, and the name people know the format by.
EXTENSIONS = {PDF: "pdf", ODT: "odt", ODS: "ods", ODP: "odp", DOCX: "docx", XLSX: "xlsx", PPTX: "pptx",
              PNG: "png", JPEG: "jpg", WEBP: "webp"}
LABELS = {PDF: "PDF", ODT: "ODT", ODS: "ODS", ODP: "ODP", DOCX: "DOCX", XLSX: "XLSX", PPTX: "PPTX",
          PNG: "PNG", JPEG: "JPEG", WEBP: "WebP"}
ODF_TYPES = frozenset({ODT, ODS, ODP})
# OOXML: the main part and the content type [Content_Types].xml must give it.
OOXML_MAIN_PARTS = {
    DOCX: ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    XLSX: ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    PPTX: ("ppt/presentation.xml",
           "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
ARCHIVE_TYPES = ODF_TYPES | frozenset(OOXML_MAIN_PARTS)
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP"}


@dataclass(frozen=True)
class Accept:
    """The kinds of file one upload use accepts, and the error code of a refused kind."""

    types: tuple[str, ...]
    code: str = "file_type_not_allowed"

    @property
    def formats(self) -> str:
        return ", ".join(LABELS[t] for t in self.types)

    def refusal(self, field: str) -> RuleViolation:
        if self.code == "not_an_image":
            message = _("Ce fichier n'est pas une photo. Formats admis : %(formats)s.")
        else:
            message = _("Ce type de fichier n'est pas accepté ici. Formats admis : %(formats)s.")
        return RuleViolation.single(self.code, message % {"formats": self.formats}, field)


# What each upload use accepts.
PHOTOS = Accept((JPEG, PNG, WEBP), code="not_an_image")                      # events: gallery photos
DOCUMENTS = Accept((PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG))                   # applications, reports, organisations
PUBLICATIONS = Accept((PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG, JPEG))     # knowledge: good-practice attachments
PDF_ONLY = Accept((PDF,))                                                    # a field that takes a PDF only

HEAD_BYTES = 8192
UPLOAD_CHUNK = 64 * 1024
READ_CHUNK = 16 * 1024
RATIO_GRACE_BYTES = 100 * 1024     # a member this small may compress as well as it likes
MIMETYPE_CAP = 128                 # the longest ODF mimetype has 46 characters
XML_CAP = 256 * 1024               # [Content_Types].xml, META-INF/manifest.xml: a few KiB in real documents
CENTRAL_DIRECTORY_BYTES_PER_MEMBER = 512
EOCD = struct.Struct("<4s4H2LH")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")

# Pillow refuses to open larger images itself (DecompressionBombError from twice this), and check_upload
# refuses any image above the setting before decoding it.
Image.MAX_IMAGE_PIXELS = settings.UPLOAD_IMAGE_MAX_PIXELS
# WeasyPrint sets Pillow's global ImageFile.LOAD_TRUNCATED_IMAGES on import (for the decision letters): an upload
# is decoded with it off, under this lock, so that a truncated image is refused whatever was imported before.
_STRICT_DECODING = threading.Lock()


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    file: File  # what is stored: the upload itself, or for an image its clean re-encoded copy


def _bomb(field: str) -> RuleViolation:
    return RuleViolation.single("archive_bomb", _(
        "Ce document se décompresse de façon anormale (bombe de décompression) : il est refusé."), field)


def _corrupt(field: str) -> RuleViolation:
    return RuleViolation.single("file_corrupt", _(
        "Ce document est endommagé ou illisible : enregistrez-le à nouveau puis déposez-le."), field)


# --- reading the upload -----------------------------------------------------------------------------

def _measure(upload: UploadedFile, field: str) -> tuple[int, bytes]:
    """The real size and the first bytes of the upload, read chunk by chunk (refused once over the limit)."""
    size, head = 0, b""
    # File.chunks, not InMemoryUploadedFile.chunks, which yields the whole content as one chunk.
    for chunk in File.chunks(upload, UPLOAD_CHUNK):
        if len(head) < HEAD_BYTES:
            head += chunk[:HEAD_BYTES - len(head)]
        size += len(chunk)
        if size > settings.UPLOAD_MAX_BYTES:
            raise _too_large(field)
    upload.seek(0)
    return size, head


def _too_large(field: str) -> RuleViolation:
    limit_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    return RuleViolation.single(
        "file_too_large", _("Le fichier dépasse la taille maximale de %(mb)s Mo.") % {"mb": limit_mb}, field)


# --- archives ---------------------------------------------------------------------------------------

def _check_directory(upload: IO[bytes], size: int, field: str) -> None:
    """Bound the central directory before zipfile parses it: its member count and its size, from the end of
    central directory record (and the ZIP64 one, which zipfile would believe instead)."""
    max_members = settings.UPLOAD_ARCHIVE_MAX_MEMBERS
    start = max(0, size - (EOCD.size + 0xFFFF))
    upload.seek(start)
    tail = upload.read(size - start)  # 64 KiB at most
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < EOCD.size:
        raise zipfile.BadZipFile("no end of central directory")
    _sig, _disk, _disk_cd, _here, entries, directory_size, _offset, _comment = EOCD.unpack_from(tail, position)
    locator = position - ZIP64_LOCATOR.size
    if locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
        record = locator - ZIP64_EOCD.size
        if record < 0 or tail[record:record + 4] != b"PK\x06\x06":
            raise zipfile.BadZipFile("ZIP64 record out of reach")
        fields = ZIP64_EOCD.unpack_from(tail, record)
        entries, directory_size = max(entries, fields[7]), max(directory_size, fields[8])
    if entries > max_members or directory_size > max_members * CENTRAL_DIRECTORY_BYTES_PER_MEMBER:
        raise RuleViolation.single("archive_too_many_members", _(
            "Ce document contient trop de fichiers internes (%(n)s au plus).") % {"n": max_members}, field)


def _check_members(infos: list[zipfile.ZipInfo], field: str) -> None:
    """Refuse, from the declared sizes, a member that inflates too much and an archive too large once inflated."""
    max_members = settings.UPLOAD_ARCHIVE_MAX_MEMBERS
    if len(infos) > max_members:
        raise RuleViolation.single("archive_too_many_members", _(
            "Ce document contient trop de fichiers internes (%(n)s au plus).") % {"n": max_members}, field)
    if len({info.filename for info in infos}) != len(infos):
        raise _corrupt(field)  # two members of the same name: readers would not agree on the content
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise RuleViolation.single("file_encrypted", _(
                "Ce document est chiffré : déposez-le sans mot de passe."), field)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _corrupt(field)  # office documents are stored or deflated; bzip2/lzma would inflate unbounded
        if _ratio_too_high(info.file_size, info.compress_size):
            raise _bomb(field)
        total += info.file_size
        if total > settings.UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_BYTES:
            raise RuleViolation.single("archive_too_large", _(
                "Ce document dépasse %(mb)s Mo une fois décompressé : il est refusé.")
                % {"mb": settings.UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}, field)


def _ratio_too_high(inflated: int, compressed: int) -> bool:
    return inflated > RATIO_GRACE_BYTES and inflated > settings.UPLOAD_ARCHIVE_MAX_RATIO * max(compressed, 1)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, field: str) -> bytes | None:
    """At most ``cap`` bytes of a member, read in chunks; None if it declares more (then it is no part that
    tells the type). The inflated bytes are counted while reading: more than declared, than the cap, or too
    many for the compressed bytes consumed, and the archive is refused."""
    if info.file_size > cap:
        return None
    out = bytearray()
    with archive.open(info) as member:
        try:
            while True:
                chunk = member.read(min(READ_CHUNK, cap + 1 - len(out)))
                if not chunk:
                    break
                out += chunk
                consumed = info.compress_size - int(getattr(member, "_compress_left", 0))
                if len(out) > cap or len(out) > info.file_size or _ratio_too_high(len(out), consumed):
                    raise _bomb(field)
        except zipfile.BadZipFile:
            if int(getattr(member, "_compress_left", 0)) > 0:
                raise _bomb(field) from None  # its declared size reached, compressed data is left: it lies
            raise
    return bytes(out)


_TAG = re.compile(rb"<(?:[\w.-]+:)?(file-entry|Override)\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""(?:[\w.-]+:)?([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _tags(xml: bytes, name: bytes) -> list[dict[bytes, bytes]]:
    """The attributes of each ``name`` element (namespace prefixes dropped), without an XML parser: nothing is
    expanded, so a crafted entity cannot grow."""
    found = []
    for match in _TAG.finditer(xml):
        if match.group(1) == name:
            found.append({m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
                          for m in _ATTRIBUTE.finditer(match.group(2))})
    return found


def _odf_type(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], field: str) -> str | None:
    first = infos[0]
    if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED or first.header_offset != 0:
        return None
    declared = (_read_member(archive, first, MIMETYPE_CAP, field) or b"").decode("ascii", "replace")
    manifest = next((i for i in infos if i.filename == "META-INF/manifest.xml"), None)
    if declared not in ODF_TYPES or manifest is None:
        return None
    xml = _read_member(archive, manifest, XML_CAP, field) or b""
    root = [entry.get(b"media-type") for entry in _tags(xml, b"file-entry") if entry.get(b"full-path") == b"/"]
    return declared if root == [declared.encode()] else None


def _ooxml_type(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], field: str) -> str | None:
    by_name = {info.filename.lower(): info for info in infos}
    types = by_name.get("[content_types].xml")
    if types is None or "_rels/.rels" not in by_name:
        return None
    xml = _read_member(archive, types, XML_CAP, field) or b""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, which the standard allows
        xml = xml.decode("utf-16", "replace").encode()
    overrides = {(o.get(b"PartName") or b"").lower(): o.get(b"ContentType") for o in _tags(xml, b"Override")}
    for mime, (part, content_type) in OOXML_MAIN_PARTS.items():
        if part in by_name and overrides.get(f"/{part}".encode()) == content_type.encode():
            return mime
    return None


def _archive_type(upload: UploadedFile, size: int, field: str) -> str:
    """ODT, ODS, ODP, DOCX, XLSX or PPTX by the archive's real structure; ZIP for any other zip."""
    try:
        _check_directory(upload, size, field)
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if not infos:
                return ZIP
            _check_members(infos, field)
            return _odf_type(archive, infos, field) or _ooxml_type(archive, infos, field) or ZIP
    except zipfile.BadZipFile as error:
        if "CRC" in str(error):
            raise _corrupt(field) from error
        return ZIP  # no readable zip: not an office document
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError, struct.error):
        return ZIP
    finally:
        upload.seek(0)


# --- images -----------------------------------------------------------------------------------------

@contextmanager
def _strict_pillow() -> Iterator[None]:
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _clean_image(upload: UploadedFile, mime: str, field: str) -> File:
    """Decode the image (its pixels bounded first) and re-encode it upright, without any metadata."""
    image_format = IMAGE_FORMATS[mime]
    max_pixels = settings.UPLOAD_IMAGE_MAX_PIXELS
    too_large = RuleViolation.single("image_too_large", _(
        "Cette image est trop grande : %(mp)s millions de pixels au plus. Réduisez-la puis déposez-la.")
        % {"mp": max_pixels // 1_000_000}, field)
    upload.seek(0)
    try:
        with _STRICT_DECODING, _strict_pillow(), Image.open(upload, formats=[image_format]) as image:
            if image.width * image.height > max_pixels:
                raise too_large
            image.load()
            keep: dict[str, Any] = {}
            if image.info.get("icc_profile"):  # colours, not metadata
                keep["icc_profile"] = image.info["icc_profile"]
            if image_format == "PNG" and "transparency" in image.info:
                keep["transparency"] = image.info["transparency"]
            upright = ImageOps.exif_transpose(image)
            upright.info = {}
            if image_format in ("JPEG", "WEBP"):
                keep["quality"] = 90
            buffer = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 (returned)
            upright.save(buffer, format=image_format, **keep)
    except Image.DecompressionBombError as error:
        raise too_large from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError,
            TypeError, KeyError, ZeroDivisionError) as error:
        raise RuleViolation.single("image_corrupt", _(
            "Cette image est endommagée ou illisible : enregistrez-la à nouveau puis déposez-la."), field) from error
    finally:
        upload.seek(0)
    clean = File(buffer, name=f"image.{EXTENSIONS[mime]}")
    clean.size = buffer.tell()
    buffer.seek(0)
    return clean


# --- the check --------------------------------------------------------------------------------------

def detect_type(upload: UploadedFile, field: str = "file") -> str | None:
    """The type of the upload by its content (an archive by its structure); None when unknown."""
    size, head = _measure(upload, field)
    return _detect(upload, size, head, field)


def _detect(upload: UploadedFile, size: int, head: bytes, field: str) -> str | None:
    if not head:
        return None
    if head.startswith(b"PK"):
        return _archive_type(upload, size, field)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def check_upload(upload: UploadedFile, accept: Accept = DOCUMENTS, field: str = "file") -> CheckedFile:
    """Refuse a file that is empty, too large or not of a kind ``accept`` takes; an image is re-encoded."""
    if (upload.size or 0) > settings.UPLOAD_MAX_BYTES:
        raise _too_large(field)
    size, head = _measure(upload, field)
    if size == 0:
        raise RuleViolation.single("empty_file", _("Le fichier est vide."), field)
    if head.startswith(b"PK") and not ARCHIVE_TYPES & set(accept.types):
        raise accept.refusal(field)  # no archive is opened where no office document is expected
    mime = _detect(upload, size, head, field)
    if mime is None or mime not in accept.types:
        raise accept.refusal(field)
    if mime in IMAGE_FORMATS:
        clean = _clean_image(upload, mime, field)
        return CheckedFile(content_type=mime, extension=EXTENSIONS[mime], size=clean.size, file=clean)
    upload.seek(0)
    return CheckedFile(content_type=mime, extension=EXTENSIONS[mime], size=size, file=upload)


def store(document: models.Model, checked: CheckedFile, name: str, field: str = "file") -> None:
    """Write the checked file (for an image, its re-encoded copy) through the storage API and save the row; if
    the row cannot be saved, the stored file is removed again, so that no orphan file is left behind."""
    stored = getattr(document, field)
    checked.file.seek(0)
    stored.save(name, checked.file, save=False)
    try:
        document.save()
    except Exception:
        stored.delete(save=False)
        raise

