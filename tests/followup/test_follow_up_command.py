"""manage.py follow_up: every figure of the year's follow-up as JSON, the page's own, and a clear
Swedish error for a förbund, year or month that is not there."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from budgets import services as budget_services
from budgets.calc import round_kr
from budgets.models import BudgetCategory
from finsam.models import Fordelningstal
from followup import selectors, services
from followup.models import FollowupSettings
from plans import services as plan_services
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan

pytestmark = pytest.mark.django_db

ACCOUNTS = {"1930": "Bank", "3010": "Medlemsbidrag", "7010": "Löner", "6990": "Övrigt"}


def followed_year(forbund, through: int = 6):
    """An adopted plan for 2027 (medlemsbidrag 4 mkr, Kansli 1 mkr) with utfall through a month:
    Kansli 90 000 kr a month, medlemsbidrag 300 000, 500 kr a month on a konto on no line."""
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2027)
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000)
    budget_services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=BudgetCategory.objects.get(group__forbund=forbund, name="Kansli"),
        name="Kansli",
        amounts={(y, "budget"): Decimal(1_000_000) for y in plan.years},
    )
    adopt_plan(plan)
    refs = selectors.line_refs(selectors.plan_figures(plan))
    services.mapping_set(
        forbund=forbund,
        rows=services.mapping_read(
            "karta.csv", b"konto;budgetrad\n3010;Medlemsbidrag\n7010;Kansli\n", refs
        ),
        refs=refs,
        acting_user=None,
        replace=True,
    )
    months = {}
    for month in range(1, through + 1):
        months[("3010", 2027, month)] = Decimal(-300_000)
        months[("7010", 2027, month)] = Decimal(90_000)
        months[("6990", 2027, month)] = Decimal(500)
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund,
            year=2027,
            file_name="bok.se",
            data=sie_text(ACCOUNTS, months, year=2027),
            refs=refs,
        ),
        acting_user=None,
    )
    return plan


def run(*args) -> dict:
    out = StringIO()
    call_command("follow_up", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_json_carries_every_figure_as_whole_kronor_the_test_computes(forbund_a):
    followed_year(forbund_a, through=6)
    report = run("--forbund", "forbund-a", "--year", "2027", "--format", "json")
    assert (report["year"], report["month"], report["as_of"]) == (2027, 6, "2027-06")
    rows = {r["label"]: r for r in report["rows"]}
    kansli = rows["Kansli"]
    assert kansli["budget"] == "1000000"
    assert kansli["budget_so_far"] == "500000"
    assert kansli["utfall"] == "540000"
    assert kansli["deviation"] == "-40000"  # 40 000 more cost than budget so far: worse
    assert kansli["deviation_percent"] == "-8.0"
    assert kansli["prognos"] == "1040000"  # no prognos yet: utfall and the budget that remains
    assert rows["Medlemsbidrag"]["utfall"] == "1800000"
    assert rows["Medlemsbidrag"]["deviation"] == str(1_800_000 - 2_000_000)
    assert report["result"]["utfall"] == str(1_800_000 - 540_000)
    assert report["totals"]["kostnader"]["utfall"] == "540000"
    assert report["unmapped"] == {
        "count": 1,
        "total": "3000.00",
        "accounts": [{"konto": 6990, "name": "Övrigt", "total": "3000.00"}],
    }
    first = report["forecast"]["years"][0]
    # The forecast: medlemsbidrag 1 800 000 and the 2 000 000 of budget that remains, less
    # Kansli's 1 040 000; the members' parts add up to the forecast medlemsbidrag.
    assert rows["Medlemsbidrag"]["prognos"] == "3800000"
    assert first["resultat"] == str(3_800_000 - 1_040_000)
    assert int(first["ub"]) == int(first["ib"]) + int(first["resultat"])
    assert sum(int(p["amount"]) for p in first["member_parts"]) == 3_800_000
    assert report["forecast"]["years"][1]["ib"] == first["ub"]
    assert isinstance(report["forecast"]["findings"], list)


def test_as_of_an_earlier_month_is_the_page_with_that_month(forbund_a, kansli_a):
    plan = followed_year(forbund_a, through=6)
    FollowupSettings.objects.create(forbund=forbund_a, threshold_kr=1)
    services.prognos_create(
        forbund=forbund_a,
        year=2027,
        month=3,
        follow=selectors.follow_up(plan, month=3),
        acting_user=None,
    )
    report = run("--forbund", "forbund-a", "--year", "2027", "--as-of", "2027-03")
    assert report["month"] == 3
    assert {r["label"]: r["utfall"] for r in report["rows"]}["Kansli"] == "270000"
    assert report["prognos"]["as_of"] == "per 31 mars 2027"
    page = kansli_a.get(reverse("follow_up", args=["forbund-a", 2027]) + "?manad=3")
    text = " ".join(page.content.decode().replace("\xa0", " ").split())
    assert "Utfall till och med <strong>31 mars 2027</strong>" in text
    budget_so_far = round_kr(Decimal(1_000_000) * 3 / 12)
    assert f"{budget_so_far:,}".replace(",", " ") in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--forbund", "finns-inte", "--year", "2027"], "Förbundet 'finns-inte' finns inte."),
        (["--forbund", "forbund-a", "--year", "2031"], "har ingen antagen plan för 2031"),
        (["--forbund", "forbund-a", "--year", "2027", "--as-of", "2027-13"], "ÅÅÅÅ-MM"),
        (["--forbund", "forbund-a", "--year", "2027", "--as-of", "augusti"], "ÅÅÅÅ-MM"),
        (["--forbund", "forbund-a", "--year", "2027", "--as-of", "2026-08"], "ligger inte i 2027"),
    ],
)
def test_a_forbund_year_or_month_that_is_not_there_is_a_clear_error(forbund_a, args, message):
    followed_year(forbund_a, through=1)
    with pytest.raises(CommandError, match=message):
        run(*args)
