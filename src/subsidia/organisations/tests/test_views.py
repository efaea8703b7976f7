import html
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.tests import uploads_samples
from subsidia.organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def test_partner_admin_edits_its_organisation_through_the_form(login: Callable[..., Client],
                                                               make_user: Callable[..., User],
                                                               org_a: Organisation) -> None:
    client = login(make_user("partner_admin", organisation=org_a))
    page = client.get(reverse("organisations:edit", args=[org_a.pk])).content.decode()
    assert 'name="website"' in page and 'name="legal_form"' not in page  # the ministry's fields are not offered
    response = client.post(reverse("organisations:edit", args=[org_a.pk]),
                           {"website": "https://a.example.lu", "phone": "+352 40 00 00"}, follow=True)
    assert "Modifications enregistrées." in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.website == "https://a.example.lu"


def test_invalid_input_shows_a_message_and_changes_nothing(login: Callable[..., Client], make_user: Callable[..., User],
                                                           org_a: Organisation) -> None:
    client = login(make_user("partner_admin", organisation=org_a))
    response = client.post(reverse("organisations:edit", args=[org_a.pk]), {"website": "pas une adresse"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.website == ""


def test_officer_creates_an_organisation_and_duplicate_names_are_reported(login: Callable[..., Client],
                                                                          make_user: Callable[..., User],
                                                                          org_a: Organisation) -> None:
    client = login(make_user("officer"))
    response = client.post(reverse("organisations:create"), {"name": "CLAE", "legal_form": "asbl", "country": "LU",
                                                             "listed_in_directory": "on"})
    created = Organisation.objects.get(name="CLAE")
    assert response["Location"] == reverse("organisations:detail", args=[created.pk])
    response = client.post(reverse("organisations:create"), {"name": "clae", "legal_form": "asbl", "country": "LU"})
    assert response.status_code == 200
    assert "Une organisation porte déjà ce nom." in response.content.decode()


def test_invitation_form_and_member_removal(login: Callable[..., Client], make_user: Callable[..., User],
                                            org_a: Organisation) -> None:
    client = login(make_user("partner_admin", organisation=org_a))
    response = client.post(reverse("organisations:member_invite", args=[org_a.pk]),
                           {"email": "nouveau@example.lu", "role": "partner_member"}, follow=True)
    assert "Invitation envoyée à nouveau@example.lu." in response.content.decode()
    membership = Membership.objects.get(user__email="nouveau@example.lu")
    response = client.post(reverse("organisations:member_remove", args=[org_a.pk, membership.pk]), follow=True)
    assert "ne fait plus partie" in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_document_upload_refuses_an_executable_named_pdf_with_a_message(login: Callable[..., Client],
                                                                        make_user: Callable[..., User],
                                                                        org_a: Organisation) -> None:
    client = login(make_user("partner_admin", organisation=org_a))
    fake = SimpleUploadedFile("budget.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(reverse("organisations:document_add", args=[org_a.pk]),
                           {"kind": "annual_accounts", "file": fake})
    assert response.status_code == 422
    assert "Ce type de fichier n'est pas accepté" in html.unescape(response.content.decode())
    assert not org_a.documents.exists()


@pytest.mark.parametrize("content, message", [
    (uploads_samples.with_bomb("META-INF/manifest.xml", 20 * uploads_samples.MB), "bombe de décompression"),
    (uploads_samples.odf("application/pdf"), "Ce type de fichier n'est pas accepté ici. Formats admis : PDF, ODT"),
    (uploads_samples.png_bomb(), "Cette image est trop grande"),
], ids=["zip-bomb", "zip-claiming-pdf", "png-bomb"])
def test_document_upload_refuses_bombs_and_fake_documents_with_a_message(login: Callable[..., Client],
                                                                         make_user: Callable[..., User],
                                                                         org_a: Organisation, content: bytes,
                                                                         message: str) -> None:
    client = login(make_user("partner_admin", organisation=org_a))
    response = client.post(reverse("organisations:document_add", args=[org_a.pk]),
                           {"kind": "annual_accounts", "file": SimpleUploadedFile("comptes.odt", content)})
    assert response.status_code == 422
    assert message in html.unescape(response.content.decode())
    assert not org_a.documents.exists()


def test_documents_download_only_for_the_organisation_and_staff(login: Callable[..., Client],
                                                                make_user: Callable[..., User], org_a: Organisation,
                                                                org_b: Organisation, client: Client) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    login(admin)
    pdf = SimpleUploadedFile("statuts.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    client.post(reverse("organisations:document_add", args=[org_a.pk]), {"kind": "statutes", "file": pdf})
    document = org_a.documents.get()
    url = reverse("organisations:document_download", args=[org_a.pk, document.pk])
    response = client.get(url)
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    client.logout()
    login(make_user("partner_admin", organisation=org_b))
    assert client.get(url).status_code == 404
    assert client.get(reverse("organisations:document_download", args=[org_b.pk, document.pk])).status_code == 404


def test_auditor_reads_and_filters_the_trail(login: Callable[..., Client], make_user: Callable[..., User],
                                             org_a: Organisation) -> None:
    officer = make_user("officer")
    login(officer)
    from subsidia.organisations.services import mark_verified, update_organisation
    update_organisation(officer, org_a, {"acronym": "NEW"})
    mark_verified(officer, org_a)
    client = login(make_user("auditor"))
    page = client.get(reverse("audit:log")).content.decode()
    assert "organisation.update" in page and "organisation.verify" in page and officer.email in page
    filtered = client.get(reverse("audit:log"), {"action": "organisation.verify"})
    assert [e.action for e in filtered.context["page"]] == ["organisation.verify"]
    assert AuditEvent.objects.count() == 2


def test_partner_dashboard_lists_its_organisation_and_members(login: Callable[..., Client],
                                                              make_user: Callable[..., User], org_a: Organisation,
                                                              org_b: Organisation) -> None:
    client = login(make_user("partner_member", organisation=org_a, full_name="Marie Membre"))
    page = client.get(reverse("core:partner_dashboard")).content.decode()
    assert org_a.name in page and "Marie Membre" in page and org_b.name not in page
