"""factory-boy factories for the tests; reference data lives in fixtures/, not here."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from finsam.models import (
    ROLE_KANSLI,
    ROLE_REVISOR,
    ROLE_STYRELSE,
    SEAT_ERSATTARE,
    SEAT_LEDAMOT,
    Forbund,
    Fordelningstal,
    Medlem,
    Membership,
)

PASSWORD = "test-lösenord-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ForbundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forbund

    name = factory.Sequence(lambda n: f"Samordningsförbundet Test {n}")
    slug = factory.Sequence(lambda n: f"test-{n}")


class MedlemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medlem

    forbund = factory.SubFactory(ForbundFactory)
    name = factory.Sequence(lambda n: f"Medlem {n}")
    kind = "kommun"
    order = factory.Sequence(lambda n: n)


class FordelningstalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fordelningstal

    medlem = factory.SubFactory(MedlemFactory)
    year = 2022
    invanare = 10_000


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    forbund = factory.SubFactory(ForbundFactory)
    role = ROLE_KANSLI
    seat = ""


def complete_forbund(*, kommuner: int = 2, **kwargs) -> Forbund:
    """A förbund with a valid member set: FK, AF, a region and the given number of kommuner."""
    forbund = ForbundFactory(**kwargs)
    MedlemFactory(forbund=forbund, name="Försäkringskassan", kind="fk", order=1)
    MedlemFactory(forbund=forbund, name="Arbetsförmedlingen", kind="af", order=2)
    MedlemFactory(forbund=forbund, name="Region Testlän", kind="region", order=3)
    for i in range(kommuner):
        MedlemFactory(forbund=forbund, name=f"Testköping {i + 1}", kind="kommun", order=10 + i)
    return forbund


def kansli(forbund: Forbund, **kwargs) -> Membership:
    return MembershipFactory(forbund=forbund, role=ROLE_KANSLI, **kwargs)


def ledamot(forbund: Forbund, *, chair: bool = False, **kwargs) -> Membership:
    return MembershipFactory(
        forbund=forbund, role=ROLE_STYRELSE, seat=SEAT_LEDAMOT, is_chair=chair, **kwargs
    )


def ersattare(forbund: Forbund, **kwargs) -> Membership:
    return MembershipFactory(forbund=forbund, role=ROLE_STYRELSE, seat=SEAT_ERSATTARE, **kwargs)


def revisor(forbund: Forbund, **kwargs) -> Membership:
    return MembershipFactory(forbund=forbund, role=ROLE_REVISOR, **kwargs)
