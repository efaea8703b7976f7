"""The events part of ``subsidia load-demo``: the national conference on integration at the local level
(Mersch, Saturday 11 February 2017, 162 participants, three thematic blocks) with its programme, its evaluation
and photos, and three events around today: a journée d'échange of the municipalities in about forty days
(registration open, two tables), an online workshop of a partner in about twenty days (full, one person on the
waiting list) and a morning held last month (registrations still within their retention period).

The 2017 conference is history: it is written to the models directly. Its date, place, attendance and blocks
are those of the real conference; the programme's details, the evaluation (questions, answers, report) and the
photos are invented and marked "(exemple)". Its registrations are gone (retention over), only the count stays.
The events around today are invented (``is_example``), their dates relative to the day the demo is loaded.

Idempotent: events are matched on their slug, blocks on their title, sessions on their title and start, the
evaluation questions on their text, registrations on their e-mail address, photos on their caption. An event
that exists is not moved (its dates stay those of the day it was first loaded).
"""

from __future__ import annotations

import io
import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.core.html import sanitise
from subsidia.organisations.models import Municipality, Organisation, Theme

from .models import (
    Block,
    BlockChoice,
    BlockKind,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    Event,
    EventStatus,
    Photo,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Session,
)

M = TypeVar("M", bound=models.Model)

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")
INTEGRATION = "Département de l'intégration"
ASTI = "Association de soutien aux travailleurs immigrés"
OFFICER = "officer@demo.subsidia.lu"

MERSCH_SLUG = "conference-nationale-integration-locale-2017"
MERSCH_DAY = date(2017, 2, 11)
MERSCH_PARTICIPANTS = 162
BLOCKS = ["Logement social abordable", "Plan communal d'intégration", "Vivre ensemble et participation"]
UPCOMING_SLUG = "journee-communes-integration-exemple"
ONLINE_SLUG = "atelier-en-ligne-demande-de-subside-exemple"
PAST_SLUG = "matinee-accueil-nouveaux-arrivants-exemple"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute``, Luxembourg time."""
    return datetime.combine(day, time(hour, minute), tzinfo=LUXEMBOURG)


def get_or_add(counts: Counter[tuple[str, str]], label: str, model: type[M], lookup: dict[str, Any],
               values: dict[str, Any] | None = None) -> tuple[M, bool]:
    """The row matching ``lookup``, or a new one with ``values`` (checked, then saved); counted under ``label``.
    An existing row is left as it is."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is not None:
        counts[label, "unchanged"] += 1
        return obj, False
    obj = model(**lookup, **(values or {}))
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise CommandError(f"Invalid demo {model._meta.verbose_name} {lookup}: {exc.messages}") from exc
    obj.save()
    counts[label, "created"] += 1
    return obj, True


def organisation(name: str) -> Organisation:
    found = Organisation.objects.filter(name=name).first()
    if found is None:
        raise CommandError(f"The events demo needs the organisation {name!r}.")
    return found


def municipality(name: str) -> Municipality:
    found = Municipality.objects.filter(name=name).first()
    if found is None:
        raise CommandError(f"The events demo needs the municipality {name!r}.")
    return found


def integration_theme() -> list[Theme]:
    return list(Theme.objects.filter(code="integration"))


# --- The 2017 conference in Mersch -------------------------------------------------------------------------

MERSCH_DESCRIPTION = """
<p>Organisée par le Département de l'intégration avec la Commune de Mersch, cette matinée a réuni
162 responsables politiques et agents communaux autour de l'intégration au niveau local.</p>
<p>Après l'accueil et une introduction, les participants ont fait le tour de « speed tables » dans trois blocs
thématiques : <strong>logement social abordable</strong>, <strong>plan communal d'intégration</strong> et
<strong>vivre ensemble et participation</strong>. À chaque table, une commune ou une association présentait une
bonne pratique en quelques minutes, puis répondait aux questions. 24 bonnes pratiques ont ainsi été présentées.</p>
<p>Les projets et bonnes pratiques, les photos, le rapport d'évaluation et les coordonnées des organismes
compétents sont publiés ici et tenus à jour.</p>
<p><em>Dans cette démonstration, le détail du programme, les bonnes pratiques, l'évaluation et les photos sont
des exemples.</em></p>
"""

BLOCK_DESCRIPTIONS = {
    BLOCKS[0]: "Mobiliser des logements à loyer modéré et accompagner les ménages (exemple).",
    BLOCKS[1]: "Construire, adopter et suivre un plan communal d'intégration (exemple).",
    BLOCKS[2]: "Favoriser les rencontres et la participation de tous les résidents à la vie locale (exemple).",
}

# (title, block index or None, start, end, speakers, room)
MERSCH_PROGRAMME: list[tuple[str, int | None, tuple[int, int], tuple[int, int], str, str]] = [
    ("Accueil des participants", None, (8, 30), (9, 0), "", "Hall d'entrée (exemple)"),
    ("Mot de bienvenue", None, (9, 0), (9, 15), "Bourgmestre de la Commune de Mersch (exemple)",
     "Grande salle (exemple)"),
    ("Introduction : l'intégration, une responsabilité partagée avec les communes", None, (9, 15), (9, 45),
     "Direction du Département de l'intégration (exemple)", "Grande salle (exemple)"),
    ("Speed tables — Logement social abordable", 0, (9, 50), (10, 50), "", "Salle A (exemple)"),
    ("Speed tables — Plan communal d'intégration", 1, (9, 50), (10, 50), "", "Salle B (exemple)"),
    ("Speed tables — Vivre ensemble et participation", 2, (9, 50), (10, 50), "", "Salle C (exemple)"),
    ("Pause", None, (10, 50), (11, 10), "", "Hall d'entrée (exemple)"),
    ("Speed tables, second tour — Logement social abordable", 0, (11, 10), (12, 10), "", "Salle A (exemple)"),
    ("Speed tables, second tour — Plan communal d'intégration", 1, (11, 10), (12, 10), "", "Salle B (exemple)"),
    ("Speed tables, second tour — Vivre ensemble et participation", 2, (11, 10), (12, 10), "",
     "Salle C (exemple)"),
    ("Conclusions et suites de la conférence", None, (12, 15), (12, 45),
     "Rapporteurs des trois blocs (exemple)\nDépartement de l'intégration (exemple)", "Grande salle (exemple)"),
    ("Verre de l'amitié", None, (12, 45), (13, 30), "", "Hall d'entrée (exemple)"),
]

OVERALL = "Comment évaluez-vous la conférence dans son ensemble ?"
TABLES = "Les speed tables vous ont-elles permis d'échanger utilement avec d'autres communes ?"
FOLLOWED = "Quel bloc thématique avez-vous suivi ?"
NEXT = "Quel sujet souhaitez-vous voir traité lors d'une prochaine rencontre ?"
EVALUATION_RESPONSES = 30
SUGGESTIONS = [
    "L'accueil des demandeurs de protection internationale dans les communes.",
    "Le financement des projets d'intégration par les communes.",
    "La communication multilingue des communes.",
    "Plus de temps pour les échanges entre communes de même taille.",
    "La participation politique des résidents étrangers.",
    "",
]


def load_mersch(counts: Counter[tuple[str, str]]) -> Event:
    """The 2017 conference, its blocks, programme, evaluation and photos."""
    integration, mersch = organisation(INTEGRATION), organisation("Commune de Mersch")
    event, created = get_or_add(counts, "Events", Event, {"slug": MERSCH_SLUG}, {
        "title": "Conférence nationale sur l'intégration au niveau local",
        "summary": (
            "Une matinée d'échange pour les responsables et agents communaux : 162 participants et 24 bonnes "
            "pratiques présentées en « speed tables » dans trois blocs thématiques."),
        "description": sanitise(MERSCH_DESCRIPTION),
        "starts_at": at(MERSCH_DAY, 8, 30), "ends_at": at(MERSCH_DAY, 13, 30),
        "place": "Mersch", "municipality": municipality("Mersch"),
        "audience": "Responsables politiques et agents communaux",
        "registration_opens_at": at(date(2017, 1, 9), 9), "registration_closes_at": at(date(2017, 2, 6), 23, 59),
        "registration_enabled": True, "blocks_per_person": 1, "status": EventStatus.PUBLISHED,
        "retention_days": 180, "participant_count": MERSCH_PARTICIPANTS,
        "registration_data_deleted_at": at(MERSCH_DAY + timedelta(days=181), 3),
        "evaluation_sent_at": at(date(2017, 2, 13), 10),
        "allocation_seed": "2017021100000000",
        "created_at": at(date(2016, 12, 15), 10),
    })
    if created:
        event.organisers.set([integration])
        event.partners.set([mersch])
        event.themes.set(integration_theme())
    blocks = []
    for position, title in enumerate(BLOCKS, start=1):
        block, _created = get_or_add(counts, "Event blocks", Block, {"event": event, "title": title}, {
            "kind": BlockKind.BLOCK, "description": BLOCK_DESCRIPTIONS[title], "position": position})
        blocks.append(block)
    for title, block_index, start, end, speakers, room in MERSCH_PROGRAMME:
        get_or_add(counts, "Sessions", Session, {"event": event, "title": title, "starts_at": at(MERSCH_DAY, *start)}, {
            "block": None if block_index is None else blocks[block_index],
            "ends_at": at(MERSCH_DAY, *end), "speakers": speakers, "room": room,
            "description": ("Présentation de huit bonnes pratiques, quelques minutes chacune, puis questions "
                            "(exemple).") if block_index is not None else "",
        })
    load_mersch_evaluation(counts, event)
    load_photos(counts, event)
    return event


def load_mersch_evaluation(counts: Counter[tuple[str, str]], event: Event) -> None:
    specs = [
        (OVERALL, QuestionKind.RATING, "", True),
        (TABLES, QuestionKind.RATING, "", True),
        (FOLLOWED, QuestionKind.CHOICE, "\n".join(BLOCKS), False),
        (NEXT, QuestionKind.TEXT, "", False),
    ]
    questions = {}
    for position, (text, kind, options, required) in enumerate(specs, start=1):
        questions[text], _created = get_or_add(
            counts, "Evaluation questions", EvaluationQuestion, {"event": event, "text": text},
            {"position": position, "kind": kind, "options": options, "required": required})
    if event.evaluation_responses.exists():
        counts["Evaluation responses", "unchanged"] += event.evaluation_responses.count()
    else:
        lottery = random.Random(MERSCH_DAY.toordinal())  # noqa: S311 - reproducible example answers
        for n in range(EVALUATION_RESPONSES):
            response = EvaluationResponse.objects.create(
                event=event, submitted_at=at(date(2017, 2, 13) + timedelta(days=n // 6), 9 + n % 8, 7 * n % 60))
            EvaluationAnswer.objects.bulk_create([
                EvaluationAnswer(response=response, question=questions[OVERALL],
                                 rating=lottery.choices([3, 4, 5], weights=[2, 5, 4])[0]),
                EvaluationAnswer(response=response, question=questions[TABLES],
                                 rating=lottery.choices([2, 3, 4, 5], weights=[1, 2, 5, 4])[0]),
                EvaluationAnswer(response=response, question=questions[FOLLOWED], choice=BLOCKS[n % 3]),
                EvaluationAnswer(response=response, question=questions[NEXT], text=SUGGESTIONS[n % len(SUGGESTIONS)]),
            ])
            counts["Evaluation responses", "created"] += 1
    if not event.evaluation_report:
        event.evaluation_report = sanitise(evaluation_report(event))
        event.evaluation_published_at = at(date(2017, 3, 31), 10)
        event.save(update_fields=["evaluation_report", "evaluation_published_at", "updated_at"])


def evaluation_report(event: Event) -> str:
    def average(text: str) -> str:
        ratings = [a.rating for a in EvaluationAnswer.objects.filter(question__event=event, question__text=text)
                   if a.rating]
        return f"{sum(ratings) / len(ratings):.1f}".replace(".", ",") if ratings else "?"

    responses = event.evaluation_responses.count()
    return f"""
<p><em>Rapport d'exemple : les réponses au questionnaire de cette démonstration sont inventées.</em></p>
<h2>Participation</h2>
<p>{MERSCH_PARTICIPANTS} personnes ont participé à la conférence ; {responses} ont répondu au questionnaire
d'évaluation envoyé le surlendemain.</p>
<h2>Appréciation générale</h2>
<p>Note moyenne de la conférence : <strong>{average(OVERALL)} sur 5</strong>. Note moyenne des échanges en
« speed tables » : <strong>{average(TABLES)} sur 5</strong>.</p>
<p>Les participants apprécient le format court et concret des présentations et demandent davantage de temps
pour les échanges entre communes de taille comparable.</p>
<h2>Suites</h2>
<ul>
<li>Les 24 bonnes pratiques sont publiées et tenues à jour, avec les coordonnées des personnes de contact.</li>
<li>Les sujets les plus demandés pour une prochaine rencontre : la communication multilingue, la participation
politique des résidents étrangers, le financement des projets.</li>
</ul>
"""


PHOTOS = [
    ("Accueil des participants à Mersch (photo d'exemple)",
     "Image d'exemple : rectangle bleu portant la mention « Photo d'exemple — Accueil ».", "Accueil",
     (31, 78, 121)),
    ("Speed table du bloc « Logement social abordable » (photo d'exemple)",
     "Image d'exemple : rectangle vert portant la mention « Photo d'exemple — Logement ».", "Logement",
     (46, 107, 62)),
    ("Speed table du bloc « Plan communal d'intégration » (photo d'exemple)",
     "Image d'exemple : rectangle violet portant la mention « Photo d'exemple — Plan communal ».",
     "Plan communal", (91, 62, 122)),
    ("Conclusions de la conférence en grande salle (photo d'exemple)",
     "Image d'exemple : rectangle brun portant la mention « Photo d'exemple — Conclusions ».", "Conclusions",
     (122, 74, 31)),
]


def placeholder_png(label: str, colour: tuple[int, int, int]) -> bytes:
    """A small coloured PNG saying "Photo d'exemple" and ``label``."""
    from PIL import Image, ImageDraw  # Pillow, installed with weasyprint and qrcode

    image = Image.new("RGB", (640, 400), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, 623, 383), outline=(255, 255, 255), width=4)
    draw.text((320, 180), "Photo d'exemple", fill=(255, 255, 255), anchor="mm", font_size=40)
    draw.text((320, 240), label, fill=(255, 255, 255), anchor="mm", font_size=28)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def load_photos(counts: Counter[tuple[str, str]], event: Event) -> None:
    for position, (caption, alt_text, label, colour) in enumerate(PHOTOS, start=1):
        if event.photos.filter(caption=caption).exists():
            counts["Photos", "unchanged"] += 1
            continue
        data = placeholder_png(label, colour)
        photo = Photo(event=event, caption=caption, alt_text=alt_text, credit="Subsidia (image d'exemple)",
                      content_type="image/png", size=len(data), position=position,
                      uploaded_at=at(date(2017, 2, 20), 10))
        photo.image.save(f"photo-{position}.png", ContentFile(data), save=False)
        photo.save()
        counts["Photos", "created"] += 1


# --- Events around today -----------------------------------------------------------------------------------

# Fictitious registrants: (name, e-mail, organisation, municipality).
PEOPLE = [
    ("Anne Muller (exemple)", "anne.muller@example.lu", "Commune de Mersch", "Mersch"),
    ("Paulo Ferreira (exemple)", "paulo.ferreira@example.lu", "Ville d'Esch-sur-Alzette", "Esch-sur-Alzette"),
    ("Claire Weber (exemple)", "claire.weber@example.lu", "Ville de Differdange", "Differdange"),
    ("Marc Schmit (exemple)", "marc.schmit@example.lu", "Commune d'Ettelbruck (exemple)", "Ettelbruck"),
    ("Sofia Da Silva (exemple)", "sofia.dasilva@example.lu", "Ville de Dudelange (exemple)", "Dudelange"),
    ("Luc Hoffmann (exemple)", "luc.hoffmann@example.lu", "Commune de Diekirch (exemple)", "Diekirch"),
    ("Nadia Benali (exemple)", "nadia.benali@example.lu", "Association locale (exemple)", "Luxembourg"),
    ("Tom Reuter (exemple)", "tom.reuter@example.lu", "Ville de Luxembourg", "Luxembourg"),
]


def _register(counts: Counter[tuple[str, str]], event: Event, person: tuple[str, str, str, str],
              created_at: datetime, status: str = RegistrationStatus.CONFIRMED,
              **extra: Any) -> tuple[Registration, bool]:
    name, email, organisation_name, town = person
    values: dict[str, Any] = {
        "full_name": name, "organisation_name": organisation_name, "municipality": municipality(town),
        "status": status, "created_at": created_at,
        "waitlisted_at": created_at if status == RegistrationStatus.WAITLISTED else None, **extra,
    }
    return get_or_add(counts, "Registrations", Registration, {"event": event, "email": email}, values)


def load_upcoming(counts: Counter[tuple[str, str]], today: date, officer: User | None) -> list[Event]:
    integration, asti = organisation(INTEGRATION), organisation(ASTI)
    now = timezone.now()

    # A journée d'échange in about forty days: registration open, two tables of 60, one table per person.
    day = today + timedelta(days=40)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    conference, created = get_or_add(counts, "Events", Event, {"slug": UPCOMING_SLUG}, {
        "title": "Journée d'échange des communes : plan d'intégration et participation (exemple)",
        "summary": ("Une journée pour les élus et agents communaux : retours d'expérience et deux tables d'échange "
                    "sur le plan communal d'intégration et la commission consultative (exemple)."),
        "description": sanitise(
            "<p>Le matin, des communes présentent leur démarche ; l'après-midi, chaque participant rejoint l'une "
            "des deux tables d'échange, selon la préférence indiquée lors de l'inscription et dans la limite des "
            "places.</p><p><em>Événement d'exemple.</em></p>"),
        "starts_at": at(day, 9), "ends_at": at(day, 16), "place": "Centre culturel (lieu d'exemple)",
        "address": "1, rue de l'Exemple, L-9000 Ettelbruck", "municipality": municipality("Ettelbruck"),
        "audience": "Responsables politiques et agents communaux", "capacity": 120,
        "registration_opens_at": now - timedelta(days=10),
        "registration_closes_at": at(day - timedelta(days=7), 23, 59),
        "blocks_per_person": 1, "status": EventStatus.PUBLISHED, "is_example": True, "created_by": officer,
        "created_at": now - timedelta(days=12),
    })
    if created:
        conference.organisers.set([integration])
        conference.themes.set(integration_theme())
    tables = []
    for position, (title, description) in enumerate([
        ("Table 1 — Mettre en place un plan communal d'intégration",
         "Diagnostic, priorités, suivi : retours d'expérience (exemple)."),
        ("Table 2 — Faire vivre la commission consultative",
         "Composition, fonctionnement, liens avec le conseil communal (exemple)."),
    ], start=1):
        table, _created = get_or_add(counts, "Event blocks", Block, {"event": conference, "title": title}, {
            "kind": BlockKind.TABLE, "description": description, "capacity": 60, "position": position})
        tables.append(table)
    for title, start, end, table_index in [
        ("Accueil", (9, 0), (9, 30), None), ("Retours d'expérience des communes (exemple)", (9, 30), (12, 0), None),
        ("Déjeuner", (12, 0), (13, 30), None), (tables[0].title, (13, 30), (15, 30), 0),
        (tables[1].title, (13, 30), (15, 30), 1), ("Conclusions", (15, 30), (16, 0), None),
    ]:
        get_or_add(counts, "Sessions", Session, {"event": conference, "title": title, "starts_at": at(day, *start)},
                   {"ends_at": at(day, *end), "block": None if table_index is None else tables[table_index],
                    "capacity": 60 if table_index is not None else None})
    for n, person in enumerate(PEOPLE[:6]):
        registration, new = _register(counts, conference, person, now - timedelta(days=9 - n))
        if new:
            first, second = (tables[0], tables[1]) if n % 3 else (tables[1], tables[0])
            BlockChoice.objects.bulk_create([BlockChoice(registration=registration, block=first, rank=1),
                                             BlockChoice(registration=registration, block=second, rank=2)])

    # An online workshop of a partner in about twenty days: a small group, full, one person waiting.
    day = today + timedelta(days=20)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    workshop, created = get_or_add(counts, "Events", Event, {"slug": ONLINE_SLUG}, {
        "title": "Atelier en ligne : rédiger une demande de subside (exemple)",
        "summary": "Un atelier en petit groupe pour les associations qui préparent une première demande (exemple).",
        "description": sanitise(
            "<p>Les étapes d'une demande dans Subsidia : description du projet, budget, pièces à joindre ; "
            "questions des participants. Le lien de connexion est envoyé avec la confirmation.</p>"
            "<p><em>Événement d'exemple.</em></p>"),
        "starts_at": at(day, 18), "ends_at": at(day, 19, 30), "online_url": "https://visio.example.lu/atelier-subsides",
        "audience": "Associations", "capacity": 5,
        "registration_opens_at": now - timedelta(days=6), "registration_closes_at": at(day - timedelta(days=1), 12),
        "status": EventStatus.PUBLISHED, "is_example": True, "created_by": officer,
        "created_at": now - timedelta(days=7),
    })
    if created:
        workshop.organisers.set([asti])
        workshop.partners.set([integration])
        workshop.themes.set(integration_theme())
    for n, person in enumerate(PEOPLE[2:8]):
        _register(counts, workshop, person, now - timedelta(days=5, hours=-n),
                  status=RegistrationStatus.CONFIRMED if n < 5 else RegistrationStatus.WAITLISTED)

    # A morning held last month: registrations still within their retention period, people checked in.
    day = today - timedelta(days=25)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    morning, created = get_or_add(counts, "Events", Event, {"slug": PAST_SLUG}, {
        "title": "Matinée d'échange : l'accueil des nouveaux arrivants dans les communes (exemple)",
        "summary": "Les services communaux partagent leurs pratiques d'accueil des nouveaux habitants (exemple).",
        "description": sanitise("<p>Soirées d'accueil, brochures traduites, parrainage : une matinée d'échange "
                                "entre services communaux.</p><p><em>Événement d'exemple.</em></p>"),
        "starts_at": at(day, 9), "ends_at": at(day, 12, 30), "place": "Salle des fêtes (lieu d'exemple)",
        "municipality": municipality("Differdange"), "audience": "Agents communaux", "capacity": 40,
        "registration_opens_at": at(day - timedelta(days=40), 9),
        "registration_closes_at": at(day - timedelta(days=2), 12),
        "status": EventStatus.PUBLISHED, "is_example": True, "created_by": officer,
        "created_at": at(day - timedelta(days=45), 10),
    })
    if created:
        morning.organisers.set([integration])
        morning.partners.set([organisation("Ville de Differdange")])
        morning.themes.set(integration_theme())
    for n, person in enumerate(PEOPLE):
        registered = at(day - timedelta(days=30 - 2 * n), 10)
        if n == 7:
            _register(counts, morning, person, registered, status=RegistrationStatus.CANCELLED,
                      cancelled_at=at(day - timedelta(days=3), 18))
        else:
            _register(counts, morning, person, registered,
                      checked_in_at=at(day, 8, 45 + n) if n < 6 else None, checked_in_by=officer if n < 6 else None)
    return [conference, workshop, morning]


def load_events_demo(counts: Counter[tuple[str, str]], today: date | None = None) -> None:
    """Load the 2017 conference in Mersch and the events around today (run by ``load-demo``)."""
    today = today or timezone.localdate()
    officer = User.objects.filter(email__iexact=OFFICER).first()
    load_mersch(counts)
    load_upcoming(counts, today, officer)
