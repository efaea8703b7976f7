from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import NotFound, PermissionDenied, RuleViolation
from subsidia.core.tests import uploads_samples
from subsidia.organisations import services
from subsidia.organisations.models import Membership, Organisation, OrganisationDocument
from subsidia.organisations.tests.factories import MembershipFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def codes(exc: RuleViolation) -> set[str]:
    return {v.code for v in exc.violations}


# --- organisations ----------------------------------------------------------------------------

def test_officer_creates_an_organisation_and_the_trail_records_it(make_user: Callable[..., User]) -> None:
    officer = make_user("officer")
    theme = ThemeFactory.create(code="integration")
    organisation = services.create_organisation(officer, {"name": " ASTI ", "legal_form": "asbl", "themes": [theme]})
    assert organisation.name == "ASTI"
    event = AuditEvent.objects.get(action="organisation.create")
    assert event.after is not None
    assert event.actor == officer and event.after["themes"] == [str(theme.pk)]


def test_create_reports_every_broken_rule_and_writes_nothing(make_user: Callable[..., User]) -> None:
    officer = make_user("officer")
    OrganisationFactory.create(name="ASTI")
    with pytest.raises(RuleViolation) as caught:
        services.create_organisation(officer, {"name": "asti", "legal_form": "cooperative"})
    assert codes(caught.value) == {"duplicate", "invalid_choice"}
    assert Organisation.objects.count() == 1
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["partner_admin", "reviewer", "auditor", "finance", None])
def test_only_officers_and_admins_create_organisations(make_user: Callable[..., User], org_a: Organisation,
                                                       role: str | None) -> None:
    actor = make_user(role, organisation=org_a if role == "partner_admin" else None)
    with pytest.raises(PermissionDenied):
        services.create_organisation(actor, {"name": "Nouvelle", "legal_form": "asbl"})


def test_partner_admin_edits_its_own_organisation_but_not_the_ministrys_fields(make_user: Callable[..., User],
                                                                               org_a: Organisation) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    services.update_organisation(admin, org_a, {"website": "https://a.example.lu", "phone": "+352 1"})
    org_a.refresh_from_db()
    assert org_a.website == "https://a.example.lu"
    with pytest.raises(PermissionDenied) as caught:
        services.update_organisation(admin, org_a, {"legal_form": "fondation", "last_verified_on": None})
    assert {v.field for v in caught.value.violations} == {"legal_form", "last_verified_on"}
    org_a.refresh_from_db()
    assert org_a.legal_form == "asbl"


def test_partner_admin_cannot_edit_another_organisation(make_user: Callable[..., User], org_a: Organisation,
                                                        org_b: Organisation) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    with pytest.raises(NotFound):
        services.update_organisation(admin, org_b, {"phone": "+352 2"})


def test_update_records_before_and_after_only_when_something_changed(make_user: Callable[..., User],
                                                                     org_a: Organisation) -> None:
    officer = make_user("officer")
    services.update_organisation(officer, org_a, {"acronym": org_a.acronym})
    assert not AuditEvent.objects.filter(action="organisation.update").exists()
    services.update_organisation(officer, org_a, {"acronym": "NEW"})
    event = AuditEvent.objects.get(action="organisation.update")
    assert ("acronym", "AA", "NEW") in event.changes


def test_invalid_website_is_refused_with_its_field(make_user: Callable[..., User], org_a: Organisation) -> None:
    with pytest.raises(RuleViolation) as caught:
        services.update_organisation(make_user("officer"), org_a, {"website": "pas une adresse"})
    assert [v.field for v in caught.value.violations] == ["website"]


# --- members ------------------------------------------------------------------------------------

def test_partner_admin_invites_a_new_person_who_receives_a_link(
        make_user: Callable[..., User], org_a: Organisation,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.invite_member(admin, org_a, email="New.Person@Example.lu", full_name="New Person")
    assert membership.user.email == "new.person@example.lu"
    assert not membership.user.has_usable_password()
    assert len(mail.outbox) == 1 and "/compte/mot-de-passe/nouveau/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="membership.create", actor=admin).exists()


def test_inviting_twice_is_refused(make_user: Callable[..., User], org_a: Organisation) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    services.invite_member(admin, org_a, email="x@example.lu")
    with pytest.raises(RuleViolation) as caught:
        services.invite_member(admin, org_a, email="X@example.lu")
    assert codes(caught.value) == {"already_member"}


def test_partner_member_cannot_invite_and_other_admins_see_nothing(make_user: Callable[..., User], org_a: Organisation,
                                                                   org_b: Organisation) -> None:
    member = make_user("partner_member", organisation=org_a)
    other_admin = make_user("partner_admin", organisation=org_b)
    for actor in (member, other_admin):
        with pytest.raises(NotFound):
            services.invite_member(actor, org_a, email="x@example.lu")


def test_partner_admin_removes_a_member_but_not_the_last_admin(make_user: Callable[..., User],
                                                               org_a: Organisation) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    member = MembershipFactory.create(organisation=org_a, role="partner_member")
    services.remove_member(admin, member)
    assert not Membership.objects.filter(pk=member.pk).exists()
    own = Membership.objects.get(user=admin, organisation=org_a)
    with pytest.raises(RuleViolation) as caught:
        services.remove_member(admin, own)
    assert codes(caught.value) == {"last_admin"}
    assert Membership.objects.filter(pk=own.pk).exists()
    assert AuditEvent.objects.filter(action="membership.delete").count() == 1


def test_demoting_the_last_admin_is_refused(make_user: Callable[..., User], org_a: Organisation) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    with pytest.raises(RuleViolation):
        services.change_member_role(admin, Membership.objects.get(user=admin), "partner_member")


# --- documents ----------------------------------------------------------------------------------

def pdf(name: str = "statuts.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


def office(kind: str) -> bytes:
    """A real minimal ODT or DOCX (ODF and OOXML are recognised by their structure)."""
    return uploads_samples.odf() if kind == "odt" else uploads_samples.ooxml(kind)


@pytest.mark.parametrize("name, content, expected", [
    ("statuts.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"),
    ("compte.odt", office("odt"), "application/vnd.oasis.opendocument.text"),
    ("compte.docx", office("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("photo.png", uploads_samples.image("PNG"), "image/png"),
    ("scan.jpg", uploads_samples.jpeg_with_gps(), "image/jpeg"),
])
def test_allowed_documents_are_stored_with_their_detected_type(make_user: Callable[..., User], org_a: Organisation,
                                                               name: str, content: bytes, expected: str) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    document = services.add_document(admin, org_a, kind="statutes", upload=SimpleUploadedFile(name, content))
    assert document.content_type == expected
    stored = document.file.read()
    if expected.startswith("image/"):  # images are re-encoded, without their metadata
        assert stored[:4] == content[:4] and b"Exif" not in stored and document.size == len(stored)
    else:
        assert stored == content


@pytest.mark.parametrize("name, content", [
    ("budget.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),  # a Windows executable
    ("budget.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),  # a Linux executable
    ("budget.pdf", b"<html><script>alert(1)</script></html>"),
    ("archive.docx", b"PK\x03\x04" + b"\x00" * 64),  # a zip that is not an office document
    ("statuts.odt", uploads_samples.odf("application/pdf")),  # a zip whose mimetype member claims a PDF
    ("statuts.docx", uploads_samples.ooxml(declared=False)),  # [Content_Types].xml without the main part
])
def test_a_renamed_executable_or_other_content_is_refused(make_user: Callable[..., User], org_a: Organisation,
                                                          name: str, content: bytes) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    with pytest.raises(RuleViolation) as caught:
        services.add_document(admin, org_a, kind="statutes", upload=SimpleUploadedFile(name, content,
                                                                                          "application/pdf"))
    assert codes(caught.value) == {"file_type_not_allowed"}
    assert not OrganisationDocument.objects.exists()


def test_a_file_over_the_size_limit_is_refused(make_user: Callable[..., User], org_a: Organisation,
                                               settings: Settings) -> None:
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(RuleViolation) as caught:
        services.add_document(make_user("officer"), org_a, kind="statutes", upload=pdf())
    assert codes(caught.value) == {"file_too_large"}


def test_each_version_of_a_document_is_kept(make_user: Callable[..., User], org_a: Organisation) -> None:
    admin = make_user("partner_admin", organisation=org_a)
    first = services.add_document(admin, org_a, kind="statutes", upload=pdf())
    second = services.add_document(admin, org_a, kind="statutes", upload=pdf())
    assert first.file.name != second.file.name
    assert org_a.documents.filter(kind="statutes").count() == 2


def test_expiry_warning_goes_to_partner_admins_and_officers_once(make_user: Callable[..., User],
                                                                 org_a: Organisation) -> None:
    admin = make_user("partner_admin", organisation=org_a, email="gestion@a.lu")
    make_user("officer", email="agent@ministere.lu")
    make_user("partner_member", organisation=org_a, email="membre@a.lu")
    today = timezone.localdate()
    soon = services.add_document(admin, org_a, kind="insurance", upload=pdf(), valid_until=today + timedelta(days=10))
    services.add_document(admin, org_a, kind="statutes", upload=pdf(), valid_until=today + timedelta(days=200))
    assert services.send_document_expiry_warnings(today) == 1
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"gestion@a.lu", "agent@ministere.lu"}
    assert org_a.name in mail.outbox[0].subject
    assert services.send_document_expiry_warnings(today) == 0
    soon.refresh_from_db()
    assert soon.expiry_warning_sent_on == today


def test_the_worker_task_sends_the_warnings(make_user: Callable[..., User], org_a: Organisation) -> None:
    from subsidia.organisations.tasks import warn_about_expiring_documents

    admin = make_user("partner_admin", organisation=org_a)
    services.add_document(admin, org_a, kind="insurance", upload=pdf(),
                          valid_until=timezone.localdate() + timedelta(days=3))
    warn_about_expiring_documents.call_local()
    assert len(mail.outbox) == 1


def test_contacts_and_services_are_saved_by_editors_only_and_audited(make_user: Callable[..., User],
                                                                     org_a: Organisation, org_b: Organisation) -> None:
    from subsidia.organisations.models import Contact, Service

    admin = make_user("partner_admin", organisation=org_a)
    contact = services.save_contact(admin, org_a, Contact(name="Accueil", is_public=True))
    contact.phone = "+352 1"
    services.save_contact(admin, org_a, contact)
    services.save_service(admin, org_a, Service(kind="helpline", name="Ligne d'écoute", capacity=3))
    assert [e.action for e in AuditEvent.objects.order_by("id")] == ["contact.create", "contact.update",
                                                                      "service.create"]
    assert AuditEvent.objects.get(action="contact.update").changes == [("phone", "", "+352 1")]
    with pytest.raises(NotFound):
        services.save_contact(make_user("partner_admin", organisation=org_b), org_a, Contact(name="Intrus"))
    assert org_a.contacts.count() == 1
