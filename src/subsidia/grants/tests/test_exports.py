"""Exports of the officers' queue: the builders, and the export pages with the queue's filters."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.conftest import sign_in
from subsidia.grants import exports
from subsidia.grants.models import Application, Review, Score, State

from .factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_xlsx_builder_keeps_types_and_never_writes_formulas() -> None:
    content = exports.to_xlsx(exports.headers(), [[
        "2026-0001", "Appel", "=1+1", "Titre\x07", "Déposée", "", Decimal("6000.00"), date(2026, 5, 1), None,
        date(2026, 3, 1), "Rita", Decimal("3.50")]])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == exports.headers()
    row = sheet[2]
    assert row[2].value == "'=1+1" and row[2].data_type == "s"
    assert row[3].value == "Titre"  # control characters that XLSX forbids are dropped
    assert row[6].value == 6000 and isinstance(row[6].value, int | float)
    assert row[7].value.date() == date(2026, 5, 1)
    assert row[11].value == 3.5


def _world(make_user: Callable[..., User]) -> tuple[Application, Application]:
    call = CallFactory.create(title="Appel 2026")
    matched = ApplicationFactory.create(call=call, title="=HYPERLINK(\"http://evil\")", state=State.UNDER_REVIEW,
                                        requested_amount=Decimal("6000.00"), first_submitted_on=date(2026, 2, 1))
    other = ApplicationFactory.create(call=call, title="Autre projet", state=State.SUBMITTED)
    reviewer = make_user("reviewer", full_name="Rita Reviewer")
    review = Review.objects.create(application=matched, reviewer=reviewer, status=Review.Status.SUBMITTED,
                                   recommendation="fund", submitted_at=timezone.now())
    for criterion, score in zip(call.criteria.all(), (5, 1), strict=True):
        Score.objects.create(review=review, criterion=criterion, score=score)
    return matched, other


def test_csv_export_matches_the_filtered_queue(make_user: Callable[..., User]) -> None:
    matched, other = _world(make_user)
    client = sign_in(Client(), make_user("officer"))
    response = client.get(reverse("grants:queue_export", kwargs={"fmt": "csv"}), {"state": "under_review"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv(response.content)
    assert header == exports.headers()
    assert len(rows) == 1
    row = rows[0]
    assert row[0] == matched.reference and row[1] == "Appel 2026"
    assert row[3] == "'=HYPERLINK(\"http://evil\")"  # injection guarded
    assert row[4] == "En évaluation"
    assert row[6] == "6000,00" and row[9] == "2026-02-01"
    assert row[10] == "Rita Reviewer" and row[11] == "4,00"
    assert other.reference not in response.content.decode("utf-8-sig")


def test_xlsx_export_matches_the_filtered_queue(make_user: Callable[..., User]) -> None:
    matched, _other = _world(make_user)
    client = sign_in(Client(), make_user("auditor"))
    response = client.get(reverse("grants:queue_export", kwargs={"fmt": "xlsx"}), {"q": matched.reference})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    row = rows[0]
    assert row[0] == matched.reference
    assert row[3] == "'=HYPERLINK(\"http://evil\")"
    assert row[6] == 6000 and row[9].date() == date(2026, 2, 1)
    assert row[11] == 4
    assert sheet.cell(row=2, column=7).number_format.endswith('" €"')


def test_export_of_an_unknown_format_is_404(make_user: Callable[..., User]) -> None:
    client = sign_in(Client(), make_user("officer"))
    assert client.get(reverse("grants:queue_export", kwargs={"fmt": "pdf"})).status_code == 404
