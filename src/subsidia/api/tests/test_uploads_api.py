"""The API's multipart uploads (application documents, convention report documents) refuse zip bombs, fake
office documents and decompression-bomb images with a structured 422, store nothing, and store images without
their metadata."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from subsidia.accounts.models import User
from subsidia.conftest import ClientResponse
from subsidia.conventions.inputs import SignInput
from subsidia.conventions.models import ReportDocument, ReportKind
from subsidia.conventions.services.acts import sign_convention
from subsidia.conventions.tests.factories import ConventionDomainFactory, ConventionFactory
from subsidia.core.tests import uploads_samples as samples
from subsidia.grants.models import Application, ApplicationDocument
from subsidia.grants.tests.factories import ApplicationFactory, CallFactory
from subsidia.organisations.models import Organisation

from .helpers import auth

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return samples.with_bomb("META-INF/manifest.xml", 100 * samples.MB)


@pytest.fixture
def partner_admin(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("partner_admin", organisation=org_a)


@pytest.fixture
def draft(org_a: Organisation) -> Application:
    return ApplicationFactory.create(call=CallFactory.create(), organisation=org_a)


def post_document(client: Client, draft: Application, user: User, name: str, content: bytes,
                  kind: str = "annex") -> ClientResponse:
    return client.post(f"/api/v1/applications/{draft.pk}/documents",
                       {"kind": kind, "file": SimpleUploadedFile(name, content, "application/octet-stream")},
                       headers=auth(user))


def error(response: ClientResponse) -> dict[str, Any]:
    assert response.status_code == 422, response.content
    [only] = response.json()["errors"]
    assert only["field"] == "file" and only["message"]
    return only


@pytest.mark.parametrize("name, content_of, code", [
    ("rapport.odt", lambda bomb: bomb, "archive_bomb"),
    ("rapport.odt", lambda bomb: samples.lie_about(bomb, "META-INF/manifest.xml", 1000), "archive_bomb"),
    ("budget.pdf", lambda bomb: samples.odf("application/pdf"), "file_type_not_allowed"),
    ("photo.png", lambda bomb: samples.odf("image/png"), "file_type_not_allowed"),
    ("annexe.zip", lambda bomb: samples.plain_zip(), "file_type_not_allowed"),
    ("plan.pptx", lambda bomb: samples.ooxml("pptx"), "file_type_not_allowed"),
    ("scan.png", lambda bomb: samples.png_bomb(), "image_too_large"),
], ids=["zip-bomb", "lying-zip-bomb", "zip-claiming-pdf", "zip-claiming-png", "plain-zip", "presentation",
        "png-bomb"])
def test_an_application_document_is_refused_with_a_422_and_nothing_is_stored(
        client: Client, partner_admin: User, draft: Application, bomb: bytes, name: str,
        content_of: Callable[[bytes], bytes], code: str) -> None:
    version = draft.version
    response = post_document(client, draft, partner_admin, name, content_of(bomb))
    assert error(response)["code"] == code
    assert not ApplicationDocument.objects.filter(application=draft, kind="annex").exists()
    draft.refresh_from_db()
    assert draft.version == version


@pytest.mark.parametrize("name, content, expected", [
    ("description.odt", samples.odf(), "application/vnd.oasis.opendocument.text"),
    ("description.docx", samples.ooxml("docx"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("budget.xlsx", samples.ooxml("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
], ids=["odt", "docx", "xlsx"])
def test_real_office_documents_are_accepted(client: Client, partner_admin: User, draft: Application, name: str,
                                            content: bytes, expected: str) -> None:
    response = post_document(client, draft, partner_admin, name, content)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == expected
    document = ApplicationDocument.objects.get(pk=response.json()["id"])
    with document.file.open("rb") as handle:
        assert handle.read() == content


def test_a_photo_attached_as_a_document_is_stored_without_its_gps_position(client: Client, partner_admin: User,
                                                                           draft: Application) -> None:
    response = post_document(client, draft, partner_admin, "photo-foyer.jpg", samples.jpeg_with_gps())
    assert response.status_code == 201, response.content
    document = ApplicationDocument.objects.get(pk=response.json()["id"])
    with document.file.open("rb") as handle:
        stored = handle.read()
    assert document.size == len(stored) and response.json()["size"] == len(stored)
    assert b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and image.size == (16, 32)


def test_a_report_document_bomb_is_refused_with_a_422(client: Client, org_a: Organisation,
                                                      make_user: Callable[..., User], on_day: Callable[[date], None],
                                                      bomb: bytes) -> None:
    convention = ConventionFactory.create(organisation=org_a, title="Guichet")
    ConventionDomainFactory.create(convention=convention, yearly_amount=Decimal("1000.00"))
    on_day(date(2023, 12, 20))
    convention = sign_convention(make_user("approver"), convention,
                                 SignInput(signed_on=date(2023, 12, 15), signed_by_partner_on=date(2023, 12, 10)))
    on_day(date(2025, 2, 1))
    report = convention.reports.get(year=2024, kind=ReportKind.FINANCIAL)
    url = f"/api/v1/conventions/{convention.pk}/reports/{report.pk}/documents"
    headers = auth(make_user("partner_admin", organisation=org_a))
    for content, code in [(bomb, "archive_bomb"), (samples.odf("application/pdf"), "file_type_not_allowed")]:
        response = client.post(url, {"file": SimpleUploadedFile("comptes.odt", content)}, headers=headers)
        assert error(response)["code"] == code
    assert not ReportDocument.objects.exists()
    response = client.post(url, {"file": SimpleUploadedFile("comptes.ods", samples.odf(
        "application/vnd.oasis.opendocument.spreadsheet"))}, headers=headers)
    assert response.status_code == 201, response.content
    assert ReportDocument.objects.count() == 1
