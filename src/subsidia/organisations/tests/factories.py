import factory

from subsidia.organisations.models import Contact, Membership, Municipality, Organisation, Service, Theme


class ThemeFactory(factory.django.DjangoModelFactory[Theme]):
    class Meta:
        model = Theme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Thème {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory[Municipality]):
    class Meta:
        model = Municipality
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Commune {n}")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association {n}")
    acronym = factory.Sequence(lambda n: f"A{n}")
    legal_form = "asbl"
    municipality = factory.SubFactory(MunicipalityFactory)


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name", locale="fr_FR")
    function = "Coordination"
    email = factory.Sequence(lambda n: f"contact{n}@example.lu")
    is_public = True


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "shelter"
    name = factory.Sequence(lambda n: f"Foyer {n}")
    capacity = 12


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory("subsidia.accounts.tests.factories.UserFactory")
    organisation = factory.SubFactory(OrganisationFactory)
    role = "partner_member"
