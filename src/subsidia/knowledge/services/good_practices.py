"""Writes on good practices: an officer writes them, attaches documents (checked by their content) and
moves them through their publication workflow (:data:`~subsidia.knowledge.workflow.GOOD_PRACTICES`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, RuleViolation
from subsidia.core.uploads import PUBLICATIONS, check_upload, store
from subsidia.core.versions import check_version, locked
from subsidia.knowledge.errors import KnowledgeError
from subsidia.knowledge.inputs import GoodPracticeInput
from subsidia.knowledge.models import GoodPractice, GoodPracticeAttachment
from subsidia.knowledge.workflow import ARCHIVED, GOOD_PRACTICES, PUBLISHED

from .common import NOT_FOUND, clean_rich, require_officer, save_input, unique_slug

PRACTICE_FIELDS = ["title", "slug", "summary", "body", "theme", "block", "event", "municipalities", "actors",
                   "other_actors", "results", "contact_name", "contact_email", "contact_phone", "state",
                   "published_at", "archived_at", "is_example", "version"]


def _checked(data: GoodPracticeInput) -> GoodPracticeInput:
    """The input with its body sanitised and its event taken from its block when it names none; a block of
    another event than the one named is refused."""
    event = data.event
    if data.block is not None:
        if event is None:
            event = data.block.event
        elif data.block.event_id != event.pk:
            raise RuleViolation.single(KnowledgeError.BLOCK_EVENT_MISMATCH,
                                       _("Ce bloc thématique appartient à un autre événement."), "block")
    return replace(data, body=clean_rich(data.body), event=event)


def _write(practice: GoodPractice, data: GoodPracticeInput) -> None:
    save_input(practice, data, skip=("municipalities", "actors"))
    practice.municipalities.set(data.municipalities)
    practice.actors.set(data.actors)


@transaction.atomic
def create_good_practice(actor: Actor, data: GoodPracticeInput) -> GoodPractice:
    """An officer writes a good practice; it starts as a draft, with an address made from its title."""
    require_officer(actor)
    data = _checked(data)
    practice = GoodPractice(created_by=actor, slug=unique_slug(GoodPractice, data.title))
    _write(practice, data)
    record(actor, "good_practice.create", practice, after=snapshot(practice, PRACTICE_FIELDS))
    return practice


@transaction.atomic
def update_good_practice(actor: Actor, practice: GoodPractice, data: GoodPracticeInput,
                         expected_version: int | None = None) -> GoodPractice:
    """Change a good practice (its address stays the same, so that links keep working)."""
    require_officer(actor)
    practice = locked(GoodPractice.objects.all(), practice, NOT_FOUND)
    check_version(practice, expected_version)
    data = _checked(data)
    before = snapshot(practice, PRACTICE_FIELDS)
    _write(practice, data)
    record(actor, "good_practice.update", practice, before=before, after=snapshot(practice, PRACTICE_FIELDS))
    return practice


def _practice_dates(practice: GoodPractice) -> None:
    """A published practice keeps its first publication date and is no longer archived."""
    now = timezone.now()
    if practice.state == PUBLISHED:
        practice.published_at = practice.published_at or now
        practice.archived_at = None
    elif practice.state == ARCHIVED:
        practice.archived_at = now


@transaction.atomic
def transition_good_practice(actor: Actor, practice: GoodPractice, name: str, *,
                             expected_version: int | None = None) -> GoodPractice:
    """Make the transition ``name`` of :data:`~subsidia.knowledge.workflow.GOOD_PRACTICES`: ``publish`` (listed
    on the public pages, the API and the search), ``archive`` (no longer listed, still readable by its address
    with an "archivé" notice), ``republish``, ``withdraw`` (back to draft, hidden until published again)."""
    practice = locked(GoodPractice.objects.all(), practice, NOT_FOUND)
    GOOD_PRACTICES.require(actor, practice, name)
    check_version(practice, expected_version)
    return GOOD_PRACTICES.move(actor, practice, name, audit_fields=PRACTICE_FIELDS, changes=_practice_dates)


@transaction.atomic
def add_attachment(actor: Actor, practice: GoodPractice, upload: UploadedFile,
                   title: str = "") -> GoodPracticeAttachment:
    """Attach a document to a good practice, checked by its content (PDF, office documents, presentations, images)."""
    require_officer(actor)
    practice = locked(GoodPractice.objects.all(), practice, NOT_FOUND)
    checked = check_upload(upload, PUBLICATIONS, "file")
    title = str(title or "").strip() or PurePath(upload.name or "").stem or _("Pièce jointe")
    if len(title) > 200:
        raise RuleViolation.single(Code.TOO_LONG, _("%(n)s caractères au plus.") % {"n": 200}, "title")
    attachment = GoodPracticeAttachment(practice=practice, title=title, content_type=checked.content_type,
                                        size=checked.size, uploaded_by=actor)
    store(attachment, checked, f"document.{checked.extension}")
    record(actor, "good_practice.attachment_add", practice,
           after={"attachment": attachment.pk, "title": title, "content_type": checked.content_type,
                  "size": checked.size})
    return attachment


@transaction.atomic
def delete_attachment(actor: Actor, attachment: GoodPracticeAttachment) -> None:
    """Remove an attachment; its file is deleted from the storage once the removal is committed."""
    require_officer(actor)
    attachment = locked(GoodPracticeAttachment.objects.all(), attachment, NOT_FOUND)
    stored = attachment.file
    name, storage = stored.name, stored.storage
    record(actor, "good_practice.attachment_delete", attachment.practice,
           before={"attachment": attachment.pk, "title": attachment.title, "file": name})
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)
