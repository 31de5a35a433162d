"""The share of the medlemsbidrag that goes to individinriktade insatser is shown as a range
while some costs have no share kind stated: its lower end alone beside "mål minst 70 %" reads as
a missed target that nobody can yet judge."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets import services
from budgets.models import BudgetCategory, BudgetGroup
from tests.helpers import url

pytestmark = pytest.mark.django_db


def row(page: str, label: str) -> str:
    start = page.index(f'<th scope="row">{label}</th>')
    return page[start : page.index("</tr>", start)].replace("\xa0", " ")


def test_an_individ_share_with_costs_of_no_share_kind_is_shown_as_its_range(personas, world):
    plan = world["plan_a"]
    forbund = plan.forbund
    open_group = BudgetGroup.objects.create(
        forbund=forbund, name="Övrigt", side="kostnad", order=90
    )
    other = BudgetCategory.objects.create(group=open_group, name="Övrigt")
    individ = BudgetCategory.objects.get(group__forbund=forbund, name="Individinriktade insatser")
    team = services.budget_line_create(plan=plan, acting_user=None, category=individ, name="Team")
    misc = services.budget_line_create(plan=plan, acting_user=None, category=other, name="Övrigt")
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(2027, "budget"): Decimal(1_000_000)},
        amounts={
            (team.pk, 2027, "budget"): Decimal(500_000),
            (misc.pk, 2027, "budget"): Decimal(200_000),
        },
    )
    page = personas["styrelse_a"].get(url("budget_statements", plan)).content.decode()
    first = row(page, "Individinriktat av medlemsbidrag").split('<td class="num">')[1]
    assert first.startswith("50,0 %–70,0 %")
    assert "200 000 kr utan angiven andel" in first
    # Stated, the share is one figure again.
    services.budget_line_update(line=misc, acting_user=None, data={"share_kind": "struktur"})
    page = personas["styrelse_a"].get(url("budget_statements", plan)).content.decode()
    first = row(page, "Individinriktat av medlemsbidrag").split('<td class="num">')[1]
    assert first.startswith("50,0 %<") or first.startswith("50,0 %</td>")


def test_the_document_names_lines_as_the_forbund_prints_them_not_in_the_apps_terms(personas, world):
    """The budget in the plan's document shows the lines' names; "(sammanfattning per grupp)",
    "(ej fördelat)" and "(insats)" are the app's words for its own pages."""
    plan = world["plan_a"]
    forbund = plan.forbund
    struktur = BudgetCategory.objects.get(
        group__forbund=forbund, name="Strukturövergripande insatser"
    )
    services.budget_line_create(
        plan=plan, acting_user=None, category=struktur, name="Nya projekt", decided=False
    )
    services.summary_lines_ensure(plan=plan, acting_user=None)
    client = personas["styrelse_a"]
    document = client.get(url("plan_document", plan)).content.decode()
    assert "Nya projekt" in document and "Förvaltning, per grupp" in document
    for term in ("(ej fördelat)", "(sammanfattning per grupp)"):
        assert term not in document
    reports = client.get(url("budget_statements", plan)).content.decode()
    assert "(ej fördelat)" in reports and "(sammanfattning per grupp)" in reports
