"""Access-matrix rows of the comments and moderation pages, and of the public sign-up (see
core/tests/test_access_matrix.py).

Any signed-in reader writes and reports comments; the moderators (and the technical administrator) use the
moderation pages. Sign-up is public; a signed-in person is sent on to their dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from subsidia.core.tests.access import EVERYONE, SIGNED_IN, Row

MODERATORS = {"moderator", "admin"}


def _news(world: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "actualite", "pk": world["commented_news"].pk}


PAGES: dict[str, Row] = {
    "moderation:post": Row(SIGNED_IN, method="POST", ok=302, kwargs=_news,
                           data=lambda ctx: {"body": "Merci pour cette actualité.", "next": "/"}),
    "moderation:report": Row(SIGNED_IN, method="POST", ok=302,
                             kwargs=lambda w: {"pk": w["comment_published"].pk},
                             data=lambda ctx: {"reason": "Hors sujet"}),
    "moderation:queue": Row(MODERATORS),
    "moderation:decide": Row(MODERATORS, method="POST", ok=302, kwargs=lambda w: {"pk": w["comment_pending"].pk},
                             data=lambda ctx: {"action": "approve"}),
    "moderation:author": Row(MODERATORS, kwargs=lambda w: {"pk": w["comment_author"].pk}),
    "moderation:block": Row(MODERATORS, method="POST", ok=302, kwargs=lambda w: {"pk": w["comment_author"].pk},
                            data=lambda ctx: {"ends_at": (timezone.localtime() + timedelta(days=3))
                                              .strftime("%Y-%m-%dT%H:%M"),
                                              "justification": "Propos injurieux répétés."}),
    "moderation:blocks": Row(MODERATORS),
    "moderation:lift_block": Row(MODERATORS, method="POST", ok=302, kwargs=lambda w: {"pk": w["comment_block"].pk}),
    "moderation:words": Row(MODERATORS),
    "moderation:word_remove": Row(MODERATORS, method="POST", ok=302,
                                  kwargs=lambda w: {"pk": w["filtered_word"].pk}),
    "accounts:signup": Row(EVERYONE, overrides=dict.fromkeys(SIGNED_IN, 302)),
    "accounts:signup_done": Row(EVERYONE),
    "accounts:signup_activate": Row(EVERYONE, ok=302, kwargs=lambda w: {"token": w["activation_token"]}),
}
