"""An adopted plan never changes: every förbund-level write a kansli can make after adoption
leaves its plan_summary, its pages and its archived PDF as they were, and a submitted plan is
just as still under the board's eyes. A draft keeps following its förbund."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from budgets import services as budget_services
from budgets.models import BudgetCategory, BudgetGroup, Statement
from finsam import services as finsam_services
from finsam.models import Fordelningstal, Medlem
from plans.demo import load_demo
from plans.models import Plan
from plans.pdf import render_plan_pdf
from tests import factories
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def _summary(plan) -> dict:
    out = io.StringIO()
    call_command("plan_summary", forbund=plan.forbund.slug, year=plan.budget_year, stdout=out)
    data = json.loads(out.getvalue())
    data.pop("findings", None)  # the deadline finding moves with today's date, not the data
    return data


def _pages(client, plan) -> dict[str, str]:
    pages = {}
    for name in ("plan_detail", "budget_editor", "budget_statements", "plan_document"):
        html = client.get(reverse(name, args=[plan.forbund.slug, plan.pk])).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        main = html[html.index("<main") : html.index("</main>")]
        pages[name] = main
    return pages


def _forbund_writes(forbund):
    """Each förbund-level write a kansli can make, through its service."""
    kansli = None
    groups = {g.name: g for g in BudgetGroup.objects.for_forbund(forbund)}
    cost_groups = [g for g in groups.values() if g.side == "kostnad"]
    income = BudgetCategory.objects.filter(group__forbund=forbund, group__side="intakt").first()
    cost = BudgetCategory.objects.filter(group__forbund=forbund, group__side="kostnad").first()
    kommun = forbund.medlemmar.filter(kind="kommun").first()
    yield (
        "avrundning",
        lambda: finsam_services.forbund_update(
            forbund=forbund, acting_user=kansli, data={"rounding_unit": 1000}
        ),
    )
    yield (
        "enhet",
        lambda: finsam_services.forbund_update(
            forbund=forbund,
            acting_user=kansli,
            data={"amount_unit": "kr" if forbund.amount_unit == "tkr" else "tkr"},
        ),
    )
    yield (
        "andel",
        lambda: budget_services.budget_structure_save(
            obj=cost_groups[0], acting_user=kansli, data={"share_kind": "ovrigt"}
        ),
    )
    yield (
        "rad i resultatbudgeten",
        lambda: budget_services.budget_structure_save(
            obj=cost, acting_user=kansli, data={"statement": Statement.FINANSIELL}
        ),
    )
    yield (
        "kategori till annan grupp",
        lambda: budget_services.budget_structure_save(
            obj=income, acting_user=kansli, data={"group": cost_groups[-1]}
        ),
    )
    yield (
        "fördelningstal",
        lambda: Fordelningstal.objects.update_or_create(
            medlem=kommun, year=2021, defaults={"invanare": 1, "avtalad_andel": None}
        ),
    )
    yield (
        "ny kommun",
        lambda: finsam_services.medlem_save(
            medlem=Medlem(forbund=forbund, name="Nyköping", kind="kommun", order=99),
            acting_user=kansli,
            data={},
            fordelningstal=[Fordelningstal(year=y, invanare=500_000) for y in (2021, 2022, 2023)],
        ),
    )


def test_no_forbund_write_changes_an_adopted_plan():
    load_demo()
    plan = Plan.objects.get(forbund__slug="goteborg", budget_year=2021)
    assert plan.is_adopted and plan.frozen
    client = Client()
    client.force_login(factories.revisor(plan.forbund).user)
    before = (
        _summary(plan),
        _pages(client, plan),
        text_of(render_plan_pdf(plan, draft=False).content),
    )
    changed = []
    for name, write in _forbund_writes(plan.forbund):
        write()
        plan = Plan.objects.get(pk=plan.pk)
        after = (
            _summary(plan),
            _pages(client, plan),
            text_of(render_plan_pdf(plan, draft=False).content),
        )
        if after != before:
            changed.append(name)
    assert changed == []


def test_a_draft_follows_its_forbund(forbund_a):
    plan = factories.plan(forbund_a)
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(2027, "budget"): Decimal(4_000_000)}
    )
    before = _summary(plan)
    finsam_services.forbund_update(forbund=forbund_a, acting_user=None, data={"rounding_unit": 100})
    assert _summary(plan) == before  # same figures: 4 000 000 divides by 100 …
    finsam_services.forbund_update(forbund=forbund_a, acting_user=None, data={"amount_unit": "tkr"})
    assert _summary(plan)["plan"]["amount_unit"] == "tkr"  # … but a draft shows the new unit
