"""The decision letter: a PDF kept through Django's storage, in French, naming the organisation, the
amount, the payment schedule, or the motivation of a refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from subsidia.accounts.models import User
from subsidia.grants import letters
from subsidia.grants.letters import store_decision_letter
from subsidia.grants.models import Decision, State, Tranche
from subsidia.grants.tasks import generate_decision_letter
from subsidia.organisations.models import Organisation

from .factories import ApplicationFactory


def _spaces(text: str) -> str:
    """French groups thousands with a (narrow) no-break space: compare with plain spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").replace("&nbsp;", " ").split())


@pytest.fixture
def approved(org_a: Organisation, make_user: Callable[..., User]) -> Decision:
    org_a.street = "10, rue de l'Exemple"
    org_a.postal_code = "L-1234"
    org_a.save()
    application = ApplicationFactory.create(
        organisation=org_a, state=State.APPROVED, title="Exposition « Voter ici »",
        requested_amount=Decimal("36000.00"), first_submitted_on=date(2023, 3, 1),
        end_date=date(2023, 9, 30), report_due_on=date(2023, 12, 29),
    )
    first, second = make_user("approver", full_name="Anne Premier"), make_user("approver", full_name="Bob Second")
    decision = Decision.objects.create(
        application=application, outcome=Decision.Outcome.APPROVED, granted_amount=Decimal("30000.00"),
        conditions="Mentionner le soutien du ministère.", decided_by=first, confirmed_by=second,
        confirmed_at=timezone.now())
    Tranche.objects.create(application=application, position=1, due_on=date(2023, 5, 15), amount=Decimal("18000.00"))
    Tranche.objects.create(application=application, position=2, due_on=date(2023, 11, 15), amount=Decimal("12000.00"))
    return decision


def _html(decision: Decision) -> str:
    application = decision.application
    with translation.override("fr"):
        return render_to_string("grants/decision_letter.html", {
            "decision": decision, "application": application, "call": application.call,
            "organisation": application.organisation, "tranches": list(application.tranches.all()),
            "today": date(2023, 4, 3), "ministry": settings.MINISTRY_NAME,
        })


@pytest.mark.django_db
def test_store_decision_letter_writes_a_pdf_through_the_storage(approved: Decision) -> None:
    decision = store_decision_letter(approved)
    assert decision.letter.name
    assert default_storage.exists(decision.letter.name)
    with default_storage.open(decision.letter.name, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    assert len(content) > 1000
    stored = Decision.objects.get(pk=approved.pk)
    assert stored.letter.name == decision.letter.name
    assert approved.application.reference in stored.letter.name


@pytest.mark.django_db
def test_the_background_task_stores_the_letter(approved: Decision) -> None:
    generate_decision_letter.call_local(approved.pk)
    letter = Decision.objects.get(pk=approved.pk).letter
    assert letter.name and default_storage.exists(letter.name)
    generate_decision_letter.call_local(999_999)  # a decision gone in the meantime: nothing to do


@pytest.mark.django_db
def test_approval_letter_names_the_organisation_amount_and_tranches(approved: Decision) -> None:
    text = _spaces(_html(approved))
    application = approved.application
    assert application.organisation.name in text
    assert "10, rue de l&#x27;Exemple" in text
    assert application.reference in text
    assert "30 000,00 €" in text
    assert "36 000,00 €" in text  # the requested amount
    assert "18 000,00 €" in text and "15 mai 2023" in text
    assert "12 000,00 €" in text and "15 novembre 2023" in text
    # The filing date, in the letter's date format ("j F Y", the French one): 1 March is "1 mars".
    assert "déposé le 1 mars 2023 dans le cadre" in text
    assert "29 décembre 2023" in text  # the final report is due
    assert "Mentionner le soutien du ministère." in text
    assert "Luxembourg, le 3 avril 2023" in text
    assert "Anne Premier" in text and "Bob Second" in text
    assert settings.MINISTRY_NAME.replace("'", "&#x27;") in text


@pytest.mark.django_db
def test_rejection_letter_has_the_motivation(org_a: Organisation, make_user: Callable[..., User]) -> None:
    application = ApplicationFactory.create(organisation=org_a, state=State.REJECTED,
                                            first_submitted_on=date(2023, 3, 1))
    decision = Decision.objects.create(
        application=application, outcome=Decision.Outcome.REJECTED,
        motivation="Le projet ne vise aucune priorité de l'appel.", decided_by=make_user("approver"),
        confirmed_at=timezone.now())
    text = _spaces(_html(decision))
    assert "ne peut pas accorder de subside" in text
    assert "Le projet ne vise aucune priorité de l&#x27;appel." in text
    assert application.organisation.name in text
    assert "€" not in text.split("Motivation")[0].split("Madame, Monsieur")[1]  # no amount granted
    assert store_decision_letter(decision).letter.name


@pytest.mark.django_db
def test_letter_is_dated_the_day_the_decision_took_effect(approved: Decision) -> None:
    Decision.objects.filter(pk=approved.pk).update(
        confirmed_at=datetime(2023, 4, 3, 10, tzinfo=timezone.get_current_timezone()))
    decision = Decision.objects.get(pk=approved.pk)
    with mock.patch.object(letters, "render_to_string", wraps=render_to_string) as render:
        letters.render_decision_letter(decision)
    context = render.call_args.args[1]
    assert context["today"] == date(2023, 4, 3)
    with translation.override("fr"):
        assert "Luxembourg, le 3 avril 2023" in _spaces(render_to_string("grants/decision_letter.html", context))
