from collections.abc import Iterable
from datetime import timedelta

import factory
from django.utils import timezone

from subsidia.conventions.tests.factories import DepartmentFactory
from subsidia.dialogue.models import ActionItem, Meeting, MeetingSeries
from subsidia.organisations.models import Organisation


class MeetingSeriesFactory(factory.django.DjangoModelFactory[MeetingSeries]):
    class Meta:
        model = MeetingSeries
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Dialogue sectoriel {n}")
    department = factory.SubFactory(DepartmentFactory)
    cadence = "quarterly"
    first_starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=20))
    place = "Ministère, salle 2"

    @factory.post_generation
    def organisations(self: MeetingSeries, create: bool, extracted: Iterable[Organisation] | None,
                      **kwargs: object) -> None:
        if create and extracted:
            self.organisations.set(extracted)


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    series = factory.SubFactory(MeetingSeriesFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timedelta(hours=2))
    place = "Ministère, salle 2"


class ActionItemFactory(factory.django.DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    raised_at = factory.SubFactory(MeetingFactory)
    series = factory.LazyAttribute(lambda a: a.raised_at.series)
    title = factory.Sequence(lambda n: f"Action {n}")
