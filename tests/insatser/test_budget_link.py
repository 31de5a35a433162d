"""An insats's money is its budget line: one source of truth for the budget's totals and shares."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from budgets import services as budget_services
from budgets.models import BudgetLine
from budgets.selectors import plan_figures
from budgets.tables import budget_rows
from insatser.models import Insats
from tests import factories
from tests.helpers import insats_post, url

pytestmark = pytest.mark.django_db


def year(plan, y=2027):
    return plan_figures(plan).result.year(y)


def test_granting_money_to_an_insats_raises_the_costs_and_the_individ_share(plan):
    before = year(plan)
    assert before.kostnader == 500 and before.shares["individ"] == 0  # world's Kansli line only
    factories.insats(plan, name="Team", money={2027: 99_500})
    after = year(plan)
    assert after.kostnader == 100_000
    assert after.shares["individ"] == Decimal("0.995")
    assert after.shares["forvaltning"] == Decimal("0.005")
    assert after.ub == before.ub - 99_500


def test_the_budget_counts_the_grant_less_the_planned_under_use(plan):
    plan.under_use_percent = Decimal(5)
    plan.save()
    insats = factories.insats(plan, name="Team", money={2027: 1_000_001})
    figures = plan_figures(plan)
    line = BudgetLine.objects.get(insats=insats)
    assert figures.typed[(line.pk, 2027, "budget")] == 1_000_001  # beviljat, as typed
    assert figures.result.year(2027).line_amounts[str(line.pk)] == 950_001  # rounded half up
    assert figures.result.year(2027).kostnader == 950_501


def test_a_mixed_insats_counts_in_individ_and_struktur_by_its_split(plan):
    factories.insats(
        plan, name="Efterstöd", kind="blandad", individ_percent=60, money={2027: 99_500}
    )
    result = year(plan)
    assert result.individ_costs == Decimal("59700.0")
    assert result.shares["individ"] == Decimal("0.597")
    assert result.shares["struktur"] == Decimal("0.398")
    assert sum(result.shares.values()) == 1


def test_the_kind_decides_the_share_even_in_a_group_of_another_share(plan):
    insats = factories.insats(plan, name="Processstöd", kind="struktur", money={2027: 99_500})
    line = BudgetLine.objects.select_related("category__group").get(insats=insats)
    individ_category = line.category.group.categories.model.objects.get(
        group__forbund=plan.forbund, name="Individinriktade insatser"
    )
    budget_services.budget_line_update(
        line=line, acting_user=None, data={"category": individ_category}
    )
    assert year(plan).shares["struktur"] == Decimal("0.995")


def test_the_individ_target_sees_the_individ_part_of_mixed_insatser(plan):
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(2027, "budget"): Decimal(1_000_000)}
    )
    row = plan.year_rows.get(year=2027, column="budget")
    row.min_individ_percent = Decimal(70)
    row.save()
    factories.insats(
        plan, name="Blandad", kind="blandad", individ_percent=50, money={2027: 1_000_000}
    )
    codes = [(f.code, f.year) for f in plan_figures(plan).findings]
    assert ("individ-andel", 2027) in codes  # 50 % of 1 000 000 is under 70 %


def test_the_insats_appears_once_in_the_budget_under_its_group(plan):
    factories.insats(plan, name="Team", money={2027: 7_000})
    rows, _ = budget_rows(plan_figures(plan))
    labels = [r.label for r in rows]
    assert labels.count("Team") == 1
    assert labels.index("Individinriktade insatser") < labels.index("Team")
    assert BudgetLine.objects.filter(plan=plan, name="Team").count() == 1


def test_changing_the_amount_in_the_budget_editor_changes_the_insats(personas, plan):
    insats = factories.insats(plan, name="Team", money={2027: 7_000})
    line = BudgetLine.objects.get(insats=insats)
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(8_000)}
    )
    response = personas["revisor_a"].get(url("insats_list", plan))
    row = next(r for r in response.context["rows"] if r["insats"] == insats)
    assert row["amounts"][0] == (8_000, 8_000)
    form = personas["kansli_a"].get(url("insats_edit", plan, insats.pk)).context["money_forms"][0]
    assert form["beviljat"].value() == "8\xa0000"


def test_changing_the_grant_on_the_insats_changes_the_budget(personas, plan):
    insats = factories.insats(plan, name="Team", money={2027: 7_000})
    personas["kansli_a"].post(
        url("insats_edit", plan, insats.pk), insats_post(plan, name="Team", beviljat_2027="9 000")
    )
    assert year(plan).kostnader == 9_500
    editor = personas["styrelse_a"].get(url("budget_editor", plan)).content.decode()
    assert "9\xa0000" in editor


def test_an_esf_projekt_counts_in_its_groups_share(plan):
    factories.insats(plan, name="ESF", kind="esf", money={2027: 99_500})
    assert year(plan).shares["individ"] == Decimal("0.995")
    line = BudgetLine.objects.select_related("category__group").get(insats__name="ESF")
    assert line.category.group.name == "ESF-projekt"


def test_a_forbund_with_one_insats_group_without_a_share_keeps_its_insatser_there(plan):
    from budgets.models import BudgetCategory, BudgetGroup

    forbund = plan.forbund
    BudgetGroup.objects.filter(forbund=forbund, share_kind__in=["individ", "struktur"]).update(
        share_kind="ovrigt"
    )
    group = BudgetGroup.objects.create(
        forbund=forbund, name="Insatser", side="kostnad", share_kind="", is_insats=True, order=1
    )
    BudgetCategory.objects.create(group=group, name="Insatser")
    insats = factories.insats(plan, name="Enter", money={2027: 99_500})
    assert BudgetLine.objects.get(insats=insats).category.group == group
    assert year(plan).shares["individ"] == Decimal("0.995")  # counted by its kind all the same


def test_only_one_line_per_insats(plan):
    insats = factories.insats(plan, name="Team")
    other = BudgetLine.objects.get(plan=plan, name="Kansli")
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=other.pk).update(insats=insats)
    assert Insats.objects.get(pk=insats.pk).budget_line.name == "Team"
