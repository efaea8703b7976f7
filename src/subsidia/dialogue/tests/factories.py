from datetime import timedelta

import factory
from django.utils import timezone

from subsidia.conventions.tests.factories import DepartmentFactory
from subsidia.dialogue.models import ActionItem, Meeting, MeetingSeries


class MeetingSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingSeries
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Dialogue sectoriel {n}")
    department = factory.SubFactory(DepartmentFactory)
    cadence = "quarterly"
    first_starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=20))
    place = "Ministère, salle 2"

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.organisations.set(extracted)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    series = factory.SubFactory(MeetingSeriesFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timedelta(hours=2))
    place = "Ministère, salle 2"


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    raised_at = factory.SubFactory(MeetingFactory)
    series = factory.LazyAttribute(lambda a: a.raised_at.series)
    title = factory.Sequence(lambda n: f"Action {n}")
