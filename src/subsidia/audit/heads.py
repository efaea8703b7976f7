"""The daily export of the audit chain's head, out of the database's reach.

A file per day in Django's storage (``AUDIT_HEAD_DIR``/YYYY-MM-DD.json, never overwritten: a second export
the same day gets the time in its name), holding the last record's id and hash and the number of records,
and an e-mail of the same to the auditors (``AUDIT_HEAD_RECIPIENTS``, by default the active accounts with
the auditor role). The database role cannot rewrite either; ``subsidia verify-audit --against FILE`` checks
that the chain in the database still passes through an exported head, which catches a chain rewritten
consistently from its first record.

Before exporting, the chain is verified against the latest export: a break is logged as an error, written in
the new file (``verified: false``, ``problem``) and the e-mail's subject says so.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role

from .chain import Head
from .verification import verify_chain

logger = logging.getLogger(__name__)


def head_dir() -> str:
    return str(getattr(settings, "AUDIT_HEAD_DIR", "audit-heads")).strip("/")


def exported_head_names() -> list[str]:
    """The exported head files in storage, oldest first (the names sort by date and time)."""
    directory = head_dir()
    try:
        _dirs, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(f"{directory}/{name}" for name in files if name.endswith(".json"))


def read_head(path_or_name: str) -> Head:
    """An exported head, from a file on disk or a name in Django's storage."""
    path = Path(path_or_name)
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        with default_storage.open(path_or_name, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    return Head.from_dict(data)


def latest_exported_head() -> tuple[str, Head] | None:
    names = exported_head_names()
    return (names[-1], read_head(names[-1])) if names else None


def recipients() -> list[str]:
    configured = [a for a in getattr(settings, "AUDIT_HEAD_RECIPIENTS", []) if a]
    if configured:
        return configured
    return sorted(set(User.objects.filter(is_active=True, role_grants__role=Role.AUDITOR)
                      .values_list("email", flat=True)))


def export_head() -> str:
    """Verify the chain, write its head to storage and e-mail it; return the stored file's name."""
    previous = latest_exported_head()
    verification = verify_chain(against=[previous[1]] if previous else [])
    now = timezone.now()
    payload: dict[str, Any] = {
        **verification.head.as_dict(),
        "exported_at": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "verified": verification.ok,
        "problem": str(verification.breaks[0]) if verification.breaks else None,
        "previous_export": previous[0] if previous else None,
    }
    content = json.dumps(payload, indent=2, sort_keys=True) + "\n"
    day = timezone.localdate(now).isoformat()
    name = f"{head_dir()}/{day}.json"
    if default_storage.exists(name):
        name = f"{head_dir()}/{day}T{timezone.localtime(now):%H%M%S}.json"
    # Storage never overwrites: should the name be taken after all, it picks another one.
    name = default_storage.save(name, ContentFile(content.encode("utf-8")))
    if not verification.ok:
        logger.error("audit chain broken: %s", verification.breaks[0])
    to = recipients()
    if to:
        state = "vérifiée" if verification.ok else "ALERTE : chaîne rompue"
        send_mail(
            subject=f"Subsidia — empreinte du journal d'audit du {day} ({state})",
            message=(
                "Empreinte quotidienne du journal d'audit de Subsidia. Conservez ce message : il permet de "
                "vérifier plus tard que le journal n'a pas été réécrit (subsidia verify-audit --against).\n\n"
                f"{content}"
            ),
            from_email=None,
            recipient_list=to,
        )
    return name
