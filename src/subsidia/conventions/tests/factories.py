from datetime import date
from decimal import Decimal

import factory

from subsidia.conventions.models import Convention, ConventionDomain, Indicator
from subsidia.conventions.services.schedule import sync
from subsidia.organisations.models import ActivityDomain
from subsidia.organisations.tests.factories import OrganisationFactory


class ActivityDomainFactory(factory.django.DjangoModelFactory[ActivityDomain]):
    class Meta:
        model = ActivityDomain
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"domaine-{n}")
    name = factory.Sequence(lambda n: f"Domaine {n}")


class DepartmentFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Département {n}")
    legal_form = "administration"


class ConventionFactory(factory.django.DjangoModelFactory[Convention]):
    """A draft convention over 2024-2026 (2024 is a leap year); sign it with the service, or pass signed_on."""

    class Meta:
        model = Convention

    department = factory.SubFactory(DepartmentFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"CONV-T-{n:04d}")
    title = factory.Sequence(lambda n: f"Convention {n}")
    starts_on = date(2024, 1, 1)
    ends_on = date(2026, 12, 31)


class ConventionDomainFactory(factory.django.DjangoModelFactory[ConventionDomain]):
    class Meta:
        model = ConventionDomain

    convention = factory.SubFactory(ConventionFactory)
    activity = factory.SubFactory(ActivityDomainFactory)
    yearly_amount = Decimal("120000.00")
    fte = Decimal("2.00")
    position = factory.Sequence(lambda n: n)


class IndicatorFactory(factory.django.DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator

    domain = factory.SubFactory(ConventionDomainFactory)
    name = factory.Sequence(lambda n: f"Personnes accompagnées {n}")
    unit = "personnes"
    yearly_target = Decimal("300")


def sign_without_audit(convention: Convention, signed_on: date) -> Convention:
    """The convention as signing leaves it (schedule and expected reports), written without the audit record:
    for transactional browser tests, whose table flush the audit trail's append-only trigger refuses."""
    convention.signed_on = signed_on
    convention.save()
    sync(convention)
    return convention
