"""The public call pages and the partners' pages of an application, through the test client."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.grants.models import (
    Application,
    ApplicationDocument,
    BudgetLine,
    Decision,
    FinalReport,
    Question,
    State,
    Tranche,
)
from subsidia.organisations.models import Organisation

from .factories import PDF, ApplicationFactory, CallFactory, add_document

pytestmark = pytest.mark.django_db
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot"


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def draft_data(application: Application, **changes: Any) -> dict[str, Any]:
    """What the edit form posts for this application, with some changes."""
    data: dict[str, Any] = {
        "version": application.version, "title": application.title, "summary": application.summary,
        "description": application.description, "priority": application.priority_id or "",
        "deliverable_types": list(application.deliverable_types),
        "start_date": application.start_date.isoformat() if application.start_date else "",
        "end_date": application.end_date.isoformat() if application.end_date else "",
        "requested_amount": str(application.requested_amount or ""),
    }
    lines = application.lines()
    data.update({"budget-TOTAL_FORMS": str(len(lines) + 1), "budget-INITIAL_FORMS": str(len(lines))})
    for index, line in enumerate(lines):
        data.update({f"budget-{index}-kind": line.kind, f"budget-{index}-label": line.label,
                     f"budget-{index}-amount": str(line.amount)})
    data.update({f"budget-{len(lines)}-kind": "expense", f"budget-{len(lines)}-label": "",
                 f"budget-{len(lines)}-amount": ""})
    data.update(changes)
    return data


@pytest.fixture
def admin_a(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("partner_admin", organisation=org_a)


@pytest.fixture
def draft(org_a: Organisation) -> Application:
    return ApplicationFactory.create(organisation=org_a, state=State.DRAFT)


# --- public pages ------------------------------------------------------------------------------------


def test_the_public_sees_open_calls_and_their_conditions(client: Client, login: Callable[..., Client],
                                                         make_user: Callable[..., User], org_a: Organisation) -> None:
    dated = CallFactory.create(title="Appel daté")
    rolling = CallFactory.create(title="Appel au fil de l'eau", closes_on=None)
    hidden = CallFactory.create(title="Appel en préparation", is_published=False)
    listing = page(client.get(reverse("grants:call_list")))
    assert "Appel daté" in listing and "Appel au fil de l'eau" in listing and "Appel en préparation" not in listing
    assert "appel permanent" in listing
    assert "Participation politique des non-Luxembourgeois" in listing  # the priorities
    detail = page(client.get(reverse("grants:call_detail", args=[dated.pk])))
    assert "au moins 6 semaines avant le début du projet" in detail
    assert "Association sans but lucratif (asbl)" in detail and "Budget prévisionnel" in detail
    assert "100 000,00" in detail.replace("\xa0", " ").replace("\u202f", " ")
    assert "Connectez-vous" in detail and "Déposer une demande" not in detail
    assert client.get(reverse("grants:call_detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("grants:call_detail", args=[rolling.pk])).status_code == 200
    login(make_user("partner_member", organisation=org_a))
    detail = page(client.get(reverse("grants:call_detail", args=[dated.pk])))
    assert reverse("grants:application_create", args=[dated.pk]) in detail


# --- drafting ------------------------------------------------------------------------------------------


def test_a_partner_drafts_an_application_through_the_form(login: Callable[..., Client], make_user: Callable[..., User],
                                                          org_a: Organisation) -> None:
    call = CallFactory.create()
    client = login(make_user("partner_member", organisation=org_a))
    response = client.post(reverse("grants:application_create", args=[call.pk]),
                           {"organisation": org_a.pk, "title": "Exposition itinérante"})
    application = Application.objects.get(title="Exposition itinérante")
    assert response["Location"] == reverse("grants:application_edit", args=[application.pk])
    edit = page(client.get(response["Location"]))
    assert 'name="version"' in edit and 'hx-post="' + reverse("grants:application_autosave",
                                                              args=[application.pk]) in edit
    assert 'aria-live="polite"' in edit and "Ce qui manque et pourquoi" in edit
    start = timezone.localdate() + timedelta(weeks=8)
    priority = call.priorities.first()
    assert priority is not None
    response = client.post(reverse("grants:application_edit", args=[application.pk]), {
        "version": application.version, "title": "Exposition itinérante", "summary": "Dans quatre communes.",
        "description": "Détails.", "priority": priority.pk, "deliverable_types": ["exhibition"],
        "start_date": start.isoformat(), "end_date": (start + timedelta(weeks=4)).isoformat(),
        "requested_amount": "3 000,50",
        "budget-TOTAL_FORMS": "3", "budget-INITIAL_FORMS": "0",
        "budget-0-kind": "expense", "budget-0-label": "Transport", "budget-0-amount": "4000,50",
        "budget-1-kind": "income", "budget-1-label": "Commune", "budget-1-amount": "1000",
        "budget-2-kind": "expense", "budget-2-label": "", "budget-2-amount": "",
    })
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.summary == "Dans quatre communes."
    assert application.requested_amount == Decimal("3000.50")
    assert application.deliverable_types == ["exhibition"] and application.start_date == start
    assert [(line.kind, line.label, line.amount) for line in application.lines()] == [
        ("expense", "Transport", Decimal("4000.50")), ("income", "Commune", Decimal("1000.00"))]
    assert application.version == 2
    assert "Brouillon enregistré." in page(client.get(response["Location"]))


def test_a_closed_call_refuses_new_applications_on_the_form(login: Callable[..., Client],
                                                            make_user: Callable[..., User], org_a: Organisation,
                                                            org_b: Organisation) -> None:
    closed = CallFactory.create(opens_on=timezone.localdate() - timedelta(days=60),
                                closes_on=timezone.localdate() - timedelta(days=1))
    client = login(make_user("partner_admin", organisation=org_a))
    assert "Cet appel est clos" in page(client.get(reverse("grants:call_detail", args=[closed.pk])))
    response = client.post(reverse("grants:application_create", args=[closed.pk]),
                           {"organisation": org_a.pk, "title": "Trop tard"})
    assert response.status_code == 422 and "L'appel est clos depuis le" in page(response)
    # Only one's own organisations may be chosen; an unpublished call does not exist for partners.
    response = client.post(reverse("grants:application_create", args=[CallFactory.create().pk]),
                           {"organisation": org_b.pk, "title": "Au nom d'un autre"})
    assert response.status_code == 422
    hidden = CallFactory.create(is_published=False)
    assert client.get(reverse("grants:application_create", args=[hidden.pk])).status_code == 404
    assert not Application.objects.exists()


def test_invalid_input_is_shown_on_the_form_with_a_linked_summary(login: Callable[..., Client], admin_a: User,
                                                                  draft: Application) -> None:
    client = login(admin_a)
    response = client.post(reverse("grants:application_edit", args=[draft.pk]),
                           draft_data(draft, title="", **{"budget-3-label": "Affiches", "budget-3-amount": ""}))
    assert response.status_code == 422
    text = page(response)
    assert 'id="erreurs"' in text and "Le titre du projet est obligatoire." in text
    assert 'href="#id_budget-3-amount"' in text and "Montant invalide" in text
    draft.refresh_from_db()
    assert draft.title != "" and draft.version == 1


def test_autosave_returns_the_new_version_and_the_refreshed_preview(login: Callable[..., Client], admin_a: User,
                                                                    draft: Application) -> None:
    client = login(admin_a)
    response = client.post(reverse("grants:application_autosave", args=[draft.pk]),
                           draft_data(draft, summary=""), headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = page(response)
    assert "Brouillon enregistré à" in text
    assert 'id="id_version" hx-swap-oob="true"' in text.replace('value="2" ', "") and 'value="2"' in text
    assert 'id="eligibility-preview"' in text and "Le résumé du projet est obligatoire." in text
    draft.refresh_from_db()
    assert draft.version == 2 and draft.summary == ""


def test_a_stale_version_is_refused_and_the_input_is_kept(login: Callable[..., Client], admin_a: User,
                                                          make_user: Callable[..., User], draft: Application) -> None:
    client = login(admin_a)
    stale = draft_data(draft, title="Ma version du titre")
    client.post(reverse("grants:application_edit", args=[draft.pk]), draft_data(draft, summary="Autre résumé"))
    draft.refresh_from_db()
    assert draft.version == 2
    response = client.post(reverse("grants:application_edit", args=[draft.pk]), stale)
    assert response.status_code == 409
    text = page(response)
    assert "modifiée entre-temps par quelqu'un d'autre" in text
    assert 'value="Ma version du titre"' in text  # nothing typed is lost
    draft.refresh_from_db()
    assert draft.title != "Ma version du titre" and draft.version == 2
    # The autosave says the same, without saving.
    autosave = client.post(reverse("grants:application_autosave", args=[draft.pk]), stale,
                           headers={"HX-Request": "true"})
    assert "modifiée entre-temps" in page(autosave) and "Brouillon enregistré à" not in page(autosave)
    # Knowing it, the person may keep their input over the other edit.
    response = client.post(reverse("grants:application_edit", args=[draft.pk]), {**stale, "overwrite": "2"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Ma version du titre"


def test_conditional_questions_appear_only_when_they_apply(login: Callable[..., Client], admin_a: User,
                                                           org_a: Organisation) -> None:
    call = CallFactory.create()
    communes = Question.objects.create(call=call, key="communes", label="Avec des communes ?", kind="choice",
                                       choices=["oui", "non"], position=0)
    Question.objects.create(call=call, key="lesquelles", label="Lesquelles ?", required=True, position=1,
                            shown_if_question=communes, shown_if_value="oui")
    application = ApplicationFactory.create(call=call, organisation=org_a)
    client = login(admin_a)
    url = reverse("grants:application_edit", args=[application.pk])
    text = page(client.get(url))
    assert 'id="id_answer_communes"' in text and "Lesquelles ?" not in text
    # Without JavaScript: saved, and the reloaded page shows the question that now applies.
    client.post(url, draft_data(application, answer_communes="oui"))
    text = page(client.get(url))
    assert 'id="id_answer_lesquelles"' in text
    assert "Réponse obligatoire : Lesquelles ?" in text  # and the preview says why it matters
    # With htmx: the autosave sends the question that stops applying.
    application.refresh_from_db()
    response = client.post(reverse("grants:application_autosave", args=[application.pk]),
                           draft_data(application, answer_communes="non"), headers={"HX-Request": "true"})
    text = page(response)
    assert '<div id="question-lesquelles" hx-swap-oob="true">' in text and "Lesquelles ?" not in text
    application.refresh_from_db()
    assert application.answers["communes"] == "non"


def test_another_organisation_gets_404_everywhere(login: Callable[..., Client], make_user: Callable[..., User],
                                                  org_b: Organisation, draft: Application) -> None:
    document = draft.documents.first()
    assert document is not None
    client = login(make_user("partner_admin", organisation=org_b))
    pages: list[tuple[str, str, dict[str, object]]] = [
        ("grants:application_detail", "get", {}), ("grants:application_edit", "get", {}),
        ("grants:application_autosave", "post", {}), ("grants:document_add", "post", {}),
        ("grants:document_download", "get", {"document_pk": document.pk}),
        ("grants:application_transition", "post", {"name": "withdraw"}),
        ("grants:decision_letter", "get", {}),
    ]
    for name, method, kwargs in pages:
        response = getattr(client, method)(reverse(name, kwargs={"pk": draft.pk, **kwargs}))
        assert response.status_code == 404, name
    assert page(client.get(reverse("grants:my_applications"))).count(draft.reference) == 0


# --- documents -----------------------------------------------------------------------------------------


def test_a_renamed_executable_is_refused_with_a_clear_message(login: Callable[..., Client], admin_a: User,
                                                              draft: Application) -> None:
    client = login(admin_a)
    before = draft.documents.count()
    fake = SimpleUploadedFile("budget.pdf", EXECUTABLE, content_type="application/pdf")
    response = client.post(reverse("grants:document_add", args=[draft.pk]), {"kind": "budget", "file": fake})
    assert response.status_code == 422
    assert "Ce type de fichier n'est pas accepté" in page(response)
    assert draft.documents.count() == before


def test_documents_are_versioned_and_downloaded_by_who_sees_the_application(login: Callable[..., Client], admin_a: User,
                                                                            draft: Application) -> None:
    client = login(admin_a)
    response = client.post(reverse("grants:document_add", args=[draft.pk]),
                           {"kind": "budget", "file": SimpleUploadedFile("budget-v2.pdf", PDF)})
    assert response["Location"] == reverse("grants:application_edit", args=[draft.pk])
    newest = draft.documents.get(kind="budget", version=2)
    text = page(client.get(reverse("grants:application_detail", args=[draft.pk])))
    assert "budget-v2.pdf" in text and "budget.pdf" in text  # every version is listed
    download = client.get(reverse("grants:document_download", args=[draft.pk, newest.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert download.getvalue() == PDF


# --- the workflow ---------------------------------------------------------------------------------------


def test_submit_with_failing_rules_shows_every_rule_and_changes_nothing(login: Callable[..., Client], admin_a: User,
                                                                        org_a: Organisation) -> None:
    application = ApplicationFactory.create(organisation=org_a, summary="", requested_amount=Decimal("100.00"),
                                            start_date=timezone.localdate() + timedelta(days=7))
    client = login(admin_a)
    response = client.post(reverse("grants:application_transition", args=[application.pk, "submit"]),
                           {"version": application.version}, follow=True)
    text = page(response)
    assert "3 conditions ne sont pas remplies" in text
    assert "Le résumé du projet est obligatoire." in text
    assert "Le projet doit être déposé au moins 6 semaines avant son début" in text
    assert "Le budget n'est pas équilibré" in text
    application.refresh_from_db()
    assert application.state == State.DRAFT and application.version == 1 and application.submitted_at is None


def test_a_complete_draft_is_submitted_from_the_edit_page(login: Callable[..., Client], admin_a: User,
                                                          draft: Application) -> None:
    client = login(admin_a)
    response = client.post(reverse("grants:application_edit", args=[draft.pk]),
                           draft_data(draft, action="submit"), follow=True)
    assert "La demande est déposée." in page(response)
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED


def test_a_member_cannot_submit_and_unknown_actions_are_404(login: Callable[..., Client],
                                                            make_user: Callable[..., User], org_a: Organisation,
                                                            draft: Application) -> None:
    client = login(make_user("partner_member", organisation=org_a))
    text = page(client.get(reverse("grants:application_detail", args=[draft.pk])))
    assert "Déposer la demande" not in text and "Modifier la demande" in text
    assert client.post(reverse("grants:application_transition", args=[draft.pk, "submit"])).status_code == 403
    client = login(make_user("partner_admin", organisation=org_a))
    assert client.post(reverse("grants:application_transition", args=[draft.pk, "approve"])).status_code == 404


def test_the_officer_asks_for_information_and_the_partner_sees_it(client: Client, login: Callable[..., Client],
                                                                  make_user: Callable[..., User], admin_a: User,
                                                                  org_a: Organisation) -> None:
    application = ApplicationFactory.create(organisation=org_a, state=State.SUBMITTED,
                                            first_submitted_on=timezone.localdate())
    login(make_user("officer"))
    url = reverse("grants:application_transition", args=[application.pk, "request_information"])
    response = client.post(url, {"version": application.version, "questions": ""}, follow=True)
    assert "Écrivez les questions posées à l'organisation." in page(response)
    response = client.post(url, {"version": application.version, "questions": "Quel public visez-vous ?"},
                           follow=True)
    assert "La demande d'informations est envoyée" in page(response)
    application.refresh_from_db()
    assert application.state == State.MORE_INFORMATION_REQUESTED
    stale = client.post(reverse("grants:application_transition", args=[application.pk, "withdraw"]),
                        {"version": 1}, follow=True)
    assert stale.status_code == 403  # withdrawing is the partner's move
    client.logout()
    login(admin_a)
    text = page(client.get(reverse("grants:application_detail", args=[application.pk])))
    assert "Quel public visez-vous ?" in text and "Ce qui manque et pourquoi" in text
    assert "Informations demandées" in text and "Déposer la demande" in text


def test_my_applications_counts_what_is_missing(login: Callable[..., Client], admin_a: User, org_a: Organisation,
                                                org_b: Organisation) -> None:
    ready = ApplicationFactory.create(organisation=org_a)
    incomplete = ApplicationFactory.create(organisation=org_a, summary="", title="Projet incomplet")
    other = ApplicationFactory.create(organisation=org_b)
    text = page(login(admin_a).get(reverse("grants:my_applications")))
    assert ready.reference in text and incomplete.reference in text and other.reference not in text
    assert "Prête à être déposée" in text and "1 point à compléter" in text


# --- after the decision ----------------------------------------------------------------------------------


def test_the_partner_files_the_final_report(login: Callable[..., Client], admin_a: User, org_a: Organisation) -> None:
    application = ApplicationFactory.create(organisation=org_a, state=State.IN_PROGRESS,
                                            first_submitted_on=timezone.localdate() - timedelta(days=90))
    client = login(admin_a)
    url = reverse("grants:final_report", args=[application.pk])
    text = page(client.get(url))
    assert "Pré-rempli avec le budget prévisionnel" in text and 'value="Location de salle"' in text
    report = {"version": application.version, "deliverables": "Exposition dans 4 communes.", "narrative": "",
              "actual-TOTAL_FORMS": "1", "actual-INITIAL_FORMS": "0", "actual-0-kind": "expense",
              "actual-0-label": "Location de salle", "actual-0-amount": "1800"}
    response = client.post(url, report)
    assert response.status_code == 422
    assert "Document manquant : Rapport final." in page(response)
    response = client.post(reverse("grants:document_add", args=[application.pk]),
                           {"kind": "final_report", "file": SimpleUploadedFile("rapport.pdf", PDF)})
    assert response["Location"] == url
    application.refresh_from_db()
    response = client.post(url, {**report, "version": application.version}, follow=True)
    assert "Rapport final déposé." in page(response)
    application.refresh_from_db()
    assert application.state == State.REPORTING
    assert FinalReport.objects.get(application=application).deliverables == "Exposition dans 4 communes."
    assert [(line.label, line.amount) for line in application.lines(BudgetLine.Stage.ACTUAL)] == [
        ("Location de salle", Decimal("1800.00"))]
    text = page(client.get(reverse("grants:application_detail", args=[application.pk])))
    assert "Exposition dans 4 communes." in text and "Budget réalisé" in text


def test_the_decision_letter_is_downloaded_once_the_decision_is_final(login: Callable[..., Client], admin_a: User,
                                                                      make_user: Callable[..., User],
                                                                      org_a: Organisation) -> None:
    application = ApplicationFactory.create(organisation=org_a, state=State.UNDER_REVIEW,
                                            first_submitted_on=timezone.localdate())
    decision = Decision.objects.create(application=application, outcome="approved", granted_amount=Decimal(5000),
                                       decided_by=make_user("approver"))
    Tranche.objects.create(application=application, position=1, due_on=timezone.localdate(), amount=Decimal(5000))
    client = login(admin_a)
    url = reverse("grants:decision_letter", args=[application.pk])
    assert client.get(url).status_code == 404  # waiting for the second approver
    text = page(client.get(reverse("grants:application_detail", args=[application.pk])))
    assert "Montant accordé" not in text
    decision.confirmed_at = timezone.now()
    decision.save()
    Application.objects.filter(pk=application.pk).update(state=State.APPROVED)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.getvalue().startswith(b"%PDF")
    decision.refresh_from_db()
    assert decision.letter  # generated once, then kept
    text = page(client.get(reverse("grants:application_detail", args=[application.pk])))
    assert "Montant accordé" in text and "5 000,00" in text.replace("\xa0", " ").replace("\u202f", " ")


def test_the_application_page_explains_the_state_budget_and_history(login: Callable[..., Client], admin_a: User,
                                                                    draft: Application) -> None:
    add_document(draft, "budget")
    text = page(login(admin_a).get(reverse("grants:application_detail", args=[draft.pk])))
    assert "Brouillon" in text and "Complétez-la puis déposez-la." in text
    assert "Total des dépenses" in text and "budget équilibré" in text
    assert "version 2" in text and "Historique" in text
    assert ApplicationDocument.objects.filter(application=draft).count() == 3
