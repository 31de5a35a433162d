"""The årsredovisning's tables of a followed year: a plan the test constructs, twelve months of
utfall typed through the grid's service, and every figure of the page, the PDF and the workbook
against sums the test makes itself."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from djmoney.money import Money
from pypdf import PdfReader

from finsam.models import Fordelningstal
from finsam.money import format_number
from followup import selectors, services
from followup.annual import annual, shares_of
from insatser import services_mal
from insatser.models_mal import Indikator
from plans.models import Plan
from tests import factories
from tests.excel import recompute
from tests.helpers import adopt_plan, grow, make_plan

pytestmark = pytest.mark.django_db

YEAR = 2027
IB = Decimal(812_345)
# Per month: the members' contribution, the kansli and the insats's line, as typed.
MB, KANSLI, INSATS = Decimal(333_336), Decimal(90_001), Decimal(45_000)
BIG = Decimal(350_000)
# The members' split by the förbundsordning: FK half, AF nothing, the region a quarter, the two
# kommuner (10 000 invånare each) an eighth each.
SPLIT = [
    ("Försäkringskassan", Decimal("0.5")),
    ("Arbetsförmedlingen", Decimal(0)),
    ("Region Testlän", Decimal("0.25")),
    ("Testköping 1", Decimal("0.125")),
    ("Testköping 2", Decimal("0.125")),
]


def constructed(
    slug: str = "arsr",
    months: range = range(1, 13),
    extra_lines: int = 0,
    *,
    typed: dict[str, Decimal] | None = None,
    big_project: bool = False,
    unweighted_kommun: str = "",
):
    """The constructed year; `typed` overrides a line's monthly utfall, `big_project` adds an
    insats budgeted at 5 mkr a year (a planned deficit) that costs 350 000 kr a month, and
    `unweighted_kommun` names a kommun whose fördelningstal is missing."""
    forbund, plan = make_plan(slug)
    if extra_lines:
        grow(plan, extra_lines)
    if unweighted_kommun:
        Fordelningstal.objects.filter(
            medlem__forbund=forbund, medlem__name=unweighted_kommun
        ).delete()
    jobb = factories.insats(
        plan, name="Jobbspåret", money={y: Decimal(600_000) for y in plan.years}
    )
    if big_project:
        factories.insats(
            plan, name="Stora projektet", money={y: Decimal(5_000_000) for y in plan.years}
        )
    mal = factories.mal(
        plan,
        insats=jobb,
        text="Fler till arbete",
        indikatorer=[
            Indikator(description="Andel till arbete", kind="andel", target_value=40, source="sus")
        ],
    )
    services_mal.utfall_set(
        mal=mal,
        acting_user=None,
        outcomes={(mal.indikatorer.get().pk, YEAR): services_mal.Outcome(value=Decimal(42))},
    )
    Plan.objects.filter(pk=plan.pk).update(opening_equity=Money(IB, "SEK"))
    adopt_plan(plan)
    refs = selectors.line_refs(selectors.plan_figures(plan))
    amounts = {"Medlemsbidrag": MB, "Kansli": KANSLI, "Jobbspåret": INSATS}
    amounts["Stora projektet"] = BIG
    amounts.update(typed or {})
    cells = {
        (ref.key, month): (Decimal(0), amounts.get(ref.name, Decimal(1_000)))
        for ref in refs
        for month in months
    }
    services.line_outcomes_set(forbund=forbund, year=YEAR, cells=cells, refs=refs, acting_user=None)
    return forbund, plan, refs


def explain_kansli(forbund, plan, refs, text: str) -> None:
    prognos = services.prognos_create(
        forbund=forbund,
        year=YEAR,
        month=12,
        follow=selectors.follow_up(plan, month=12),
        acting_user=None,
    )
    line = prognos.lines.get(line_name="Kansli")
    services.prognos_lines_set(
        prognos=prognos,
        values={line.pk: {"explanation": text}},
        lock_version=prognos.lock_version,
        acting_user=None,
    )


def expected() -> dict:
    incomes = 12 * MB
    kansli, insats = 12 * KANSLI, 12 * INSATS
    result = incomes - kansli - insats
    ub = IB + result
    return {
        "incomes": incomes,
        "costs": kansli + insats,
        "kansli": kansli,
        "insats": insats,
        "result": result,
        "budget_result": Decimal(4_000_000 - 1_000_000 - 600_000),
        "ub": ub,
    }


def test_a_complete_year_shows_the_statement_equity_and_balanskrav_to_the_krona():
    forbund, plan, refs = constructed()
    e = expected()
    a = annual(plan)
    assert a.complete and a.missing == []
    rows = {r.attr: r for r in a.statement}
    assert rows["verksamhetens_intakter"].utfall == e["incomes"]
    assert rows["verksamhetens_kostnader"].utfall == -e["costs"]
    assert rows["arets_resultat"].budget == e["budget_result"]
    assert rows["arets_resultat"].utfall == e["result"]
    assert rows["arets_resultat"].deviation == e["result"] - e["budget_result"]
    assert (a.utfall.ib, a.utfall.resultat, a.utfall.ub) == (IB, e["result"], e["ub"])
    assert (a.budget.ib, a.budget.ub) == (IB, IB + e["budget_result"])
    assert a.balanskravsresultat == e["result"] and a.balanskrav_met
    groups = {g.label: g for g in a.groups}
    assert groups["Förvaltning"].utfall == e["kansli"]
    assert groups["Förvaltning"].deviation == Decimal(1_000_000) - e["kansli"]
    assert [(i.label, i.budget, i.utfall) for i in a.insatser] == [
        ("Jobbspåret", Decimal(600_000), e["insats"])
    ]
    assert [(i.insats, i.description, i.met) for i in a.indicators] == [
        ("Jobbspåret", "Andel till arbete", True)
    ]


def test_members_shares_of_eget_kapital_follow_their_contributions_and_add_up_to_ub():
    _forbund, plan, _refs = constructed()
    e = expected()
    a = annual(plan)
    shares = {m.name: m.share for m in a.member_shares}
    contributions = {m.name: m.contribution for m in a.member_shares}
    assert contributions == {name: e["incomes"] * part for name, part in SPLIT}
    assert sum(shares.values()) == e["ub"]
    # Each share is UB × its part, rounded down, and the kronor left over go to the largest
    # remainders (the earlier member on a tie).
    exact = {name: e["ub"] * part for name, part in SPLIT}
    for name, value in exact.items():
        assert shares[name] - int(value) in (0, 1)
    left = e["ub"] - sum(int(v) for v in exact.values())
    ranked = sorted(SPLIT, key=lambda s: -(exact[s[0]] - int(exact[s[0]])))
    for name, _ in ranked[: int(left)]:
        assert shares[name] == int(exact[name]) + 1


def test_shares_of_an_amount_always_add_up_even_negative():
    assert shares_of(Decimal(10), [("a", Decimal(1))] * 3) == [4, 3, 3]
    assert shares_of(Decimal(-10), [("a", Decimal(1))] * 3) == [-4, -3, -3]
    assert sum(shares_of(Decimal(1_000_001), [("a", Decimal(7)), ("b", Decimal(3))])) == 1_000_001


def _kr(value: Decimal) -> str:
    return format_number(value, "kr")


def test_the_page_shows_every_figure_and_the_explanation_from_the_latest_prognos(client):
    forbund, plan, refs = constructed()
    explain_kansli(forbund, plan, refs, "Fler timmar i kansliet än planerat.")
    e = expected()
    client.force_login(factories.revisor(forbund).user)
    page = client.get(reverse("annual_report", args=[forbund.slug, YEAR]))
    assert page.status_code == 200
    html = page.content.decode()
    for figure in (e["incomes"], e["result"], e["ub"], IB, e["kansli"], e["insats"]):
        assert _kr(figure) in html
    assert "Fler timmar i kansliet än planerat." in html
    assert "Balanskravet är uppfyllt" in html
    assert "Jobbspåret" in html and "Andel till arbete" in html


def test_pdf_and_workbook_state_the_same_figures_with_live_formulas(client):
    forbund, plan, _refs = constructed()
    e = expected()
    client.force_login(factories.ledamot(forbund).user)
    pdf = client.get(reverse("annual_report_pdf", args=[forbund.slug, YEAR]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    for figure in (e["result"], e["ub"], e["kansli"]):
        assert _kr(figure).replace("\xa0", " ") in text.replace("\xa0", " ")
    assert "Balanskravsutredning" in text

    xlsx = client.get(reverse("annual_report_xlsx", args=[forbund.slug, YEAR]))
    assert xlsx.status_code == 200
    from followup.excel_annual import annual_workbook

    book = annual_workbook(annual(plan), title="t")
    values = recompute(xlsx.content)

    def cell(name):
        sheet, coord = book.cells[name]
        return Decimal(str(values[(sheet.upper(), coord)]))

    assert cell("arets_resultat_utfall") == e["result"]
    assert cell("arets_resultat_budget") == e["budget_result"]
    assert cell("arets_resultat_avvikelse") == e["result"] - e["budget_result"]
    assert cell("ub_utfall") == e["ub"]
    assert cell("andel_summa") == e["ub"] and cell("andel_skillnad") == 0
    assert cell("drift_resultat_utfall") == e["result"]
    assert cell("bk_resultat_efter") == e["result"]


def test_an_incomplete_year_names_the_missing_months_and_offers_no_download(client):
    forbund, plan, _refs = constructed("halvar", months=range(1, 9))
    client.force_login(factories.kansli(forbund).user)
    page = client.get(reverse("annual_report", args=[forbund.slug, YEAR]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "utfall saknas för september, oktober, november, december 2027" in html
    assert "Resultaträkning" not in html
    pdf = client.get(reverse("annual_report_pdf", args=[forbund.slug, YEAR]), follow=True)
    assert "utfall saknas för september, oktober, november, december" in pdf.content.decode()
    assert pdf.redirect_chain[-1][0] == reverse("annual_report", args=[forbund.slug, YEAR])


def test_another_forbunds_kansli_gets_404(client):
    forbund, _plan, _refs = constructed()
    other, _ = make_plan("annat")
    client.force_login(factories.kansli(other).user)
    for name in ("annual_report", "annual_report_pdf", "annual_report_xlsx"):
        assert client.get(reverse(name, args=[forbund.slug, YEAR])).status_code == 404


def test_the_page_takes_as_many_queries_for_a_large_plan_as_for_a_small_one(client):
    counts = []
    for slug, extra in (("liten", 0), ("stor", 40)):
        forbund, _plan, _refs = constructed(slug, extra_lines=extra)
        client.force_login(factories.kansli(forbund).user)
        url = reverse("annual_report", args=[forbund.slug, YEAR])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _plain_kr(value: Decimal) -> str:
    return _kr(value).replace("\xa0", " ")


def _pdf_text(content: bytes) -> str:
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\xa0", " ").split())


def test_a_kommun_without_fordelningstal_leaves_the_kommuner_one_row_that_keeps_their_part(
    client,
):
    forbund, plan, _refs = constructed("ofordelad", unweighted_kommun="Testköping 2")
    e = expected()
    a = annual(plan)
    contributions = {m.name: m.contribution for m in a.member_shares}
    # The kommun quarter stands as one row; nothing of the medlemsbidrag goes missing.
    assert contributions["Kommunerna (gemensamt)"] == e["incomes"] / 4
    assert "Testköping 1" not in contributions and "Testköping 2" not in contributions
    assert sum(contributions.values()) == a.utfall.medlemsbidrag == e["incomes"]
    assert sum(m.share for m in a.member_shares) == e["ub"]
    client.force_login(factories.kansli(forbund).user)
    html = client.get(reverse("annual_report", args=[forbund.slug, YEAR])).content.decode()
    assert "Kommunerna (gemensamt)" in html
    assert "Testköping 2 saknar fördelningstal" in html


def test_with_no_medlemsbidrag_booked_the_sum_is_of_the_budgeted_contributions_shown(client):
    forbund, plan, _refs = constructed("obokat", typed={"Medlemsbidrag": Decimal(0)})
    a = annual(plan)
    assert a.shares_from_budget and a.contribution_total == Decimal(4_000_000)
    client.force_login(factories.kansli(forbund).user)
    html = client.get(reverse("annual_report", args=[forbund.slug, YEAR])).content.decode()
    table = html[html.index('id="andelar-tabell"') : html.index("</table>", html.index("andelar"))]
    assert "andelarna följer de budgeterade bidragen" in table
    summa = table[table.index("Summa") :]
    assert _kr(Decimal(4_000_000)) in summa


def test_the_workbook_splits_eget_kapital_among_the_members_with_formulas(client):
    from openpyxl import load_workbook

    from followup.excel_annual import annual_workbook

    forbund, plan, _refs = constructed("formler")
    a = annual(plan)
    client.force_login(factories.kansli(forbund).user)
    content = client.get(reverse("annual_report_xlsx", args=[forbund.slug, YEAR])).content
    book = annual_workbook(a, title="t")
    sheets = load_workbook(io.BytesIO(content))
    values = recompute(content)
    for i, share in enumerate(a.member_shares):
        sheet, coord = book.cells[f"andel_{i}"]
        assert str(sheets[sheet][coord].value).startswith("=")
        assert Decimal(str(values[(sheet.upper(), coord)])) == share.share


def test_a_deficit_below_zero_shows_the_checks_finding_and_says_it_was_planned(client):
    forbund, plan, _refs = constructed("underskott", big_project=True)
    a = annual(plan)
    result = 12 * (MB - KANSLI - INSATS - BIG)
    assert a.utfall.resultat == result and a.budget.resultat == Decimal(-2_600_000)
    assert a.utfall.ub < 0 and [f.code for f in a.findings] == ["ub-negativ"]
    client.force_login(factories.kansli(forbund).user)
    html = client.get(reverse("annual_report", args=[forbund.slug, YEAR])).content.decode()
    html = html.replace("\xa0", " ")
    assert a.findings[0].message.replace("\xa0", " ") in html
    assert "Budgeterat resultat för året var " + _plain_kr(Decimal(-2_600_000)) in html
    assert "Underskottet är en planerad förbrukning av eget kapital" in html
    assert "ska återställas" not in html


def test_a_closed_year_shows_its_recorded_ub_and_the_next_plans_opening_capital_finding(client):
    from followup.carry import year_close
    from plans import services as plan_services

    forbund, plan, _refs = constructed("bokslut")
    e = expected()
    nxt = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=YEAR + 1)
    Plan.objects.filter(pk=nxt.pk).update(opening_equity=Money(Decimal(3_000_000), "SEK"))
    adopt_plan(nxt)
    year_close(forbund=forbund, year=YEAR, acting_user=None)
    client.force_login(factories.revisor(forbund).user)
    html = client.get(reverse("annual_report", args=[forbund.slug, YEAR])).content.decode()
    html = html.replace("\xa0", " ")
    assert "med utgående eget kapital " + _plain_kr(e["ub"]) in html
    assert "Utfallet som det står nu ger samma belopp." in html
    assert "Nästa års plan:" in html and "anger ingående eget kapital" in html
    assert _plain_kr(Decimal(3_000_000)) in html


@time_machine.travel("2028-02-10 12:00", tick=False)
def test_the_pdf_names_the_decision_and_is_preliminary_until_the_year_is_closed(client):
    from followup.carry import year_close

    forbund, plan, _refs = constructed("prelim")
    client.force_login(factories.ledamot(forbund).user)
    url = reverse("annual_report_pdf", args=[forbund.slug, YEAR])
    text = _pdf_text(client.get(url).content)
    assert "antagen av styrelsen den 20 november 2026, §1" in text
    assert "Preliminär" in text and "inte bokslutat" in text
    year_close(forbund=forbund, year=YEAR, acting_user=None)
    text = _pdf_text(client.get(url).content)
    assert "Preliminär" not in text and "bokslutat 10 februari 2028" in text


def test_every_text_of_the_pdf_and_its_page_footer_is_in_the_sans_font(client):
    forbund, _plan, _refs = constructed("typsnitt")
    client.force_login(factories.kansli(forbund).user)
    pdf = PdfReader(
        io.BytesIO(client.get(reverse("annual_report_pdf", args=[forbund.slug, YEAR])).content)
    )
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("Finsam-Sans" in f for f in fonts), fonts


def test_an_incomplete_year_links_the_kansli_to_the_import_and_the_grid(client):
    forbund, _plan, _refs = constructed("lankar", months=range(1, 9))
    client.force_login(factories.kansli(forbund).user)
    html = client.get(reverse("annual_report", args=[forbund.slug, YEAR])).content.decode()
    start = html.index('class="notice notice-varning"')
    notice = html[start : html.index("</div>", start)]
    assert reverse("followup_import", args=[forbund.slug, YEAR]) in notice
    assert reverse("followup_grid", args=[forbund.slug, YEAR]) in notice
