"""The comment workflow table, tested exhaustively: every act from every status, by a moderator, an administrator
and people who are not moderators, through the service that applies it."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest

from subsidia.accounts.models import User
from subsidia.core.errors import Conflict, PermissionDenied
from subsidia.moderation import services, workflow
from subsidia.moderation.models import CommentStatus
from subsidia.organisations.models import Organisation

from .factories import CommentFactory

EXPECTED = {
    # (act, from status): to status; anything not listed is refused.
    ("approve", "pending"): "published",
    ("hide", "published"): "hidden",
    ("restore", "hidden"): "published",
    ("keep", "published"): "published",
    ("reject", "pending"): "rejected",
    ("reject", "hidden"): "rejected",
}
ACTS = ["approve", "hide", "restore", "reject", "keep"]


def test_the_table_is_what_the_rules_say() -> None:
    table = {(t.name, source): t.target for t in workflow.COMMENTS if t.roles for source in t.sources}
    assert table == EXPECTED
    assert workflow.COMMENTS["reports"].roles == frozenset()
    assert workflow.COMMENTS["reports"].sources == {"published"}
    assert workflow.COMMENTS["reports"].target == "hidden"
    assert {t.name for t in workflow.COMMENTS if t.reason_required} == {"hide", "reject"}


@pytest.mark.parametrize("status", CommentStatus.values)
def test_acts_offered_per_status(status: str) -> None:
    moderator = SimpleNamespace(roles=frozenset({"moderator"}))
    assert {t.name for t in workflow.COMMENTS.available_to(moderator, status)} == {
        a for (a, s) in EXPECTED if s == status}


@pytest.mark.parametrize("role", ["moderator", "admin"])
@pytest.mark.parametrize("status", CommentStatus.values)
@pytest.mark.parametrize("act", ACTS)
def test_every_act_from_every_status(act: str, status: str, role: str, make_user: Callable[..., User]) -> None:
    moderator = make_user(role)
    comment = CommentFactory.create(status=status)
    assert (act in {t.name for t in workflow.COMMENTS.available_to(moderator, status)}) == ((act, status) in EXPECTED)
    if (act, status) in EXPECTED:
        done = services.moderate(moderator, comment, act, "Motif de test")
        assert done.status == EXPECTED[(act, status)]
        assert done.version == 2
    else:
        with pytest.raises(Conflict):
            services.moderate(moderator, comment, act, "Motif de test")
        comment.refresh_from_db()
        assert comment.status == status and comment.version == 1


@pytest.mark.parametrize("role", [None, "partner_member", "officer", "reviewer", "approver", "finance", "auditor"])
@pytest.mark.parametrize("act", ACTS)
def test_only_moderators_act(act: str, role: str | None, make_user: Callable[..., User], org_a: Organisation) -> None:
    person = make_user(role, organisation=org_a if role == "partner_member" else None)
    source = next(s for (a, s) in EXPECTED if a == act)
    comment = CommentFactory.create(status=source)
    assert act not in {t.name for t in workflow.COMMENTS.available_to(person, source)}
    with pytest.raises(PermissionDenied):
        services.moderate(person, comment, act, "Motif")
    comment.refresh_from_db()
    assert comment.status == source


def test_unknown_act_is_refused(make_user: Callable[..., User]) -> None:
    from subsidia.core.errors import RuleViolation

    with pytest.raises(RuleViolation):
        services.moderate(make_user("moderator"), CommentFactory.create(status="pending"), "reports")
