"""The medlemssamråd pack: each member's contribution over the plan years beside this year's and
last year's, the fördelningstal, eget kapital and the insatser, as a page, a PDF and a workbook.
Every member's figure is recomputed here from the 50/25/25 split and the kommuner's fördelningstal
and looked for in all three outputs."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from budgets import services
from finsam.models import Fordelningstal
from plans import services as plan_services
from plans.demo import load_demo
from plans.models import Plan
from tests import factories
from tests.excel import recompute
from tests.helpers import adopt_plan, make_plan, text_of

pytestmark = pytest.mark.django_db

TOTALS = {2027: 4_000_000, 2028: 4_400_000, 2029: 4_800_000}
PREVIOUS_TOTAL = 3_600_000  # the adopted plan of 2026
WEIGHTS = {"Testköping 1": 30_000, "Testköping 2": 10_000}  # 2027–2029
PREVIOUS_WEIGHTS = {"Testköping 1": 20_000, "Testköping 2": 20_000}  # 2026


def expected_parts(total: int, weights: dict[str, int]) -> dict[str, int]:
    """The fixed split worked out by hand: the state half, the region and kommun quarters, the
    kommun quarter by fördelningstal (the test's totals divide evenly)."""
    quarter = total // 4
    whole = sum(weights.values())
    parts = {
        "Försäkringskassan": total // 2,
        "Arbetsförmedlingen": 0,
        "Region Testlän": quarter,
    }
    parts.update({name: quarter * w // whole for name, w in weights.items()})
    assert sum(parts.values()) == total
    return parts


def spaced(amount: int) -> str:
    """An amount as the pages write it: thousands apart by a space."""
    return f"{amount:,}".replace(",", " ")


def plain(text: str) -> str:
    return re.sub(r"[\xa0\u202f]", " ", text)


@pytest.fixture
def pack_plan():
    """A draft for 2027–2029 with unequal fördelningstal, one insats with money, and the
    adopted plan of 2026 (there is none for 2025)."""
    forbund, plan = make_plan("samrad")
    for name, weight in WEIGHTS.items():
        Fordelningstal.objects.filter(medlem__forbund=forbund, medlem__name=name).update(
            invanare=weight
        )
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(t) for y, t in TOTALS.items()},
    )
    factories.insats(plan, name="Unga till arbete", money={2027: 300_000, 2028: 310_000})
    previous = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2026)
    for name, weight in PREVIOUS_WEIGHTS.items():
        Fordelningstal.objects.create(
            medlem=forbund.medlemmar.get(name=name), year=2026, invanare=weight
        )
    services.budget_figures_set(
        plan=previous,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(PREVIOUS_TOTAL) for y in previous.years},
    )
    adopt_plan(previous)
    plan.refresh_from_db()
    return plan


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def pack_url(plan, name: str = "pack") -> str:
    return reverse(name, args=[plan.forbund.slug, plan.pk])


def test_the_page_shows_every_members_contribution_as_the_split_gives_it(pack_plan):
    client = client_for(factories.kansli(pack_plan.forbund))
    response = client.get(pack_url(pack_plan))
    assert response.status_code == 200
    html = plain(response.content.decode())
    assert "Utkast – underlag inför beslut." in html
    assert f"version {pack_plan.version}" in html
    previous = expected_parts(PREVIOUS_TOTAL, PREVIOUS_WEIGHTS)
    for name in ("Försäkringskassan", "Region Testlän", *WEIGHTS):
        row = re.search(rf"<tr><th scope=\"row\">{name}.*?</tr>", html, re.S).group(0)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        wanted = ["–", spaced(previous[name])]
        wanted += [spaced(expected_parts(TOTALS[y], WEIGHTS)[name]) for y in TOTALS]
        assert cells == wanted, name
    # The fördelningstal the kommuner's parts rest on, and their share of the kommun quarter.
    assert "30 000" in html and "invånare 1 juli 2026" in html
    assert "75,00 %" in html and "25,00 %" in html
    # The insats with its money per year.
    insats = re.search(r"<th scope=\"row\">Unga till arbete</th>.*?</tr>", html, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]*)</td>', insats) == ["300 000", "310 000", "0"]


def test_the_workbook_sums_the_members_with_live_formulas(pack_plan):
    client = client_for(factories.kansli(pack_plan.forbund))
    response = client.get(pack_url(pack_plan, "pack_excel"))
    assert response.status_code == 200
    data = response.content
    values = recompute(data)
    ws = load_workbook(io.BytesIO(data))["Alla medlemmar"]
    rows: dict = {}
    for r in range(1, ws.max_row + 1):  # the first row of a name: the members' table
        rows.setdefault(ws.cell(row=r, column=1).value, r)
    previous = expected_parts(PREVIOUS_TOTAL, PREVIOUS_WEIGHTS)
    for name in ("Försäkringskassan", "Region Testlän", *WEIGHTS):
        r = rows[name]
        assert ws.cell(row=r, column=3).value == "–"  # no adopted plan for 2025
        assert ws.cell(row=r, column=4).value == previous[name]
        for col, year in enumerate(TOTALS, start=5):
            assert ws.cell(row=r, column=col).value == expected_parts(TOTALS[year], WEIGHTS)[name]
        period = sum(expected_parts(TOTALS[y], WEIGHTS)[name] for y in TOTALS)
        assert ws.cell(row=r, column=8).value.startswith("=SUM(")
        assert values[("ALLA MEDLEMMAR", f"H{r}")] == period
    total_row = rows["Summa medlemsbidrag"]
    for col, year in zip("EFG", TOTALS, strict=True):
        assert ws[f"{col}{total_row}"].value.startswith("=SUM(")
        assert values[("ALLA MEDLEMMAR", f"{col}{total_row}")] == TOTALS[year]
    assert values[("ALLA MEDLEMMAR", f"D{total_row}")] == PREVIOUS_TOTAL
    # A sheet per paying member, whose period sum is a formula too.
    sheet = load_workbook(io.BytesIO(data))["Testköping 1"]
    labels = {sheet.cell(row=r, column=1).value: r for r in range(1, sheet.max_row + 1)}
    r = labels["Summa planperioden"]
    assert values[("TESTKÖPING 1", f"B{r}")] == sum(
        expected_parts(TOTALS[y], WEIGHTS)["Testköping 1"] for y in TOTALS
    )
    assert "Arbetsförmedlingen" not in load_workbook(io.BytesIO(data)).sheetnames


def test_the_pdf_states_its_draft_and_every_members_contribution(pack_plan):
    client = client_for(factories.ledamot(pack_plan.forbund))
    response = client.get(pack_url(pack_plan, "pack_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = plain(text_of(response.content))
    assert "Utkast – underlag inför beslut." in text
    assert f"version {pack_plan.version}" in text
    for name in ("Försäkringskassan", "Region Testlän", *WEIGHTS):
        amounts = " ".join(spaced(expected_parts(TOTALS[y], WEIGHTS)[name]) for y in TOTALS)
        assert amounts in text, name


def test_the_offers_name_the_member_that_binds_the_budget(pack_plan):
    client = client_for(factories.kansli(pack_plan.forbund))
    members = {m.name: m.pk for m in pack_plan.forbund.medlemmar.all()}
    offers = {
        "year": "2027",
        f"m-{members['Försäkringskassan']}": "2 000 000",
        f"m-{members['Region Testlän']}": "1 000 000",
        # Testköping 2 pays a quarter of the kommun quarter: 200 000 allows 3 200 000 in all.
        f"m-{members['Testköping 1']}": "750 000",
        f"m-{members['Testköping 2']}": "200 000",
    }
    html = plain(client.get(pack_url(pack_plan), offers).content.decode())
    assert "Begränsas av <strong>Testköping 2</strong>" in html
    assert "3 200 000 kr" in html


def test_a_seed_plan_shows_its_members_to_the_krona():
    forbund = next(f for f in load_demo() if "vatterbygden" in f.slug)
    plan = Plan.objects.filter(forbund=forbund, budget_year=2020).latest("version")
    client = client_for(factories.kansli(forbund))
    html = plain(client.get(pack_url(plan)).content.decode())
    # The seed's own table (budget 2020, plan 2021 and 2022 alike).
    for name, amount in {
        "Habo kommun": 118_400,
        "Jönköpings kommun": 1_345_100,
        "Mullsjö kommun": 70_600,
        "Vaggeryds kommun": 135_900,
        "Region Jönköpings län": 1_670_000,
    }.items():
        row = re.search(rf"<tr><th scope=\"row\">{name}.*?</tr>", html, re.S).group(0)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells[2:] == [spaced(amount)] * 3, name
    assert "3 340 000" in html


def test_another_forbunds_plan_answers_404(pack_plan, personas):
    for name in ("pack", "pack_pdf", "pack_excel"):
        assert personas["kansli_b"].get(pack_url(pack_plan, name)).status_code == 404


def test_the_board_and_a_revisor_may_read_an_adopted_plans_pack(pack_plan):
    adopt_plan(pack_plan)
    for membership in (factories.ledamot(pack_plan.forbund), factories.revisor(pack_plan.forbund)):
        response = client_for(membership).get(pack_url(pack_plan))
        assert response.status_code == 200
        assert "Antagen plan." in response.content.decode()


def test_a_plan_without_fordelningstal_says_so_rather_than_failing(pack_plan):
    Fordelningstal.objects.filter(medlem__forbund=pack_plan.forbund).delete()
    client = client_for(factories.kansli(pack_plan.forbund))
    html = plain(client.get(pack_url(pack_plan)).content.decode())
    assert "saknar var sitt fördelningstal" in html
    assert client.get(pack_url(pack_plan, "pack_excel")).status_code == 200
    # Offers that are not amounts are the form's errors, not a 500.
    response = client.get(pack_url(pack_plan), {"year": "1999", "m-1": "abc"})
    assert response.status_code == 200
