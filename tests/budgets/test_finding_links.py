"""Kontroller leads to the fix: each finding links to the page and the field where it is fixed,
and a finding alike in several years stands once with its years."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from budgets import services
from budgets.checks import VARNING, Finding
from budgets.finding_links import finding_url
from budgets.models import ColumnKind
from budgets.selectors import plan_figures
from tests import factories

pytestmark = pytest.mark.django_db


def _plan_with_findings(forbund):
    plan = factories.plan(forbund, plan_years=3, opening_equity=Decimal(50_000))
    rows = {r.year: r for r in plan.year_rows.filter(column=ColumnKind.BUDGET)}
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={rows[2027].pk: {"floor_amount": Decimal(100_000)}},
    )
    # 2027 ends at 60 000 kr, under its floor; 2028 and 2029 are empty.
    services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(2027, ColumnKind.BUDGET): Decimal(10_000)}
    )
    return plan, rows


def _fix_links(html: str) -> list[str]:
    return re.findall(r'<a class="finding-fix" href="([^"]+)"', html)


@time_machine.travel("2026-06-01 12:00 +0200", tick=False)
def test_each_finding_links_to_a_field_that_is_on_the_linked_page(personas, forbund_a):
    plan, rows = _plan_with_findings(forbund_a)
    client = personas["kansli_a"]
    html = client.get(reverse("plan_detail", args=[forbund_a.slug, plan.pk])).content.decode()
    links = _fix_links(html)
    years = reverse("budget_years", args=[forbund_a.slug, plan.pk])
    editor = reverse("budget_editor", args=[forbund_a.slug, plan.pk])
    assert f"{years}#id_y{rows[2027].pk}-floor_amount" in links
    assert f"{editor}#id_mb-2028-budget" in links
    for link in links:
        path, anchor = link.split("#")
        page = client.get(path)
        assert page.status_code == 200, link
        assert f'id="{anchor}"' in page.content.decode(), link


@time_machine.travel("2026-06-01 12:00 +0200", tick=False)
def test_an_empty_year_alike_in_two_years_is_listed_once_with_both(personas, forbund_a):
    plan, _ = _plan_with_findings(forbund_a)
    html = (
        personas["kansli_a"]
        .get(reverse("plan_detail", args=[forbund_a.slug, plan.pk]))
        .content.decode()
        .replace("\xa0", " ")
    )
    assert html.count("budgeten för året är tom") == 1
    assert "2028 och 2029: budgeten för året är tom" in html
    # The empty years are not also over a ceiling of 0 kr and under a floor.
    assert "över taket" not in html


@time_machine.travel("2026-06-01 12:00 +0200", tick=False)
def test_a_board_member_sees_the_findings_without_links_to_pages_of_the_kansli(personas, forbund_a):
    plan, _ = _plan_with_findings(forbund_a)
    html = personas["styrelse_a"].get(reverse("plan_detail", args=[forbund_a.slug, plan.pk]))
    assert "under golvet" in html.content.decode().replace("\xa0", " ")
    assert _fix_links(html.content.decode()) == []


@pytest.mark.parametrize(
    "ref",
    ["ceiling", "floor", "individ", "resultat", "ib", "balans", "medlemsbidrag", "ub", "member"],
)
def test_the_field_each_kind_of_finding_links_to_is_on_its_page(personas, forbund_a, ref):
    plan = factories.plan(forbund_a, plan_years=3)
    if ref == "member":
        ref = f"member:{forbund_a.medlemmar.filter(kind='kommun').first().pk}"
    link = finding_url(plan_figures(plan), Finding("x", VARNING, "2028: x", 2028, ref))
    path, anchor = link.split("#")
    page = personas["kansli_a"].get(path)
    assert page.status_code == 200
    assert f'id="{anchor}"' in page.content.decode()


@time_machine.travel("2026-06-01 12:00 +0200", tick=False)
def test_the_editors_count_of_findings_is_the_number_kontroller_lists(personas, forbund_a):
    plan, _ = _plan_with_findings(forbund_a)
    html = personas["kansli_a"].get(reverse("budget_editor", args=[forbund_a.slug, plan.pk]))
    html = html.content.decode()
    listed = len(re.findall(r'<li class="finding finding-', html))
    assert f"Kontroller ({listed})" in html
    assert f"{listed} anmärkningar totalt" in html
