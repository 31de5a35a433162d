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
from pypdf import PdfReader

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


def cells_of(html: str, name: str) -> list[str]:
    """The amount cells of the row whose heading starts with name."""
    row = re.search(rf"<tr[^>]*><th scope=\"row\">{re.escape(name)}.*?</tr>", html, re.S)
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(0))


def sheet_rows(ws) -> dict:
    rows: dict = {}
    for r in range(1, ws.max_row + 1):
        rows.setdefault(ws.cell(row=r, column=1).value, r)
    return rows


def test_the_fordelningstal_and_shares_stand_in_each_kommuns_own_row(pack_plan):
    html = plain(
        client_for(factories.kansli(pack_plan.forbund)).get(pack_url(pack_plan)).content.decode()
    )
    table = html.split('id="pack-fordelningstal"')[1]
    first = re.search(r"<tr><th scope=\"row\">Testköping 1</th>.*?</tr>", table, re.S).group(0)
    second = re.search(r"<tr><th scope=\"row\">Testköping 2</th>.*?</tr>", table, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]*)<br>', first) == ["30 000"] * 3
    assert re.findall(r'<td class="num">([^<]*)</td>', first) == ["75,00 %"] * 3
    assert re.findall(r'<td class="num">([^<]*)<br>', second) == ["10 000"] * 3
    assert re.findall(r'<td class="num">([^<]*)</td>', second) == ["25,00 %"] * 3
    assert first.count("invånare 1 juli 2026") == 1  # 2027's figure rests on 1 July 2026


@pytest.mark.parametrize("cause", ["kommunsumma", "fördelningstal saknas"])
def test_a_kommun_part_that_cannot_be_split_stands_as_one_row_in_both_sums(pack_plan, cause):
    if cause == "kommunsumma":
        type(pack_plan.forbund).objects.filter(pk=pack_plan.forbund.pk).update(kommun_parts=False)
    else:
        Fordelningstal.objects.filter(
            medlem__forbund=pack_plan.forbund, medlem__name="Testköping 2", year__gte=2027
        ).delete()
    client = client_for(factories.kansli(pack_plan.forbund))
    html = plain(client.get(pack_url(pack_plan)).content.decode())
    quarters = [spaced(TOTALS[y] // 4) for y in TOTALS]
    # The setting is the förbund's, so 2026's plan states the kommuner's sum only as well; a
    # missing fördelningstal of 2027 leaves 2026's split per kommun.
    previous = spaced(PREVIOUS_TOTAL // 4) if cause == "kommunsumma" else "–"
    assert cells_of(html, "Kommunerna (gemensamt)") == ["–", previous, *quarters]
    note = "kommunernas sammanlagda del" if cause == "kommunsumma" else "saknar fördelningstal"
    row = re.search(r"<tr><th scope=\"row\">Kommunerna \(gemensamt\).*?</tr>", html, re.S)
    assert note in row.group(0)
    assert cells_of(html, "Testköping 1")[2:] == ["–", "–", "–"]
    page_sums = ["–", spaced(PREVIOUS_TOTAL), *(spaced(t) for t in TOTALS.values())]
    assert cells_of(html, "Summa medlemsbidrag") == page_sums
    data = client.get(pack_url(pack_plan, "pack_excel")).content
    values = recompute(data)
    ws = load_workbook(io.BytesIO(data))["Alla medlemmar"]
    total_row = sheet_rows(ws)["Summa medlemsbidrag"]
    assert ws[f"C{total_row}"].value is None  # no plan for 2025: empty, not a sum of 0
    assert values[("ALLA MEDLEMMAR", f"D{total_row}")] == PREVIOUS_TOTAL
    for col, total in zip("EFG", TOTALS.values(), strict=True):
        assert values[("ALLA MEDLEMMAR", f"{col}{total_row}")] == total
    assert values[("ALLA MEDLEMMAR", f"H{total_row}")] == sum(TOTALS.values())
    assert "Kommunerna (gemensamt)" not in load_workbook(io.BytesIO(data)).sheetnames


def test_negative_equity_is_called_so_not_under_the_floor():
    forbund, plan = make_plan("ekneg")
    factories.insats(plan, name="Dyr insats", money={2027: 5_000_000})
    rows = {(r.year, r.column): r for r in plan.year_rows.all()}
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={rows[(2027, "budget")].pk: {"floor_amount": Decimal(100_000)}},
    )
    html = plain(client_for(factories.kansli(forbund)).get(pack_url(plan)).content.decode())
    row = re.search(r"<tr><th scope=\"row\">2027</th>.*?</tr>", html, re.S).group(0)
    assert "<td>Negativt eget kapital</td>" in row


def test_a_year_budgeted_per_group_shows_no_amount_per_insats(pack_plan):
    rows = {(r.year, r.column): r for r in pack_plan.year_rows.all()}
    services.budget_years_update(
        plan=pack_plan, acting_user=None, rows={rows[(2029, "budget")].pk: {"level": "grupper"}}
    )
    client = client_for(factories.kansli(pack_plan.forbund))
    html = plain(client.get(pack_url(pack_plan)).content.decode())
    assert cells_of(html, "Unga till arbete") == ["300 000", "310 000", "–"]
    assert "2029: budgeteras per grupp, inte per insats" in html
    data = client.get(pack_url(pack_plan, "pack_excel")).content
    ws = load_workbook(io.BytesIO(data))["Alla medlemmar"]
    r = sheet_rows(ws)["Unga till arbete"]
    assert [ws.cell(row=r, column=c).value for c in (3, 4, 5)] == [300_000, 310_000, "–"]
    assert ws.cell(row=sheet_rows(ws)["Summa insatser"], column=5).value == "–"


def test_the_outputs_name_the_plans_whole_period(pack_plan):
    client = client_for(factories.kansli(pack_plan.forbund))
    period = "budget 2027 med plan för 2028–2029"
    assert period in plain(text_of(client.get(pack_url(pack_plan, "pack_pdf")).content))
    data = client.get(pack_url(pack_plan, "pack_excel")).content
    assert period in load_workbook(io.BytesIO(data))["Alla medlemmar"]["A1"].value
    html = client.get(pack_url(pack_plan)).content.decode()
    assert re.search(r'aria-current="page">Erbjudanden<', html)


def test_each_plan_year_opens_with_the_year_befores_closing_capital_as_a_formula(pack_plan):
    data = client_for(factories.kansli(pack_plan.forbund)).get(pack_url(pack_plan, "pack_excel"))
    values = recompute(data.content)
    ws = load_workbook(io.BytesIO(data.content))["Alla medlemmar"]
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == 2027)
    for r in (first + 1, first + 2):
        assert ws[f"B{r}"].value == f"=D{r - 1}"
        assert values[("ALLA MEDLEMMAR", f"B{r}")] == values[("ALLA MEDLEMMAR", f"D{r - 1}")]


def test_offers_that_are_not_amounts_are_named_and_a_missing_fordelningstal_is_said(pack_plan):
    Fordelningstal.objects.filter(medlem__forbund=pack_plan.forbund).delete()
    client = client_for(factories.kansli(pack_plan.forbund))
    members = {m.name: m.pk for m in pack_plan.forbund.medlemmar.all()}
    offers = {"year": "2027"} | {f"m-{pk}": "1 000 000" for name, pk in members.items()}
    offers[f"m-{members['Region Testlän']}"] = "abc"
    response = client.get(pack_url(pack_plan), offers)
    assert response.status_code == 200
    assert "Ingen bindande medlem är beräknad" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    offers[f"m-{members['Region Testlän']}"] = "1 000 000"
    html = plain(client.get(pack_url(pack_plan), offers).content.decode())
    assert re.search(r'<p role="alert">[^<]*fördelningstal', html)


def test_a_long_insats_name_breaks_within_its_column_in_the_pdf(pack_plan):
    pack_plan.insatser.filter(name="Unga till arbete").update(name="Försäkringskassehandläggare")
    client = client_for(factories.kansli(pack_plan.forbund))
    text = plain(text_of(client.get(pack_url(pack_plan, "pack_pdf")).content))
    # Whole, the word is wider than the column and would run into "Individinriktad".
    assert "Försäkringskassehandläggare" not in text
    assert "Försäkringskasse" in text


@pytest.mark.parametrize("slug", ["goteborg", "sundsvall", "sodra-vatterbygden"])
def test_no_pdf_page_ends_with_a_heading_torn_from_its_table(slug):
    forbund = next(f for f in load_demo() if f.slug == slug)
    plan = Plan.objects.filter(forbund=forbund).order_by("-budget_year", "-version").first()
    client = client_for(factories.kansli(forbund))
    pages = PdfReader(io.BytesIO(client.get(pack_url(plan, "pack_pdf")).content)).pages
    texts = [plain(p.extract_text()) for p in pages]
    tables = {
        "Medlemsbidrag per medlem\n": "Summa medlemsbidrag",
        "Eget kapital mot tak och golv\n": "Ingående",
        "Planerade insatser\n": "Summa insatser",
    }
    for heading, body in tables.items():
        page = next(t for t in texts if heading in t)
        assert body in page.split(heading, 1)[1], (slug, heading)
