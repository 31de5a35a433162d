"""The next year's plan carries running insatser, their mål and money; ended insatser stay behind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets import services as budget_services
from budgets.models import BudgetAmount, BudgetLine
from budgets.selectors import plan_figures
from finsam.models import AuditEvent, Fordelningstal
from insatser import services, services_mal
from insatser.models import Agenda2030Tag, Indikator, Insats, Mal, Utfall
from plans.models import Plan, PlanStatus
from plans.services import plan_create_from, plan_update
from tests import factories
from tests.helpers import url

pytestmark = pytest.mark.django_db

THREE_YEARS = {2027: 100_000, 2028: 200_000, 2029: 300_000}


@pytest.fixture
def previous(world):
    """Plan 2027–2029 with insatser that run on, end within it, or have ended."""
    plan = world["plan_a"]
    for medlem in plan.forbund.medlemmar.filter(kind="kommun"):
        for y in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=y, invanare=10_000)
    budget_services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(2_000_000) for y in plan.years},
    )
    malgrupp = world["malgrupp_a"]
    runs_on = factories.insats(
        plan, name="Löper vidare", malgrupper=[malgrupp], money=THREE_YEARS, agenda2030=[8]
    )
    factories.insats(plan, name="Slutar 2028", end=date(2028, 6, 30), money=THREE_YEARS)
    factories.insats(plan, name="Slutar 2027", end=date(2027, 12, 31), money=THREE_YEARS)
    factories.insats(plan, name="Avslutad", status="avslutad", money=THREE_YEARS)
    mal = factories.mal(
        plan,
        insats=runs_on,
        text="40 % till arbete eller studier.",
        indikatorer=[
            Indikator(description="Andel till arbete", kind="andel", target_value=40, source="sus")
        ],
    )
    services_mal.utfall_set(
        mal=mal,
        acting_user=None,
        outcomes={(mal.indikatorer.get().pk, 2028): services_mal.Outcome(value=Decimal(42))},
    )
    services.plan_agenda2030_set(plan=plan, acting_user=None, goals=[1, 10])
    return plan


def test_carrying_forward_keeps_running_insatser_and_drops_ended_ones(previous):
    new = plan_create_from(previous=previous, acting_user=None)
    assert (new.budget_year, new.years, new.status) == (2028, [2028, 2029, 2030], "utkast")
    assert sorted(new.insatser.values_list("name", flat=True)) == [
        "Finsam-team",
        "Löper vidare",
        "Slutar 2028",
    ]
    lines = set(new.budget_lines.values_list("name", flat=True))
    assert lines == {"Kansli", "Finsam-team", "Löper vidare", "Slutar 2028"}
    for insats in new.insatser.all():
        assert insats.carried_from.plan == previous
        assert insats.budget_line.plan == new


def test_the_remaining_years_amounts_come_along_and_the_new_year_starts_from_the_last(previous):
    new = plan_create_from(previous=previous, acting_user=None)
    line = BudgetLine.objects.get(plan=new, name="Löper vidare")
    assert {(a.year, a.amount.amount) for a in line.amounts.all()} == {
        (2028, 200_000),
        (2029, 300_000),
        (2030, 300_000),  # the new last year starts as 2029, for the kansli to look over
    }
    # An insats that ends in 2028 keeps what it was granted, and gets nothing past its end.
    ends = BudgetLine.objects.get(plan=new, name="Slutar 2028")
    assert 2030 not in {a.year for a in ends.amounts.all()}
    kansli = BudgetLine.objects.get(plan=new, name="Kansli")
    assert not kansli.amounts.exists()  # the world's Kansli line had only 2027
    medlemsbidrag = {r.year: r.medlemsbidrag.amount for r in new.year_rows.all()}
    assert medlemsbidrag == {2028: 2_000_000, 2029: 2_000_000, 2030: 2_000_000}
    assert new.year_rows.get(year=2030).carried_from == 2029


def test_the_new_plan_opens_with_the_old_plans_closing_equity(previous):
    ub_2027 = plan_figures(previous).result.year(2027).ub
    assert ub_2027 == 2_000_000 - 500 - 4 * 100_000
    new = plan_create_from(previous=previous, acting_user=None)
    assert new.opening_equity.amount == ub_2027
    assert plan_figures(new).result.year(2028).ib == ub_2027


def test_mal_malgrupper_and_tags_come_along_linked_to_the_copies(previous):
    new = plan_create_from(previous=previous, acting_user=None)
    insats = new.insatser.get(name="Löper vidare")
    assert [m.name for m in insats.malgrupper.all()] == ["Unga vuxna 16–29 år"]
    assert insats.malgrupper.get().plan == new
    mal = insats.mal.get()
    assert mal.plan == new and mal.text == "40 % till arbete eller studier."
    indikator = mal.indikatorer.get()
    assert (indikator.kind, indikator.target_value) == ("andel", 40)
    assert [u.year for u in indikator.utfall.all()] == [2028]  # a year of the new plan
    assert [t.goal for t in insats.agenda2030_tags.all()] == [8]
    assert sorted(
        Agenda2030Tag.objects.filter(plan=new, insats=None).values_list("goal", flat=True)
    ) == [1, 10]
    assert list(Mal.objects.for_plan(new).plan_level().values_list("text", flat=True)) == [
        "Fler deltagare går till arbete eller studier."
    ]


def test_the_previous_plan_is_untouched(previous):
    before = (
        Insats.objects.filter(plan=previous).count(),
        BudgetAmount.objects.filter(line__plan=previous).count(),
        Utfall.objects.filter(indikator__mal__plan=previous).count(),
    )
    plan_create_from(previous=previous, acting_user=None)
    assert before == (
        Insats.objects.filter(plan=previous).count(),
        BudgetAmount.objects.filter(line__plan=previous).count(),
        Utfall.objects.filter(indikator__mal__plan=previous).count(),
    )


def test_a_plan_for_that_year_already_there_is_refused(previous):
    plan_create_from(previous=previous, acting_user=None)
    with pytest.raises(ValidationError, match="redan en plan för 2028"):
        plan_create_from(previous=previous, acting_user=None)


def test_a_year_the_plan_cannot_reach_is_refused(previous):
    with pytest.raises(ValidationError, match="inte för 2031"):
        plan_create_from(previous=previous, acting_user=None, budget_year=2031)


def test_a_later_budget_year_takes_fewer_insatser(previous):
    new = plan_create_from(previous=previous, acting_user=None, budget_year=2029)
    assert sorted(new.insatser.values_list("name", flat=True)) == ["Finsam-team", "Löper vidare"]
    assert new.opening_equity.amount == plan_figures(previous).result.year(2028).ub


def test_the_comparison_column_is_the_previous_plans_budget(previous):
    previous = plan_update(
        plan=previous, acting_user=None, data={"compare_budget": True, "compare_prognos": True}
    )
    new = plan_create_from(previous=previous, acting_user=None)
    figures = plan_figures(new)
    budget, prognos = (c for c in figures.columns if c.is_comparison)
    old = plan_figures(previous).result.year(2027)
    assert budget.label == "Budget 2027"
    # The year before is shown as it was budgeted, line by line: the ended insatser too (their
    # lines stay, with that year's amounts only).
    assert budget.result.kostnader == old.kostnader
    assert prognos.result.kostnader == old.kostnader
    assert budget.result.ib == old.ib
    assert budget.result.medlemsbidrag == 2_000_000


def test_kansli_creates_the_next_plan_from_the_plan_list(personas, previous):
    client = personas["kansli_a"]
    plan_list = reverse("plan_list", args=[previous.forbund.slug])
    assert "Ny plan utifrån 2027" in client.get(plan_list).content.decode()
    assert "Ny plan utifrån" not in personas["styrelse_a"].get(plan_list).content.decode()
    preview = client.get(url("plan_create_from", previous))
    assert [i.name for i in preview.context["carried"]] == [
        "Finsam-team",
        "Löper vidare",
        "Slutar 2028",
    ]
    assert [i.name for i in preview.context["left"]] == ["Avslutad", "Slutar 2027"]
    later = client.get(url("plan_create_from", previous), {"budget_year": "2029"})
    assert [i.name for i in later.context["left"]] == ["Avslutad", "Slutar 2027", "Slutar 2028"]
    assert later.context["lines"] == 3  # Kansli, Finsam-team, Löper vidare
    response = client.post(url("plan_create_from", previous), {"budget_year": "2028"})
    new = Plan.objects.get(forbund=previous.forbund, budget_year=2028)
    assert response["Location"] == url("plan_detail", new)
    assert AuditEvent.objects.filter(action="plan.create_from", object_id=str(new.pk)).exists()


def test_a_revision_carries_every_insats_with_its_line(previous):
    from plans import services as plan_services

    Plan.objects.filter(pk=previous.pk).update(
        status=PlanStatus.ANTAGEN, meeting_date=date(2026, 11, 20), paragraph="§12"
    )
    previous.refresh_from_db()
    user = factories.kansli(previous.forbund).user
    new = plan_services.plan_revise(plan=previous, acting_user=user)
    names = sorted(new.insatser.values_list("name", flat=True))
    assert names == sorted(previous.insatser.values_list("name", flat=True))
    for insats in new.insatser.all():
        assert insats.budget_line.plan == new
    assert (
        plan_figures(new).result.year(2027).kostnader
        == plan_figures(previous).result.year(2027).kostnader
    )
