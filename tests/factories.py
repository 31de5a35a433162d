"""factory-boy factories for the tests; reference data lives in fixtures/, not here."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from finsam.models import Forbund, Fordelningstal, Medlem, Membership, Role, Seat
from plans.models import Plan

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
    # The product's default requires a second factor of the kansli and the chair; tests of
    # other things log in without one, and tests of the policy set it (test_second_factor).
    mfa_required_for = factory.LazyFunction(list)


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
    role = Role.KANSLI
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


class PlanFactory(factory.django.DjangoModelFactory):
    """A draft plan made as the kansli makes one (plans.services.plan_create), so it has its year
    rows, default outline and årshjul; by default for budget year 2027 in a complete förbund."""

    class Meta:
        model = Plan

    forbund = factory.LazyFunction(lambda: complete_forbund())
    budget_year = 2027
    plan_years = 3

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from plans import services

        return services.plan_create(acting_user=None, **kwargs)


def plan(forbund: Forbund, **kwargs) -> Plan:
    return PlanFactory(forbund=forbund, **kwargs)


def kansli(forbund: Forbund, **kwargs) -> Membership:
    return MembershipFactory(forbund=forbund, role=Role.KANSLI, **kwargs)


def ledamot(forbund: Forbund, *, chair: bool = False, **kwargs) -> Membership:
    return MembershipFactory(
        forbund=forbund, role=Role.STYRELSE, seat=Seat.LEDAMOT, is_chair=chair, **kwargs
    )


def ersattare(forbund: Forbund, **kwargs) -> Membership:
    return MembershipFactory(forbund=forbund, role=Role.STYRELSE, seat=Seat.ERSATTARE, **kwargs)


def revisor(forbund: Forbund, **kwargs) -> Membership:
    return MembershipFactory(forbund=forbund, role=Role.REVISOR, **kwargs)


# --- Insatser (through the services, so each insats has its budget line) ------------------------


def malgrupp(plan, *, name: str = "Unga vuxna", **kwargs):
    from insatser import services
    from insatser.models import Malgrupp

    return services.malgrupp_save(
        malgrupp=Malgrupp(plan=plan, name=name, **kwargs), acting_user=None
    )


def insats(
    plan,
    *,
    name: str = "Insats",
    kind: str = "individ",
    agare=None,
    parter=None,
    malgrupper=(),
    money: dict | None = None,
    gender_balance: bool = False,
    agenda2030=(),
    **kwargs,
):
    """An insats of the plan, owned by the region with FK taking part unless told otherwise.

    money: {year: beviljat} (kr) or {year: YearMoney}; without it the insats has no amounts.
    """
    from datetime import date
    from decimal import Decimal

    from insatser import services
    from insatser.models import Insats

    members = {m.kind: m for m in plan.forbund.medlemmar.all()}
    agare = agare or members["region"]
    parter = [members["fk"]] if parter is None else parter
    kwargs.setdefault("start", date(plan.budget_year, 1, 1))
    kwargs.setdefault("status", "pagaende")
    years = None
    if money is not None:
        years = {
            year: value
            if isinstance(value, services.YearMoney)
            else services.YearMoney(beviljat=Decimal(value))
            for year, value in money.items()
        }
    return services.insats_save(
        insats=Insats(plan=plan, name=name, kind=kind, agare=agare, **kwargs),
        acting_user=None,
        data={
            "parter": parter,
            "malgrupper": malgrupper,
            "agenda2030": agenda2030,
            "gender_balance": gender_balance,
        },
        money=years,
    )


def mal(plan, *, text: str = "Ett mål", insats=None, level: str = "verksamhet", indikatorer=()):
    """A mål of the plan (or of an insats) with the given Indikator instances (unsaved)."""
    from insatser import services_mal
    from insatser.models import Mal

    return services_mal.mal_save(
        mal=Mal(plan=plan, insats=insats, level="insats" if insats else level, text=text),
        acting_user=None,
        indikatorer=list(indikatorer),
    )


def everyone_present(plan) -> list[int]:
    """The board of the plan's förbund, all at the meeting (workflow.plan_adopt's present)."""
    return list(
        Membership.objects.filter(forbund_id=plan.forbund_id, role=Role.STYRELSE).values_list(
            "pk", flat=True
        )
    )
