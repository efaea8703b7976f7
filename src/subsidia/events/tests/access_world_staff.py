"""Objects of the staff side of events in the access matrix's world: a past published event with its programme,
an attendee invited to the questionnaire, an answered and an unanswered question, a published report and two
photos; an upcoming published event with a block, a session and a registration; and a draft."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from subsidia.events import evaluation, gallery
from subsidia.events.inputs import PhotoTexts
from subsidia.events.models import Block, BlockChoice, EventStatus, QuestionKind, Session

from .factories_staff import PNG, QuestionFactory, RegistrationFactory, StaffEventFactory

PHOTO_TEXTS = {"caption": "Accueil des participants", "credit": "Ministère (exemple)",
               "alt_text": "Des participants s'inscrivent à l'accueil"}


def add_event_staff(world: dict[str, Any]) -> None:
    officer = world["people"]["officer"]
    start = timezone.now().replace(microsecond=0) - timedelta(days=3)
    past = StaffEventFactory.create(title="Conférence passée", slug="conference-passee", starts_at=start,
                                    ends_at=start + timedelta(hours=4), evaluation_report="<p>Bilan.</p>")
    block = Block.objects.create(event=past, title="Vivre ensemble", capacity=10)
    Session.objects.create(event=past, block=block, title="Table 1", starts_at=past.starts_at,
                           ends_at=past.starts_at + timedelta(hours=1))
    answered = QuestionFactory.create(event=past, text="Note globale", kind=QuestionKind.RATING, position=1)
    unanswered = QuestionFactory.create(event=past, text="Suggestions", kind=QuestionKind.TEXT, position=2)
    respondent = RegistrationFactory.create(event=past, checked_in_at=timezone.now(),
                                            evaluation_invited_at=timezone.now())
    evaluation.submit_response(respondent, {f"q{answered.pk}": "4"})
    invited = RegistrationFactory.create(event=past, checked_in_at=timezone.now(), evaluation_invited_at=timezone.now())
    RegistrationFactory.create(event=past, checked_in_at=timezone.now())  # not invited yet: sending has work to do
    past.evaluation_published_at = timezone.now()
    past.save()
    photos = [gallery.add_photo(officer, past, SimpleUploadedFile(f"p{n}.png", PNG, "image/png"),
                                PhotoTexts(**PHOTO_TEXTS))
              for n in range(2)]

    upcoming = StaffEventFactory.create(title="Conférence à venir", slug="conference-a-venir")
    upcoming_block = Block.objects.create(event=upcoming, title="Logement abordable", capacity=10)
    spare_block = Block.objects.create(event=upcoming, title="Bloc sans choix", capacity=10)
    upcoming_session = Session.objects.create(event=upcoming, title="Plénière", starts_at=upcoming.starts_at,
                                              ends_at=upcoming.starts_at + timedelta(hours=1))
    registration = RegistrationFactory.create(event=upcoming)
    BlockChoice.objects.create(registration=registration, block=upcoming_block, rank=1)
    draft = StaffEventFactory.create(title="Brouillon", slug="brouillon-staff", status=EventStatus.DRAFT)

    world.update({
        "staff_event_past": past, "staff_event_upcoming": upcoming, "staff_event_draft": draft,
        "staff_block": spare_block, "staff_session": upcoming_session, "staff_registration": registration,
        "staff_question_answered": answered, "staff_question_unanswered": unanswered,
        "staff_evaluation_token": evaluation.token_for(invited), "staff_photos": photos,
    })
