"""A plan that is not a draft refuses every change to its insatser; follow-up still works."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from finsam.models import AuditEvent
from insatser import services, services_mal
from insatser.models import Indikator, Insats, Malgrupp
from plans.models import Plan, PlanStatus
from tests import factories
from tests.helpers import insats_post, url

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[PlanStatus.ANTAGEN, PlanStatus.INLAMNAD])
def locked(request, world):
    plan = world["plan_a"]
    mal = factories.mal(
        plan,
        text="Mät",
        indikatorer=[Indikator(description="Andel", kind="andel", target_value=40, source="sus")],
    )
    Plan.objects.filter(pk=plan.pk).update(
        status=request.param, meeting_date=date(2026, 11, 20), paragraph="§12"
    )
    plan.refresh_from_db()
    world["mal_b"] = mal
    return plan


def test_every_insatser_service_refuses_a_plan_that_is_not_a_draft(locked, world):
    insats = Insats.objects.get(pk=world["insats_a"].pk)
    malgrupp = Malgrupp.objects.get(pk=world["malgrupp_a"].pk)
    mal = world["mal_a"]
    attempts = [
        lambda: services.insats_save(
            insats=Insats(
                plan=locked, name="Ny", kind="individ", agare=insats.agare, start=date(2027, 1, 1)
            ),
            acting_user=None,
        ),
        lambda: services.insats_save(
            insats=insats, acting_user=None, money={2027: services.YearMoney(Decimal(1))}
        ),
        lambda: services.insats_delete(insats=insats, acting_user=None),
        lambda: services.malgrupp_save(malgrupp=Malgrupp(plan=locked, name="Ny"), acting_user=None),
        lambda: services.malgrupp_delete(malgrupp=malgrupp, acting_user=None),
        lambda: services_mal.mal_save(mal=mal, acting_user=None),
        lambda: services_mal.mal_delete(mal=mal, acting_user=None),
        lambda: services.plan_agenda2030_set(plan=locked, acting_user=None, goals=[1]),
    ]
    before = AuditEvent.objects.count()
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
    assert AuditEvent.objects.count() == before
    assert Insats.objects.filter(plan=locked).count() == 1


def test_crafted_posts_to_a_locked_plan_change_nothing(personas, locked, world):
    client = personas["kansli_a"]
    insats = world["insats_a"]
    before = AuditEvent.objects.count()
    posts = [
        (url("insats_create", locked), insats_post(locked)),
        (url("insats_edit", locked, insats.pk), insats_post(locked, name="Kapad")),
        (url("insats_delete", locked, insats.pk), {}),
        (url("malgrupp_create", locked), {"name": "Kapad"}),
        (url("malgrupp_delete", locked, world["malgrupp_a"].pk), {}),
        (url("mal_create", locked), {"level": "verksamhet", "text": "Kapad"}),
        (url("mal_delete", locked, world["mal_a"].pk), {}),
        (url("plan_agenda2030", locked), {"goals": ["1"]}),
    ]
    for target, data in posts:
        response = client.post(target, data, follow=True)
        assert response.status_code == 200, target
        assert "kan inte ändras" in response.content.decode(), target
    assert AuditEvent.objects.count() == before
    assert Insats.objects.get(pk=insats.pk).name == "Finsam-team"


def test_outcomes_can_still_be_recorded(personas, locked, world):
    mal = world["mal_b"]
    indikator = mal.indikatorer.get()
    response = personas["kansli_a"].post(
        url("mal_utfall", locked, mal.pk), {f"u-{indikator.pk}-2027": "45"}
    )
    assert response.status_code == 302
    assert indikator.utfall.get().value == 45
