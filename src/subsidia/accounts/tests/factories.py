import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from subsidia.accounts.models import RoleGrant, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.lu")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.django.Password("correct-horse-battery-staple")


class RoleGrantFactory(factory.django.DjangoModelFactory[RoleGrant]):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = "officer"


class TOTPDeviceFactory(factory.django.DjangoModelFactory[TOTPDevice]):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "test"
    confirmed = True
