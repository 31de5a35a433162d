"""Each of the three seed plans followed for a year: a SIE file the test writes from the plan's
own lines (one konto per line, CP437 with the seeds' å ä ö), read through a konto map, and every
line's utfall, the prognos and the forecast UB checked to the krona against the test's own sums."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from followup import selectors, services
from plans.demo import load_demo
from plans.models import Plan
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan

pytestmark = pytest.mark.django_db
MONTHS = 8
ORE = Decimal("0.01")


def kr(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def booked(budget: Decimal, month: int) -> Decimal:
    """The month's amount as the books carry it: a twelfth of the budget, a little off."""
    return (budget * (100 + month) / 1200).quantize(ORE, rounding=ROUND_HALF_UP)


def test_every_seed_plan_is_followed_to_the_krona():
    followed = 0
    for forbund in load_demo():
        plan = Plan.objects.filter(forbund=forbund).order_by("-budget_year", "-version").first()
        if plan.status != "antagen":
            adopt_plan(plan)
        year = plan.budget_year
        figures = selectors.plan_figures(plan)
        refs = selectors.line_refs(figures)
        budgets = {
            r.key: figures.result.year(year).medlemsbidrag
            if r.group_id is None
            else figures.result.year(year).line_amounts[r.calc_key]
            for r in refs
        }
        accounts, months, konto_of, rows = {}, {}, {}, []
        incomes = costs = 0
        for ref in refs:
            if ref.group_id is None:
                konto = 3010
            elif ref.side == "intakt":
                incomes += 1
                konto = 3100 + incomes
            else:
                costs += 1
                konto = 4000 + costs
            konto_of[ref.key] = konto
            accounts[str(konto)] = ref.name.encode("cp437", "replace").decode("cp437")
            rows.append(
                services.MapRow(konto, konto, "medlemsbidrag" if konto == 3010 else "rad", ref)
            )
            sign = -1 if ref.side == "intakt" else 1
            for month in range(1, MONTHS + 1):
                amount = booked(budgets[ref.key], month)
                if amount:
                    months[(str(konto), year, month)] = sign * amount
        services.mapping_set(forbund=forbund, rows=rows, refs=refs, acting_user=None)
        preview = services.utfall_preview(
            forbund=forbund,
            year=year,
            file_name="bok.se",
            data=sie_text(accounts, months, year=year),
            refs=refs,
        )
        assert preview.file_total == sum(months.values())
        services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
        services.prognos_create(
            forbund=forbund,
            year=year,
            month=MONTHS,
            follow=selectors.follow_up(plan),
            acting_user=None,
        )

        follow = selectors.follow_up(plan)
        assert follow.utfall.unmapped == []
        income = cost = Decimal(0)
        for row in follow.rows:
            budget = budgets[row.ref.key]
            utfall = sum(kr(booked(budget, m)) for m in range(1, MONTHS + 1))
            so_far = kr(budget * MONTHS / 12)
            prognos = kr(utfall + budget - so_far)
            assert (row.utfall, row.budget_so_far, row.prognos) == (utfall, so_far, prognos), (
                forbund.slug,
                row.label,
            )
            if row.side == "intakt":
                income += prognos
            else:
                cost += prognos
        assert follow.forecast.first.resultat == income - cost
        assert follow.forecast.first.ub == plan.opening_equity.amount + income - cost
        followed += 1
    assert followed == 3
