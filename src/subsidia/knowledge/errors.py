"""The error codes only the knowledge base answers (those every domain shares are
:class:`subsidia.core.errors.Code`), registered so that the API's error schema lists them."""

from __future__ import annotations

from enum import StrEnum

from subsidia.core.errors import error_codes


@error_codes
class KnowledgeError(StrEnum):
    # A good practice's thematic block belongs to another event than the one it names.
    BLOCK_EVENT_MISMATCH = "block_event_mismatch"
    # A FAQ topic still holds questions: it cannot be deleted.
    TOPIC_NOT_EMPTY = "topic_not_empty"
