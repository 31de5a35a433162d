"""Mål and indikatorer of the plan and of insatser, their validation, outcomes and Agenda 2030."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finsam.models import AuditEvent
from insatser import rules
from insatser.models import Agenda2030Tag, Indikator, Mal, Utfall
from plans.models import Plan, PlanStatus
from tests import factories
from tests.helpers import url

pytestmark = pytest.mark.django_db


def mal_post(level="verksamhet", text="Fler deltagare i arbete.", **indikator) -> dict:
    data = {
        "level": level,
        "text": text,
        "order": "",
        "ind-TOTAL_FORMS": "1",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "1000",
    }
    row = {
        "description": "Andel till arbete eller studier",
        "kind": "andel",
        "direction": "minst",
        "target_value": "40",
        "target_yes": "",
        "target_text": "",
        "source": "sus",
        "source_text": "",
        **indikator,
    }
    data.update({f"ind-0-{k}": v for k, v in row.items()})
    return data


def test_kansli_adds_a_plan_goal_with_an_indikator(personas, world):
    plan = world["plan_a"]
    response = personas["kansli_a"].post(url("mal_create", plan), mal_post(level="ekonomi"))
    assert response["Location"] == url("plan_mal", plan)
    mal = Mal.objects.get(plan=plan, text="Fler deltagare i arbete.")
    assert (mal.level, mal.insats) == ("ekonomi", None)
    indikator = mal.indikatorer.get()
    assert indikator.target_label == "minst 40\xa0%" and indikator.source_label == "SUS"
    page = personas["revisor_a"].get(url("plan_mal", plan)).content.decode()
    assert "Mål för god ekonomisk hushållning" in page and "Andel till arbete eller studier" in page


@pytest.mark.parametrize(
    ("indikator", "field", "message"),
    [
        ({"target_value": "140"}, "target_value", rules.PERCENT_MESSAGE),
        ({"target_value": "-1"}, "target_value", rules.PERCENT_MESSAGE),
        ({"kind": "antal", "target_value": "2,5"}, "target_value", rules.COUNT_MESSAGE),
        ({"kind": "antal", "target_value": "-3"}, "target_value", rules.COUNT_MESSAGE),
        ({"target_value": "fyrtio"}, "target_value", "Ange målvärdet som ett tal, t.ex. 40."),
        ({"target_value": ""}, "target_value", "Ange ett målvärde."),
        ({"kind": "janej", "target_value": ""}, "target_yes", "Ange om målet är ja eller nej."),
        ({"kind": "text", "target_value": ""}, "target_text", "Beskriv målvärdet."),
        ({"source": "annan"}, "source_text", "Ange vilken den andra mätkällan är."),
    ],
)
def test_a_bad_indikator_is_explained_beside_its_field_and_nothing_is_saved(
    personas, world, indikator, field, message
):
    plan = world["plan_a"]
    before = AuditEvent.objects.count()
    response = personas["kansli_a"].post(url("mal_create", plan), mal_post(**indikator))
    assert response.status_code == 400
    errors = response.context["formset"].forms[0].errors
    assert errors[field] == [message]
    assert not response.context["formset"].non_form_errors()
    assert not response.context["form"].errors  # nothing at the top that belongs to a field
    assert not Mal.objects.filter(text="Fler deltagare i arbete.").exists()
    assert AuditEvent.objects.count() == before


def test_a_count_and_a_yes_no_target_are_kept_as_typed(personas, world):
    plan = world["plan_a"]
    personas["kansli_a"].post(
        url("mal_create", plan), mal_post(kind="antal", target_value="14", source="pinnstatistik")
    )
    assert Indikator.objects.get(mal__text="Fler deltagare i arbete.").target_label == "minst 14"
    personas["kansli_a"].post(
        url("mal_create", plan),
        mal_post(text="Metodbok", kind="janej", target_value="", target_yes="ja"),
    )
    assert Indikator.objects.get(mal__text="Metodbok").target_yes is True


def test_an_insats_goal_leads_back_to_the_insats(personas, world):
    plan, insats = world["plan_a"], world["insats_a"]
    data = mal_post()
    del data["level"]
    response = personas["kansli_a"].post(url("insats_mal_create", plan, insats.pk), data)
    assert response["Location"] == url("insats_detail", plan, insats.pk)
    mal = Mal.objects.get(insats=insats)
    assert mal.level == "insats" and mal.plan == plan
    page = personas["styrelse_a"].get(url("insats_detail", plan, insats.pk)).content.decode()
    assert "Fler deltagare i arbete." in page and "minst 40\xa0%" in page


def test_editing_a_goal_removes_a_deleted_indikator(personas, world):
    plan = world["plan_a"]
    mal = factories.mal(
        plan,
        text="Mål",
        indikatorer=[Indikator(description="Gammal", kind="antal", target_value=5, source="sus")],
    )
    indikator = mal.indikatorer.get()
    data = mal_post(text="Mål")
    data.update(
        {
            "ind-TOTAL_FORMS": "1",
            "ind-INITIAL_FORMS": "1",
            "ind-0-id": str(indikator.pk),
            "ind-0-mal": str(mal.pk),
            "ind-0-DELETE": "on",
        }
    )
    response = personas["kansli_a"].post(url("mal_edit", plan, mal.pk), data)
    assert response.status_code == 302
    assert not mal.indikatorer.exists()


def test_the_gender_balance_goal_is_switched_on_the_insats_not_edited(personas, world):
    plan = world["plan_a"]
    insats = factories.insats(plan, name="Jämn", gender_balance=True)
    mal = insats.mal.get(standard="konsfordelning")
    response = personas["kansli_a"].get(url("mal_edit", plan, mal.pk), follow=True)
    assert "slås på och av på insatsen" in response.content.decode()


def adopt(plan):
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.ANTAGEN, meeting_date=date(2026, 11, 20), paragraph="§12"
    )
    plan.refresh_from_db()


def test_outcomes_are_recorded_on_an_adopted_plan_and_compared_with_the_target(personas, world):
    plan = world["plan_a"]
    mal = factories.mal(
        plan,
        text="Mål",
        indikatorer=[
            Indikator(description="Andel", kind="andel", target_value=40, source="sus"),
            Indikator(
                description="Klar",
                kind="janej",
                target_yes=True,
                source="annan",
                source_text="Rapport",
            ),
        ],
    )
    andel, klar = mal.indikatorer.all()
    adopt(plan)
    response = personas["kansli_a"].post(
        url("mal_utfall", plan, mal.pk),
        {f"u-{andel.pk}-2027": "38,5", f"u-{andel.pk}-2028": "44", f"u-{klar.pk}-2027": "ja"},
    )
    assert response.status_code == 302
    outcomes = {(u.indikator_id, u.year): u for u in Utfall.objects.all()}
    assert outcomes[(andel.pk, 2027)].value == Decimal("38.5")
    assert outcomes[(andel.pk, 2027)].met is False
    assert outcomes[(andel.pk, 2028)].met is True
    assert outcomes[(klar.pk, 2027)].met is True
    page = personas["revisor_a"].get(url("plan_mal", plan)).content.decode()
    assert "38,5\xa0%" in page and "ej nått" in page


def test_a_bad_outcome_is_refused_and_the_board_cannot_record(personas, world):
    plan = world["plan_a"]
    mal = factories.mal(
        plan,
        indikatorer=[Indikator(description="Antal", kind="antal", target_value=10, source="sus")],
    )
    indikator = mal.indikatorer.get()
    response = personas["kansli_a"].post(
        url("mal_utfall", plan, mal.pk), {f"u-{indikator.pk}-2027": "-2"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[f"u-{indikator.pk}-2027"] == [rules.COUNT_MESSAGE]
    response = personas["styrelse_a"].post(
        url("mal_utfall", plan, mal.pk), {f"u-{indikator.pk}-2027": "3"}
    )
    assert response.status_code == 403
    assert not Utfall.objects.exists()


def test_the_plan_is_tagged_with_agenda_2030_goals(personas, world):
    plan = world["plan_a"]
    response = personas["kansli_a"].post(url("plan_agenda2030", plan), {"goals": ["1", "5"]})
    assert response["Location"] == url("plan_mal", plan)
    assert sorted(
        Agenda2030Tag.objects.filter(plan=plan, insats=None).values_list("goal", flat=True)
    ) == [1, 5]
    personas["kansli_a"].post(url("plan_agenda2030", plan), {"goals": ["99"]})
    assert Agenda2030Tag.objects.filter(plan=plan, insats=None).count() == 2
    page = personas["revisor_a"].get(url("plan_mal", plan)).content.decode()
    assert "5. Jämställdhet" in page


def test_agenda_2030_has_the_seventeen_goals():
    assert [n for n, _ in rules.AGENDA_2030] == list(range(1, 18))
    assert dict(rules.AGENDA_2030)[10] == "Minskad ojämlikhet"


@pytest.mark.parametrize(
    ("kind", "direction", "target", "outcome", "met"),
    [
        ("andel", "minst", Decimal(40), Decimal(40), True),
        ("andel", "minst", Decimal(40), Decimal("39.9"), False),
        ("antal", "hogst", Decimal(12), Decimal(12), True),
        ("antal", "hogst", Decimal(12), Decimal(13), False),
        ("janej", "minst", True, False, False),
        ("text", "minst", None, None, None),
        ("andel", "minst", Decimal(40), None, None),
    ],
)
def test_an_outcome_meets_its_target_by_direction(kind, direction, target, outcome, met):
    assert rules.target_met(kind, direction, target, outcome) is met
