"""The target panel marks a year only where a plan check says it breaks a target: the checks
decide, the page shows their findings (the page once decided on its own, and drifted)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services
from budgets.models import ColumnKind
from tests import factories

pytestmark = pytest.mark.django_db


def _panel(client, plan) -> str:
    page = client.get(reverse("budget_statements", args=[plan.forbund.slug, plan.pk]))
    html = page.content.decode()
    return html[html.index("Golv för eget kapital") :].split("</tr>")[0]


@pytest.mark.parametrize(
    ("opening_equity", "under_floor_badge"),
    [(Decimal(50_000), True), (Decimal(-50_000), False)],
)
def test_the_floor_badge_follows_the_floor_check(
    personas, forbund_a, opening_equity, under_floor_badge
):
    plan = factories.plan(forbund_a, plan_years=1, opening_equity=opening_equity)
    row = plan.year_rows.get(year=2027, column=ColumnKind.BUDGET)
    services.budget_years_update(
        plan=plan, acting_user=None, rows={row.pk: {"floor_amount": Decimal(100_000)}}
    )
    # A medlemsbidrag of 10 000 kr and no cost: an empty year has its own finding only.
    services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(2027, ColumnKind.BUDGET): Decimal(10_000)}
    )
    # Below the floor but not below zero is ek-under-golv; below zero is ub-negativ instead.
    assert ("under</span>" in _panel(personas["styrelse_a"], plan)) == under_floor_badge
