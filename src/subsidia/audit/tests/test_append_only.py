from collections.abc import Callable

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from subsidia.accounts.models import User
from subsidia.audit.models import AppendOnlyError, AuditEvent
from subsidia.audit.services import record, snapshot
from subsidia.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_user: Callable[..., User]) -> AuditEvent:
    officer = make_user("officer")
    organisation = OrganisationFactory.create(name="Avant")
    return record(officer, "organisation.update", organisation, before={"name": "Avant"}, after={"name": "Après"})


def test_record_keeps_who_what_when_and_values(event: AuditEvent) -> None:
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is not None and event.actor_label == event.actor.email
    assert event.object_type == "organisations.organisation"
    assert event.changes == [("name", "Avant", "Après")]
    assert event.occurred_at is not None


def test_model_refuses_update_and_delete(event: AuditEvent) -> None:
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_queryset_refuses_bulk_update_and_delete(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET action = 'tampered'",
    "DELETE FROM audit_auditevent",
])
def test_database_refuses_raw_update_and_delete(event: AuditEvent, statement: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.update"


def test_admin_offers_no_add_change_or_delete(event: AuditEvent, make_user: Callable[..., User]) -> None:
    request = RequestFactory().get("/admin/")
    request.user = make_user("admin")
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


def test_snapshot_is_json_ready_and_includes_many_to_many() -> None:
    organisation = OrganisationFactory.create()
    data = snapshot(organisation, ["name", "themes", "created_at"])
    assert set(data) == {"name", "themes", "created_at"}
    assert data["themes"] == []
    assert isinstance(data["created_at"], str)
