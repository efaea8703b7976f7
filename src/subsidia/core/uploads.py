"""Uploaded files are checked by their content (magic bytes), never by their name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _

from .errors import RuleViolation

# The types Subsidia accepts, by detected MIME type, with the extension stored files get.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "image/png": "png",
    "image/jpeg": "jpg",
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int


def _office_type(upload: UploadedFile) -> str | None:
    """Tell OOXML and ODF documents apart by the members of their zip archive."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in ALLOWED_TYPES else None
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if any(n.startswith("xl/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return None
    finally:
        upload.seek(0)
    return None


def detect_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not head:
        return None
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in {"application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"} \
            or head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    return mime


def check_upload(upload: UploadedFile, field: str = "file") -> CheckedFile:
    """Refuse a file that is too large or whose content is not an allowed type."""
    size = upload.size or 0
    if size == 0:
        raise RuleViolation.single("empty_file", _("Le fichier est vide."), field)
    if size > settings.UPLOAD_MAX_BYTES:
        limit_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise RuleViolation.single(
            "file_too_large", _("Le fichier dépasse la taille maximale de %(mb)s Mo.") % {"mb": limit_mb}, field
        )
    mime = detect_type(upload)
    if mime not in ALLOWED_TYPES:
        raise RuleViolation.single(
            "file_type_not_allowed",
            _("Ce type de fichier n'est pas accepté. Formats admis : PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG."),
            field,
        )
    return CheckedFile(content_type=mime, extension=ALLOWED_TYPES[mime], size=size)


def store(document: models.Model, upload: UploadedFile, name: str, field: str = "file") -> None:
    """Write the (already checked) upload through the storage API and save the row; if the row cannot be
    saved, the stored file is removed again, so that no orphan file is left behind."""
    stored = getattr(document, field)
    stored.save(name, upload, save=False)
    try:
        document.save()
    except Exception:
        stored.delete(save=False)
        raise
