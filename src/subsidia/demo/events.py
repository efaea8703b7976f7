"""The events of the demo (``data/events.toml``), told through the events services: the officer creates each
event as a draft with its programme (blocks or tables, sessions, the evaluation questions) and publishes it;
people register on the public page, cancel through their link, are checked in at the door; after the 2017
conference the officer records the attendance, sends the questionnaire, adds the photos, writes and publishes
the evaluation report, and the worker deletes the registrations once their retention period is over (the
answers stay, their link to the person cut).

An event is matched on its title: one that exists is left as it is (its dates stay those of the day it was
first loaded).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from subsidia.accounts.actors import Actor
from subsidia.events import evaluation, gallery, retention
from subsidia.events import services as registrations
from subsidia.events import services_staff as staff
from subsidia.events.inputs import BlockInput, EventInput, PhotoTexts, QuestionInput, RegistrationInput, SessionInput
from subsidia.events.models import Block, EvaluationAnswer, Event, Registration
from subsidia.organisations.models import Municipality, Organisation, Theme

from .data import check_keys, one, read
from .documents import placeholder_png
from .story import Story

OFFICER = "officer@demo.subsidia.lu"
EVENT_KEYS = {
    "title", "summary", "description", "day", "starts", "ends", "place", "address", "municipality", "online_url",
    "audience", "capacity", "organisers", "partners", "themes", "is_example", "created", "published", "opens",
    "closes", "retention_days", "participants", "counted", "block", "session", "registrants", "registration",
    "evaluation", "question", "photo", "photos",
}


def event_named(title: str) -> Event:
    return one(Event, "event", title=title)


def _pk(model: type[Municipality] | type[Organisation], name: str) -> int:
    return one(model, model.__name__.lower(), name=name).pk


class EventStory:
    """One event's acts, from its creation to the deletion of its registrations."""

    def __init__(self, story: Story, entry: dict[str, Any], people: dict[str, dict[str, str]]) -> None:
        check_keys(f"event {entry.get('title')!r}", entry, EVENT_KEYS)
        self.story, self.entry, self.people = story, entry, people
        self.title = entry["title"]
        self.day = story.day(entry["day"])

    def moment(self, text: str) -> datetime:
        return self.story.moment(text, day=self.day)

    def tell(self) -> None:
        entry, add = self.entry, self.story.add
        self.story.count("Events", "created")
        self.story.count("Event blocks", "created", len(entry.get("block", [])))
        self.story.count("Sessions", "created", len(entry.get("session", [])))
        add(self.moment(entry["created"]), OFFICER, f"event {self.title!r}", self._create)
        add(self.moment(entry["published"]), OFFICER, f"publication of {self.title!r}", self._publish)
        for n, registration in enumerate(entry.get("registration", [])):
            self._registration(n, registration)
        if "registrants" in entry:
            self._registrants(entry["registrants"])
        if "participants" in entry:
            add(self.moment(entry["counted"]), OFFICER, f"attendance of {self.title!r}", self._count)
        if "evaluation" in entry:
            self._evaluation(entry["evaluation"])
        if "photo" in entry:
            add(self.moment(entry["photos"]), OFFICER, f"photos of {self.title!r}", self._photos)
        if "registrants" in entry:
            # The worker's daily job, the night after the retention period ends.
            ends = self.moment(f"day at {entry['ends']}")
            purge = self.story.at((ends + timedelta(days=entry["retention_days"] + 1)).date().isoformat(), "03:00")
            add(purge, "", f"retention of {self.title!r}", lambda _system: retention.delete_expired_registrations())

    def event(self) -> Event:
        return event_named(self.title)

    # --- the officer's acts -----------------------------------------------------------------------------

    def _input(self) -> EventInput:
        entry = self.entry
        return EventInput(
            title=self.title, summary=entry["summary"], description=entry.get("description", ""),
            starts_at=self.moment(f"day at {entry['starts']}"), ends_at=self.moment(f"day at {entry['ends']}"),
            place=entry.get("place", ""), address=entry.get("address", ""), online_url=entry.get("online_url", ""),
            municipality=_pk(Municipality, entry["municipality"]) if "municipality" in entry else None,
            organisers=tuple(_pk(Organisation, name) for name in entry.get("organisers", [])),
            partners=tuple(_pk(Organisation, name) for name in entry.get("partners", [])),
            themes=tuple(one(Theme, "theme", code=code).pk for code in entry.get("themes", [])),
            audience=entry.get("audience", ""), capacity=entry.get("capacity"),
            registration_opens_at=self.moment(entry["opens"]), registration_closes_at=self.moment(entry["closes"]),
            retention_days=entry.get("retention_days", 180), is_example=entry.get("is_example", False))

    def _create(self, officer: Actor | None) -> None:
        assert officer is not None
        event = staff.create_event(officer, self._input())
        blocks = {}
        for position, block in enumerate(self.entry.get("block", []), start=1):
            blocks[block["title"]] = staff.add_block(officer, event, BlockInput(
                title=block["title"], kind=block.get("kind", "block"), description=block.get("description", ""),
                capacity=block.get("capacity"), position=position)).pk
        for session in self.entry.get("session", []):
            staff.add_session(officer, event, SessionInput(
                title=session["title"], starts_at=self.moment(f"day at {session['starts']}"),
                ends_at=self.moment(f"day at {session['ends']}"), block=blocks.get(session.get("block", "")),
                description=session.get("description", ""), speakers=session.get("speakers", ""),
                room=session.get("room", ""), capacity=session.get("capacity")))
        for question in self.entry.get("question", []):
            evaluation.add_question(officer, event, QuestionInput(
                text=question["text"], kind=question["kind"], options=question.get("options", ""),
                required=question.get("required", False)))

    def _publish(self, officer: Actor | None) -> None:
        assert officer is not None
        staff.publish_event(officer, self.event())

    def _count(self, officer: Actor | None) -> None:
        assert officer is not None
        event = self.event()
        staff.update_event(officer, event, replace(EventInput.of(event), participant_count=self.entry["participants"]))

    def _photos(self, officer: Actor | None) -> None:
        assert officer is not None
        event = self.event()
        for n, photo in enumerate(self.entry["photo"], start=1):
            upload = SimpleUploadedFile(f"photo-{n}.png", placeholder_png(photo["label"], tuple(photo["colour"])),
                                        content_type="image/png")
            gallery.add_photo(officer, event, upload, PhotoTexts(
                caption=photo["caption"], credit="Subsidia (image d'exemple)", alt_text=photo["alt_text"]))
        self.story.count("Photos", "created", len(self.entry["photo"]))

    # --- the registrants' acts ------------------------------------------------------------------------

    def _register(self, person: dict[str, str], ranking: list[int], _visitor: Actor | None) -> None:
        event = self.event()
        blocks = list(Block.objects.filter(event=event).order_by("position", "pk").values_list("pk", flat=True))
        town = person.get("municipality")
        registrations.register(None, event, RegistrationInput(
            full_name=person["name"], email=person["email"], organisation_name=person.get("organisation", ""),
            municipality=_pk(Municipality, town) if town else None,
            block_ranking=tuple(blocks[rank - 1] for rank in ranking)))

    def _registered(self, email: str) -> Registration:
        return Registration.objects.get(event=self.event(), email=email)

    def _registration(self, n: int, entry: dict[str, Any]) -> None:
        check_keys(f"registration {n + 1} of {self.title!r}", entry,
                   {"person", "on", "ranking", "checked_in", "cancelled"})
        person = self.people[entry["person"]]
        ranking = entry.get("ranking", [1] if self.entry.get("block") else [])
        what = f"registration of {person['email']} to {self.title!r}"
        self.story.add(self.moment(entry["on"]), "", what, partial(self._register, person, ranking))
        self.story.count("Registrations", "created")
        if "checked_in" in entry:
            self.story.add(self.moment(entry["checked_in"]), OFFICER, f"check-in, {what}",
                           partial(self._check_in, person["email"]))
        if "cancelled" in entry:
            self.story.add(self.moment(entry["cancelled"]), "", f"cancellation, {what}",
                           partial(self._cancel, person["email"]))

    def _check_in(self, email: str, officer: Actor | None) -> None:
        assert officer is not None
        registrations.check_in(officer, self._registered(email))

    def _cancel(self, email: str, _visitor: Actor | None) -> None:
        """The person cancels through the link of their confirmation e-mail."""
        registrations.cancel_registration(None, self._registered(email))

    def _registrants(self, spec: dict[str, Any]) -> None:
        """Numbered fictitious people, spread evenly over the registration window, each in one block in turn."""
        first, closes = self.moment(spec["first"]), self.moment(self.entry["closes"])
        count = spec["count"]
        step = (closes - timedelta(days=1) - first) / count
        for n in range(1, count + 1):
            person = {key: spec[key].format(n=n) for key in ("name", "email", "organisation")}
            self.story.add(first + step * (n - 1), "", f"registration {n} to {self.title!r}",
                           partial(self._register, person, [1 + (n - 1) % len(self.entry["block"])]))
        self.story.count("Registrations", "created", count)

    # --- the evaluation -------------------------------------------------------------------------------

    def _evaluation(self, spec: dict[str, Any]) -> None:
        sent = self.moment(spec["sent"])
        self.story.add(sent, OFFICER, f"questionnaire of {self.title!r}", self._send_questionnaire)
        lottery = random.Random(self.day.toordinal())  # noqa: S311 - reproducible example answers
        for n in range(spec["responses"]):
            answers = self._answers(n, spec, lottery)
            self.story.add(sent + timedelta(hours=2 + 3 * n), "", f"evaluation response {n + 1} to {self.title!r}",
                           partial(self._respond, n, answers))
        self.story.count("Evaluation responses", "created", spec["responses"])
        self.story.add(self.moment(spec["report"]), OFFICER, f"evaluation report of {self.title!r}",
                       partial(self._report, spec["text"]))

    def _send_questionnaire(self, officer: Actor | None) -> None:
        assert officer is not None
        evaluation.send_questionnaire(officer, self.event())

    def _answers(self, n: int, spec: dict[str, Any], lottery: random.Random) -> list[str]:
        """Respondent ``n``'s answers, in the order of the questions: drawn ratings, the block they followed,
        a suggestion."""
        answers = []
        for question in self.entry["question"]:
            if question["kind"] == "rating":
                answers.append(str(lottery.choices(question["answers"], weights=question["weights"])[0]))
            elif question["kind"] == "choice":
                options = question["options"].split("\n")
                answers.append(options[n % len(options)])
            else:
                answers.append(spec["suggestions"][n % len(spec["suggestions"])])
        return answers

    def _respond(self, n: int, answers: list[str], _visitor: Actor | None) -> None:
        invited = Registration.objects.filter(event=self.event(), evaluation_invited_at__isnull=False)
        registration = invited.order_by("created_at", "pk")[n]
        questions = self.event().evaluation_questions.order_by("position", "pk")
        evaluation.submit_response(registration, {f"q{q.pk}": a for q, a in zip(questions, answers, strict=True)})

    def _report(self, template: str, officer: Actor | None) -> None:
        assert officer is not None
        event = self.event()
        ratings = [q.pk for q in event.evaluation_questions.order_by("position", "pk") if q.kind == "rating"]

        def average(pk: int) -> str:
            values = [a.rating for a in EvaluationAnswer.objects.filter(question_id=pk) if a.rating]
            return f"{sum(values) / len(values):.1f}".replace(".", ",") if values else "?"

        text = template.format(participants=event.participant_count, responses=event.evaluation_responses.count(),
                               overall=average(ratings[0]), tables=average(ratings[1]))
        evaluation.update_report(officer, event, text)
        evaluation.publish_report(officer, event)


def tell_events(story: Story) -> None:
    data = read("events.toml")
    people = {person["email"]: person for person in data.get("person", [])}
    for entry in data.get("event", []):
        existing = Event.objects.filter(title=entry.get("title", "")).first()
        if existing is None:
            EventStory(story, entry, people).tell()
            continue
        story.count("Events", "unchanged")
        story.count("Event blocks", "unchanged", existing.blocks.count())
        story.count("Sessions", "unchanged", existing.sessions.count())
        story.count("Registrations", "unchanged", existing.registrations.count())
        story.count("Photos", "unchanged", existing.photos.count())
        story.count("Evaluation responses", "unchanged", existing.evaluation_responses.count())

