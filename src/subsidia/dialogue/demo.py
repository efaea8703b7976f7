"""The dialogue part of ``subsidia load-demo``: the MEGA's quarterly "Réunion des gestionnaires des
organismes conventionnés" with its 11 conventioned organisations and the demo officer.

The series is set up through the services by the demo officer, its first meeting about two months ago, so
that the cadence generates the meetings of the coming year. The first meeting was held: attendance,
minutes, decisions, published minutes, three action items (two still open, one of them for Femmes en
détresse, whose gestionnaire is the demo partner account; one done since), all carried over to the next
meeting; on that one, the officer has put two points on the agenda and the gestionnaire of Femmes en
détresse has proposed one. What the services date "now" is set back to the day of the story.

Idempotent: the series is matched on its department and title; once it exists, nothing is added (its
meetings move on with time, and the worker keeps a year of meetings generated). Minutes, names and
decisions are invented and marked "(exemple)".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.conventions.demo import MEGA, MEGA_CONVENTIONS, gestionnaire, notifications_as_of
from subsidia.core.errors import RuleViolation
from subsidia.organisations.models import Organisation

from . import cadence, services, services_actions, services_agenda, services_meetings
from .inputs import ActionInput, AgendaProposal, AttendanceRow, MinutesInput, SeriesInput
from .models import ActionItem, ActionStatus, AgendaItem, AttendanceStatus, Cadence, Meeting, MeetingSeries

OFFICER = "officer@demo.subsidia.lu"
FED = "Femmes en détresse"
CNFL = "Conseil national des femmes du Luxembourg"
TITLE = "Réunion des gestionnaires des organismes conventionnés"
PLACE = "Ministère de l'Égalité des genres et de la Diversité, salle de réunion (exemple)"
EXCUSED = {"Rosa Lëtzebuerg", "Initiativ Rem Schaffen"}


def _user(email: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(f"The dialogue demo needs the demo account {email!r}.")
    return user


def _call(what: str, service: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return service(*args, **kwargs)
    except RuleViolation as error:
        raise CommandError(f"Dialogue demo, {what}: {error}") from error


def _working_day(day: date) -> bool:
    """Monday to Thursday, outside the Christmas and mid-August holidays."""
    holidays = (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 6) \
        or (day.month == 8 and day.day <= 20)
    return day.weekday() < 4 and not holidays


def first_meeting(today: date) -> datetime:
    """About two months ago, at 14:00, on a day such that this meeting and the next four of the quarterly
    cadence fall on a working day."""
    for days_ago in range(60, 90):
        start = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(14, 0)))
        days = [timezone.localtime(cadence.occurrence(start, Cadence.QUARTERLY, n)).date() for n in range(5)]
        if all(_working_day(day) for day in days):
            return start
    return timezone.make_aware(datetime.combine(today - timedelta(days=60), time(14, 0)))


def _representative(organisation: Organisation) -> str:
    name = organisation.acronym or organisation.name
    of = "d'" if name[0].lower() in "aeiouyéèh" else "de "
    return f"Représentant·e {of}{name} (exemple)"


def _minutes(organisations: list[Organisation]) -> str:
    return "\n\n".join([
        "1. Tour de table. Chaque organisme présente l'évolution de son activité depuis le début de l'année : "
        "les services d'hébergement signalent un taux d'occupation élevé, les services de consultation une "
        "hausse des demandes (exemple).",
        "2. Conventions et rapports annuels. Le ministère rappelle que les rapports d'activité et les décomptes "
        "financiers sont à remettre au plus tard le 31 mars ; il propose un modèle commun de rapport d'activité "
        "(exemple).",
        "3. Campagne Orange Week. Les organismes coordonnent leurs actions autour du 25 novembre, journée "
        "internationale pour l'élimination de la violence à l'égard des femmes (exemple).",
        f"Organismes représentés : {len(organisations) - len(EXCUSED)} sur {len(organisations)} (exemple).",
    ])


def load_dialogue_demo(counts: Counter[tuple[str, str]], today: date | None = None) -> None:
    """Load the MEGA's meeting series (run by ``load-demo`` after the conventions demo)."""
    today = today or timezone.localdate()
    mega = Organisation.objects.filter(name=MEGA).first()
    if mega is None:
        raise CommandError(f"The dialogue demo needs the organisation {MEGA!r}.")
    existing = MeetingSeries.objects.filter(department=mega, title=TITLE).first()
    if existing is not None:
        counts["Meeting series", "unchanged"] += 1
        counts["Meetings", "unchanged"] += existing.meetings.count()
        counts["Action items", "unchanged"] += existing.action_items.count()
        return
    names = list(dict.fromkeys(name for name, _domain in MEGA_CONVENTIONS))
    organisations = list(Organisation.objects.filter(name__in=names).order_by("name"))
    if len(organisations) != len(names):
        raise CommandError("The dialogue demo needs the MEGA's 11 conventioned organisations.")
    by_name = {o.name: o for o in organisations}
    officer = _user(OFFICER)
    fed_gestionnaire = gestionnaire(by_name[FED])
    if fed_gestionnaire is None:
        raise CommandError(f"The dialogue demo needs a gestionnaire of {FED!r}.")
    first = first_meeting(today)
    set_up = first - timedelta(days=30)

    with notifications_as_of(set_up):
        series = _call(TITLE, services.create_series, officer, SeriesInput(
            title=TITLE, department=mega.pk, cadence=Cadence.QUARTERLY, first_starts_at=first,
            duration_minutes=150, place=PLACE, organisations=[o.pk for o in organisations],
            ministry_participants=[officer.pk],
            description=(
                "Échange trimestriel entre le ministère et les gestionnaires des organismes qu'il conventionne : "
                "suivi des conventions et des rapports annuels, questions communes, actions de sensibilisation "
                "(exemple)."),
        ))
    MeetingSeries.objects.filter(pk=series.pk).update(is_example=True, created_at=set_up)
    meetings = list(series.meetings.order_by("starts_at"))
    counts["Meeting series", "created"] += 1
    counts["Meetings", "created"] += len(meetings)
    held, following = meetings[0], meetings[1]
    if held.starts_at > timezone.now() or following.starts_at <= timezone.now():
        raise CommandError("The dialogue demo expects one past meeting and the next ones to come.")

    # The meeting held about two months ago: attendance, minutes, decisions, published a few days later.
    written = held.ends_at + timedelta(days=2)
    attendance = [AttendanceRow(person_name=officer.full_name or officer.email)]
    for organisation in organisations:
        person = (fed_gestionnaire.full_name if organisation.name == FED
                  else _representative(organisation))
        attendance.append(AttendanceRow(person_name=person, organisation=organisation.pk, status=(
            AttendanceStatus.EXCUSED if organisation.name in EXCUSED else AttendanceStatus.PRESENT)))
    with notifications_as_of(written):
        held = _call("minutes", services_meetings.record_minutes, officer, held, MinutesInput(
            _minutes(organisations), attendance=attendance, decisions=[
                "Les rapports d'activité suivent désormais le modèle commun proposé par le ministère (exemple).",
                "Une réunion thématique sur l'hébergement d'urgence en hiver est inscrite à la prochaine réunion "
                "(exemple).",
                "Les organismes transmettent au ministère leurs actions prévues pour l'Orange Week (exemple).",
            ]))
    with notifications_as_of(written + timedelta(days=1), keep=True, read=True):
        held = _call("minutes", services_meetings.publish_minutes, officer, held)
    Meeting.objects.filter(pk=held.pk).update(minutes_published_at=written + timedelta(days=1))

    # The action items decided then: two still open (Femmes en détresse, the CNFL), one done since.
    due = timezone.localtime(following.starts_at).date() - timedelta(days=7)
    actions = [
        (ActionInput(title="Transmettre les chiffres d'occupation des foyers pour le bilan annuel (exemple)",
                     description="Nombre de femmes et d'enfants hébergés, demandes refusées faute de place "
                                 "(exemple).",
                     owner=fed_gestionnaire.pk, owner_organisation=by_name[FED].pk, due_on=due), False),
        (ActionInput(title="Coordonner le calendrier commun des actions de l'Orange Week (exemple)",
                     owner_organisation=by_name[CNFL].pk, due_on=due), False),
        (ActionInput(title="Diffuser la liste des personnes de contact de chaque organisme (exemple)",
                     owner=officer.pk, due_on=timezone.localtime(held.starts_at).date() + timedelta(days=14)), True),
    ]
    for data, done in actions:
        with notifications_as_of(written, keep=not done, read=False):
            item = _call("action item", services_actions.add_action_item, officer, held, data)
        ActionItem.objects.filter(pk=item.pk).update(created_at=written)
        if done:
            closed = written + timedelta(days=8)
            with notifications_as_of(closed):
                _call("action item", services_actions.update_action_item, officer, item,
                      replace(ActionInput.of(item), status=ActionStatus.DONE))
            ActionItem.objects.filter(pk=item.pk).update(closed_at=closed)
        counts["Action items", "created"] += 1

    # The next meeting's agenda: two points by the officer, one proposed by Femmes en détresse.
    proposed = max(timezone.now() - timedelta(days=3), written + timedelta(days=10))
    with notifications_as_of(proposed):
        for title in ("Suivi des actions de la réunion précédente",
                      "Rapports annuels : le modèle commun de rapport d'activité (exemple)"):
            _call("agenda", services_agenda.propose_agenda_item, officer, following, AgendaProposal(title))
    with notifications_as_of(proposed, keep=True, read=False):
        _call("agenda", services_agenda.propose_agenda_item, fed_gestionnaire, following, AgendaProposal(
            "Places d'hébergement d'urgence pendant l'hiver (exemple)",
            "Faire le point sur les places disponibles et l'orientation des femmes refusées faute de place "
            "(exemple).", by_name[FED].pk))
    AgendaItem.objects.filter(meeting=following).update(created_at=proposed)
