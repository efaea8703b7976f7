"""The participants' export: CSV for Excel in French and XLSX, safe from formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from subsidia.accounts.models import User
from subsidia.events.export import as_csv, as_xlsx
from subsidia.events.models import BlockChoice, Event
from subsidia.organisations.models import Municipality

from .factories_staff import BlockFactory, RegistrationFactory, StaffEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> Event:
    event = StaffEventFactory.create()
    housing = BlockFactory.create(event=event, title="Logement abordable")
    plan = BlockFactory.create(event=event, title="Plan communal d'intégration")
    anne = RegistrationFactory.create(event=event, full_name="Anne Muller", email="anne@example.lu",
                                      organisation_name="Commune de Mersch",
                                      municipality=Municipality.objects.create(name="Mersch"))
    BlockChoice.objects.create(registration=anne, block=plan, rank=1, allocated=True)
    BlockChoice.objects.create(registration=anne, block=housing, rank=2)
    RegistrationFactory.create(event=event, full_name="=HYPERLINK(\"http://evil\")", email="x@example.lu",
                               organisation_name="+33 612", checked_in_at=None)
    return event


def test_csv_for_excel_in_french(event: Event) -> None:
    content = as_csv(event)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Nom", "E-mail"]
    anne = next(row for row in rows if row[0] == "Anne Muller")
    assert anne == ["Anne Muller", "anne@example.lu", "Commune de Mersch", "Mersch", "Confirmée",
                               "1. Plan communal d'intégration / 2. Logement abordable",
                               "Plan communal d'intégration", ""]
    assert "'=HYPERLINK" in content.decode("utf-8-sig")
    assert "'+33 612" in content.decode("utf-8-sig")


def test_xlsx_content(event: Event) -> None:
    sheet = load_workbook(io.BytesIO(as_xlsx(event))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Nom" and len(rows) == 3
    anne = next(r for r in rows if r[0] == "Anne Muller")
    assert anne[6] == "Plan communal d'intégration"
    evil = next(r for r in rows if str(r[0]).startswith("'"))
    assert evil[0].startswith("'=HYPERLINK") and evil[2] == "'+33 612"


def test_xlsx_drops_the_control_characters_a_registrant_typed(event: Event) -> None:
    RegistrationFactory.create(event=event, full_name="Bell\x07 Ringer", email="bell@example.lu",
                               organisation_name="\x1b[31mRouge")
    rows = list(load_workbook(io.BytesIO(as_xlsx(event))).active.iter_rows(values_only=True))
    bell = next(r for r in rows if str(r[0]).startswith("Bell"))
    assert bell[0] == "Bell Ringer" and bell[2] == "[31mRouge"


def test_export_views_are_downloads(event: Event, make_user: Callable[..., User], login: Callable[..., Client]) -> None:
    client = login(make_user("officer"))
    response = client.get(reverse("events:staff_export_csv", kwargs={"pk": event.pk}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    response = client.get(reverse("events:staff_export_xlsx", kwargs={"pk": event.pk}))
    assert response.status_code == 200 and response.content.startswith(b"PK")
