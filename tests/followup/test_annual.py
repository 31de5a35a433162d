"""The årsredovisning's tables of a followed year: a plan the test constructs, twelve months of
utfall typed through the grid's service, and every figure of the page, the PDF and the workbook
against sums the test makes itself."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from djmoney.money import Money
from pypdf import PdfReader

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
# The members' split by the förbundsordning: FK half, AF nothing, the region a quarter, the two
# kommuner (10 000 invånare each) an eighth each.
SPLIT = [
    ("Försäkringskassan", Decimal("0.5")),
    ("Arbetsförmedlingen", Decimal(0)),
    ("Region Testlän", Decimal("0.25")),
    ("Testköping 1", Decimal("0.125")),
    ("Testköping 2", Decimal("0.125")),
]


def constructed(slug: str = "arsr", months: range = range(1, 13), extra_lines: int = 0):
    forbund, plan = make_plan(slug)
    if extra_lines:
        grow(plan, extra_lines)
    jobb = factories.insats(
        plan, name="Jobbspåret", money={y: Decimal(600_000) for y in plan.years}
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
