"""The person a page acts for: a signed-in user, never an anonymous visitor passed on to a service."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from subsidia.accounts.actors import signed_in
from subsidia.accounts.models import User


def test_an_anonymous_visitor_is_refused_rather_than_passed_on() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in(request)


@pytest.mark.django_db
def test_the_signed_in_person_is_the_actor() -> None:
    request = RequestFactory().get("/")
    user = User.objects.create_user(email="agent@example.lu", password="x" * 16)
    request.user = user
    assert signed_in(request) is user
