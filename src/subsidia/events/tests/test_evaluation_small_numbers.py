"""The public evaluation report never shows a count of answers below SMALL_COUNT_THRESHOLD (5): "< 5" instead,
with no bar; a second cell is hidden when one alone could be found by subtraction from the total; the average of
a question with a hidden cell is not shown; below five respondents no figure is published. The officers' results
page keeps the exact numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.core.disclosure import Count, protect, small_count
from subsidia.events import evaluation
from subsidia.events.models import EvaluationQuestion, Event, QuestionKind
from subsidia.events.tests.factories import EventFactory

from .factories_staff import QuestionFactory, RegistrationFactory, StaffEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_user: Callable[..., User]) -> Event:
    start = timezone.now() - timedelta(days=2)
    event = StaffEventFactory.create(starts_at=start, ends_at=start + timedelta(hours=4))
    event.evaluation_report = "<p>Bilan de la journée.</p>"
    event.evaluation_published_at = timezone.now()
    event.save()
    return event


def _questions(event: Event) -> tuple[EvaluationQuestion, EvaluationQuestion]:
    rating = QuestionFactory.create(event=event, text="Note globale", kind=QuestionKind.RATING, position=1)
    choice = QuestionFactory.create(event=event, text="Format préféré", kind=QuestionKind.CHOICE,
                                    options="Tables rondes\nPlénière", position=2)
    return rating, choice


def _answer(event: Event, answers: dict[str, Any]) -> None:
    registration = RegistrationFactory.create(event=event, evaluation_invited_at=timezone.now())
    evaluation.submit_response(registration, answers)


def _rows(html: str, caption: str) -> dict[str, str]:
    """The rows of the data table whose caption names ``caption``: label -> shown count."""
    table = html.split(f"Données du graphique : {caption}")[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', table)
    return {label: count.replace("&lt;", "<").replace("&ge;", "≥") for label, count in rows}


def _report(client: Client, event: Event) -> str:
    response = client.get(reverse("events:evaluation_report", kwargs={"slug": event.slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("answers", [1, 2, 4])
def test_below_five_respondents_no_figure_is_published(client: Client, event: Event, answers: int) -> None:
    rating, choice = _questions(event)
    for _ in range(answers):
        _answer(event, {f"q{rating.pk}": "4", f"q{choice.pk}": "Plénière"})
    html = _report(client, event)
    assert "&lt; 5 personnes ont répondu" in html
    assert f"{answers} personne" not in html
    assert "<svg" not in html and "chart-data" not in html and "moyenne" not in html
    assert "Bilan de la journée" in html  # the report itself is published


def test_five_identical_answers_are_shown(client: Client, event: Event) -> None:
    rating, choice = _questions(event)
    for _ in range(5):
        _answer(event, {f"q{rating.pk}": "4", f"q{choice.pk}": "Plénière"})
    html = _report(client, event)
    assert "5 personnes ont répondu" in html
    assert _rows(html, "Note globale") == {"1": "0", "2": "0", "3": "0", "4": "5", "5": "0"}
    assert _rows(html, "Format préféré") == {"Tables rondes": "0", "Plénière": "5"}
    assert "moyenne 4,00 sur 5" in html


def test_small_cells_read_less_than_five_with_a_second_cell_hidden(client: Client, event: Event,
                                                                   login: Callable[..., Client],
                                                                   make_user: Callable[..., User]) -> None:
    rating, choice = _questions(event)
    # Ratings: 1 x "2", 6 x "4", 5 x "5" (12 respondents); choices: 2 x tables rondes, 10 x plénière.
    for n, value in enumerate(["2"] + ["4"] * 6 + ["5"] * 5):
        _answer(event, {f"q{rating.pk}": value, f"q{choice.pk}": "Tables rondes" if n < 2 else "Plénière"})
    html = _report(client, event)
    ratings = _rows(html, "Note globale")
    assert ratings["2"] == "< 5"  # one answer
    # One hidden cell alone would be 12 - (6 + 5) = 1: a zero (truthfully "< 5") is hidden too.
    assert list(ratings.values()).count("< 5") == 2
    assert ratings["4"] == "6" and ratings["5"] == "5"
    assert "moyenne" not in html.split("Note globale")[1].split("Format préféré")[0]
    choices = _rows(html, "Format préféré")
    # 2 x tables rondes: hidden, and plénière (10) too, else 12 - 10 = 2 would give it back.
    assert choices == {"Tables rondes": "< 5", "Plénière": "≥ 5"}
    # No bar carries the small counts: the bars' value labels read "< 5".
    assert 'font-weight="bold">1</text>' not in html and 'font-weight="bold">2</text>' not in html
    assert 'font-weight="bold">&lt; 5</text>' in html
    # The officers' own results keep the exact numbers.
    officer = login(make_user("officer"))
    staff = officer.get(reverse("events:evaluation_results", kwargs={"pk": event.pk})).content.decode()
    assert _rows(staff, "Format préféré") == {"Tables rondes": "2", "Plénière": "10"}


def test_those_who_did_not_answer_a_question_are_a_cell_too(client: Client, event: Event) -> None:
    rating, choice = _questions(event)
    for n in range(7):
        answers = {f"q{rating.pk}": "5"}
        if n >= 2:
            answers[f"q{choice.pk}"] = "Plénière"
        _answer(event, answers)
    choices = _rows(_report(client, event), "Format préféré")
    assert choices["Sans réponse"] == "< 5"  # 2 people skipped the question
    # 7 - 5 = 2 would give it back: the empty "Tables rondes" is hidden with it.
    assert choices == {"Tables rondes": "< 5", "Plénière": "5", "Sans réponse": "< 5"}


def test_a_small_participant_count_reads_less_than_five(client: Client) -> None:
    past = EventFactory.create(past=True, participant_count=3)
    html = client.get(reverse("events:detail", args=[past.slug])).content.decode()
    assert "&lt; 5 participants" in html and "3 participants" not in html
    past.participant_count = 12
    past.save()
    assert "12 participants" in client.get(reverse("events:detail", args=[past.slug])).content.decode()


def test_the_rule() -> None:
    assert [str(c) for c in protect([0, 7, 9])] == ["0", "7", "9"]
    assert [str(c) for c in protect([1, 2, 9])] == ["< 5", "< 5", "9"]  # two hidden: no subtraction gives one
    assert [str(c) for c in protect([3, 6, 9])] == ["< 5", "≥ 5", "9"]
    assert [str(c) for c in protect([3, 0, 9])] == ["< 5", "< 5", "9"]
    assert [str(c) for c in protect([3, 6, 9], total_shown=False)] == ["< 5", "6", "9"]
    assert str(small_count(4)) == "< 5" and str(small_count(5)) == "5" and str(small_count(0)) == "0"
    assert Count(3, hidden=True).shown is None
