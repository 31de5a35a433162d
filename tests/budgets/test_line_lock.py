"""A budget line is added to or removed from a draft only: the services lock the plan's row and
ask its status afresh, as every other write does. Before, they asked the plan object they were
given, which a page had read before the plan was submitted."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from budgets import services
from budgets.models import BudgetCategory, BudgetLine
from finsam.models import Fordelningstal
from plans import workflow
from plans.models import Plan, PlanLocked, PlanStatus
from tests import factories


def submittable(plan: Plan) -> Plan:
    """The plan with medlemsbidrag that split cleanly, so the kansli may submit it."""
    for medlem in plan.forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000)
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(year, "budget"): Decimal(4_000_000) for year in plan.years},
    )
    return plan


def new_line(plan: Plan) -> BudgetLine:
    category = BudgetCategory.objects.get(group__forbund=plan.forbund, name="Kansli")
    return services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Konsulter",
        amounts={(plan.budget_year, "budget"): Decimal(100_000)},
    )


@pytest.mark.django_db
def test_a_line_is_not_added_to_a_plan_submitted_since_the_page_read_it(personas, world):
    read_by_the_page = Plan.objects.get(pk=world["plan_a"].pk)
    submittable(world["plan_a"])
    workflow.plan_submit(plan=world["plan_a"], acting_user=personas["kansli_a"].membership.user)
    lines = BudgetLine.objects.filter(plan=read_by_the_page).count()
    with pytest.raises(PlanLocked):
        new_line(read_by_the_page)
    assert BudgetLine.objects.filter(plan=read_by_the_page).count() == lines


@pytest.mark.django_db
def test_a_line_is_not_removed_from_a_plan_submitted_since_the_page_read_it(personas, world):
    line = BudgetLine.objects.select_related("plan").get(pk=world["line_a"].pk)
    submittable(world["plan_a"])
    workflow.plan_submit(plan=world["plan_a"], acting_user=personas["kansli_a"].membership.user)
    with pytest.raises(PlanLocked):
        services.budget_line_delete(line=line, acting_user=None)
    assert BudgetLine.objects.filter(pk=line.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions are measured on PostgreSQL; SQLite serialises writers",
)
@pytest.mark.parametrize("change", ["create", "delete"])
def test_a_line_change_racing_a_submission_never_lands_in_the_submitted_plan(change):
    forbund = factories.complete_forbund()
    kansli = factories.kansli(forbund).user
    plan = submittable(factories.plan(forbund))
    line = new_line(plan)
    lines_before = set(BudgetLine.objects.filter(plan=plan).values_list("pk", flat=True))
    submitting, may_commit = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def submit():  # the submission, held open after it has locked and changed the plan
        try:
            with transaction.atomic():
                workflow.plan_submit(plan=Plan.objects.get(pk=plan.pk), acting_user=kansli)
                submitting.set()
                may_commit.wait(10)
        except Exception as error:  # pragma: no cover - reported below
            outcome["submit"] = error
        finally:
            connection.close()

    def edit():  # a page that read the draft before the submission
        try:
            if change == "create":
                new_line(page_plan)
            else:
                services.budget_line_delete(line=page_line, acting_user=None)
            outcome["edit"] = "saved"
        except PlanLocked as error:
            outcome["edit"] = error
        finally:
            connection.close()

    page_plan = Plan.objects.get(pk=plan.pk)
    page_line = BudgetLine.objects.select_related("plan").get(pk=line.pk)
    a = threading.Thread(target=submit)
    a.start()
    assert submitting.wait(10)
    b = threading.Thread(target=edit)
    b.start()
    b.join(0.5)
    may_commit.set()
    a.join(10)
    b.join(10)
    assert "submit" not in outcome
    assert isinstance(outcome["edit"], PlanLocked)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.INLAMNAD
    assert set(BudgetLine.objects.filter(plan=plan).values_list("pk", flat=True)) == lines_before
