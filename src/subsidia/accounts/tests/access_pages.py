"""Access-matrix rows of the account pages on credentials (see core/tests/test_access_matrix.py): one's own
API tokens, and the administrators' care of other accounts."""

from __future__ import annotations

from typing import Any

from subsidia.accounts.models import ApiToken
from subsidia.core.tests.access import SIGNED_IN, Row


def _token_of_registered(world: dict[str, Any]) -> dict[str, Any]:
    """A token of the person without a role, made in the test's own savepoint (undone after it)."""
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(user=world["people"]["registered"], name="matrice",
                                    digest=ApiToken.digest_of(raw), hint=raw[:10])
    return {"pk": token.pk}


PAGES: dict[str, Row] = {
    "accounts:api_tokens": Row(SIGNED_IN),
    # Its owner revokes it and is sent back to the list; anyone else's answer hides it (404).
    "accounts:api_token_revoke": Row(SIGNED_IN, method="POST", ok=404, overrides={"registered": 302},
                                     kwargs=_token_of_registered),
    "accounts:user_list": Row({"admin"}),
    "accounts:user_security": Row({"admin"}, kwargs=lambda w: {"pk": w["people"]["officer"].pk}),
    "accounts:two_factor_reset": Row({"admin"}, method="POST", ok=302,
                                     kwargs=lambda w: {"pk": w["people"]["officer"].pk}),
    "accounts:role_revoke": Row({"admin"}, method="POST", ok=302,
                                kwargs=lambda w: {"pk": w["people"]["officer"].pk, "role": "officer"}),
}
