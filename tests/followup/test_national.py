"""FK's national follow-up on a plan the test constructs: three insatser (individ, struktur and
mixed), typed utfall and entered participants, each figure recomputed here and compared with
the page, the workbook (recomputed by a formula engine) and `manage.py follow_up`."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from budgets.calc import round_kr
from finsam.audit import latest_change
from followup import national, selectors, services
from followup.models import InsatsDeltagare
from insatser.models import InsatsAr
from tests import factories
from tests.excel import recompute
from tests.helpers import adopt_plan

pytestmark = pytest.mark.django_db

MONEY = {"Jobbspåret": 600_000, "Samverkan": 300_000, "Teamet": 500_001}
UTFALL = {"Jobbspåret": 41_000, "Samverkan": 20_500, "Teamet": 33_333}  # per month, 1–8


def build(forbund, *, weights: bool = True, esf_income: int | None = None):
    """The followed year 2030; without weights no kommun has a fördelningstal; esf_income adds
    an income line "ESF-medel" of that amount."""
    from budgets import services as budget_services
    from finsam.models import Fordelningstal
    from plans import services as plan_services

    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2030)
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for y in plan.years:
            if weights:
                Fordelningstal.objects.get_or_create(
                    medlem=medlem, year=y, defaults={"invanare": 9_000}
                )
            else:
                Fordelningstal.objects.filter(medlem=medlem, year=y).delete()
    budget_services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    from budgets.models import BudgetCategory

    kansli = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=kansli,
        name="Kansli",
        amounts={(y, "budget"): Decimal(900_000) for y in plan.years},
    )
    if esf_income is not None:
        ovriga = BudgetCategory.objects.get(group__forbund=forbund, name="Övriga intäkter")
        budget_services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=ovriga,
            name="ESF-medel",
            amounts={(y, "budget"): Decimal(esf_income) for y in plan.years},
        )
    factories.insats(plan, name="Jobbspåret", kind="individ", money={2030: MONEY["Jobbspåret"]})
    factories.insats(plan, name="Samverkan", kind="struktur", money={2030: MONEY["Samverkan"]})
    teamet = factories.insats(
        plan, name="Teamet", kind="blandad", individ_percent=70, money={2030: MONEY["Teamet"]}
    )
    kommun = forbund.medlemmar.filter(kind="kommun").first()
    InsatsAr.objects.create(
        insats=teamet,
        year=2030,
        esf_amount=Decimal(50_000),
        medfinansiar=kommun,
        medfinansiering=Decimal(25_000),
        planned_participants=40,
    )
    adopt_plan(plan)
    figures = selectors.plan_figures(plan)
    refs = selectors.line_refs(figures)
    by_name = {r.name: r for r in refs}
    cells = {}
    for name, amount in UTFALL.items():
        for month in range(1, 9):
            cells[(by_name[name].key, month)] = (Decimal(0), Decimal(amount))
    for month in range(1, 9):
        cells[(by_name["Kansli"].key, month)] = (Decimal(0), Decimal(70_000))
        cells[(by_name["Medlemsbidrag"].key, month)] = (Decimal(0), Decimal(333_333))
    services.line_outcomes_set(forbund=forbund, year=2030, cells=cells, refs=refs, acting_user=None)
    InsatsDeltagare.objects.create(
        forbund=forbund, year=2030, insats_name="Teamet", total=31, women=17, men=12
    )
    from finsam.audit import audit_record

    audit_record(forbund=forbund, actor=None, action="test", obj=plan, summary="deltagare")
    return plan, kommun


@pytest.fixture
def year(forbund_a):
    return build(forbund_a)


def expected(plan, kommun):
    """Every figure of the export, computed here from what the test put in."""
    individ = {"Jobbspåret": Decimal(1), "Samverkan": Decimal(0), "Teamet": Decimal("0.7")}
    insatser = {}
    for name, budget in MONEY.items():
        utfall = Decimal(UTFALL[name] * 8)
        share = individ[name]
        insatser[name] = {
            "budget": str(budget),
            "utfall": str(utfall),
            "individ_budget": str(int(round_kr(budget * share))),
            "individ_utfall": str(int(round_kr(utfall * share))),
            "struktur_budget": str(int(round_kr(budget * (1 - share)))),
            "struktur_utfall": str(int(round_kr(utfall * (1 - share)))),
        }
    costs_budget = sum(MONEY.values()) + 900_000
    costs_utfall = sum(UTFALL.values()) * 8 + 70_000 * 8
    return {
        "insatser": insatser,
        "esf": "50000",
        "kommun": kommun.name,
        "cofinancing": "25000",
        "fk": "2000000",  # half of the 4 mkr medlemsbidrag
        "admin": {"budget": "900000", "utfall": str(70_000 * 8)},
        "result": {
            "budget": str(4_000_000 - costs_budget),
            "utfall": str(333_333 * 8 - costs_utfall),
        },
    }


def national_json(plan) -> dict:
    out = StringIO()
    call_command("follow_up", forbund=plan.forbund.slug, year=2030, stdout=out)
    return json.loads(out.getvalue())


def test_the_json_carries_every_figure_of_the_national_follow_up(year):
    plan, kommun = year
    want = expected(plan, kommun)
    report = national_json(plan)
    assert "rows" in report  # the existing keys stay
    n = report["national"]
    got = {i["insats"]: i for i in n["insatser"]}
    for name, figures in want["insatser"].items():
        for key, value in figures.items():
            assert got[name][key] == value, (name, key)
    assert got["Teamet"]["planned_participants"] == 40
    assert (got["Teamet"]["participants"], got["Teamet"]["women"], got["Teamet"]["men"]) == (
        31,
        17,
        12,
    )
    assert got["Jobbspåret"]["participants"] is None
    financing = {f["financier"]: f for f in n["financing"]}
    assert financing["ESF-medel till insatser"]["other"] == want["esf"]
    assert financing[want["kommun"]]["other"] == want["cofinancing"]
    assert [f["medlemsbidrag"] for f in n["financing"] if f["kind"] == "Staten"] == [want["fk"]]
    assert sum(int(f["medlemsbidrag"]) for f in n["financing"]) == 4_000_000
    assert n["administration"] == [{"line": "Kansli", **want["admin"]}]
    assert n["result"] == want["result"]


def test_the_workbook_and_the_page_show_the_same_figures(year, personas):
    plan, kommun = year
    want = expected(plan, kommun)
    client = personas["revisor_a"]
    response = client.get(reverse("national_follow_up_xlsx", args=["forbund-a", 2030]))
    assert response.status_code == 200
    values = recompute(response.content)
    rows = {values.get(("INSATSER", f"A{r}")): r for r in range(4, 8)}
    for name, figures in want["insatser"].items():
        r = rows[name]
        for col, key in zip("CDEFGH", figures, strict=True):
            assert Decimal(str(values[("INSATSER", f"{col}{r}")])) == Decimal(figures[key])
    total_budget = values[("INSATSER", "C7")]
    assert Decimal(str(total_budget)) == sum(MONEY.values())
    assert Decimal(str(values[("ADMINISTRATION", "C5")])) == Decimal(want["admin"]["utfall"])
    assert Decimal(str(values[("RESULTAT", "C4")])) == Decimal(want["result"]["utfall"])
    page = client.get(reverse("national_follow_up", args=["forbund-a", 2030]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Spara deltagarna" not in text  # the revisor reads
    for name in MONEY:
        assert name in text


def post_data(plan, order=tuple(MONEY), **teamet):
    """The participants form as the page shows it: one numbered form per insats, each naming
    its insats; the form the page numbers so reads its figures by that name, not by its place."""
    data = {}
    stored = {d.insats_name: d for d in InsatsDeltagare.objects.filter(year=2030)}
    for i, name in enumerate(order):
        row = stored.get(name)
        data[f"i{i}-insats"] = name
        data[f"i{i}-version"] = row.lock_version if row else 0
        data[f"i{i}-total"] = row.total if row else ""
        data[f"i{i}-women"] = row.women if row and row.women is not None else ""
        data[f"i{i}-men"] = row.men if row and row.men is not None else ""
        if name == "Teamet":
            data.update((f"i{i}-{key}", value) for key, value in teamet.items())
    return data


def test_the_kansli_enters_participants_and_the_export_shows_them(year, personas):
    plan, _ = year
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    response = personas["kansli_a"].post(url, post_data(plan, total=35, women=20, men=15))
    assert response.status_code == 302
    teamet = national_json(plan)["national"]["insatser"]
    assert [(i["participants"], i["women"]) for i in teamet if i["insats"] == "Teamet"] == [
        (35, 20)
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"total": -1}, "Antalet kan inte vara negativt."),
        ({"total": 10, "women": 6, "men": 5}, "Kvinnor och män kan tillsammans inte vara fler"),
        ({"total": "många"}, "Ange antalet som ett heltal."),
    ],
)
def test_bad_participant_input_says_why_and_saves_nothing(year, personas, values, message):
    plan, _ = year
    before = latest_change(plan.forbund.pk)
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    response = personas["kansli_a"].post(url, post_data(plan, **values))
    assert response.status_code == 400
    assert message in response.content.decode()
    row = InsatsDeltagare.objects.get(insats_name="Teamet")
    assert (row.total, row.women, row.men) == (31, 17, 12)
    assert latest_change(plan.forbund.pk) == before


def test_a_stale_participants_form_is_a_conflict_and_saves_nothing(year, personas):
    plan, _ = year
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    stale = post_data(plan, total=50)
    assert personas["kansli_a"].post(url, post_data(plan, total=33)).status_code == 302
    response = personas["kansli_a"].post(url, stale)
    assert response.status_code == 409
    assert "Någon annan har ändrat deltagarna för Teamet" in response.content.decode()
    assert InsatsDeltagare.objects.get(insats_name="Teamet").total == 33


def test_the_board_reads_but_does_not_write_and_another_forbund_sees_nothing(year, personas):
    plan, _ = year
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    assert personas["styrelse_a"].get(url).status_code == 200
    assert personas["styrelse_a"].post(url, post_data(plan, total=1)).status_code == 403
    assert personas["kansli_b"].get(url).status_code == 404
    xlsx = reverse("national_follow_up_xlsx", args=["forbund-a", 2030])
    assert personas["kansli_b"].get(xlsx).status_code == 404
    assert InsatsDeltagare.objects.get(insats_name="Teamet").total == 31


def financing_rows(plan) -> dict:
    return {f["financier"]: f for f in national_json(plan)["national"]["financing"]}


def test_the_kommuner_s_quarter_without_fordelningstal_is_one_row_that_says_why(
    forbund_a, personas
):
    plan, kommun = build(forbund_a, weights=False)
    rows = financing_rows(plan)
    kommuner = rows["Kommunerna (gemensamt)"]
    assert kommuner["medlemsbidrag"] == "1000000"  # the quarter of 4 mkr
    assert "fördelningstal" in kommuner["note"] and "saknar" in kommuner["note"]
    assert sum(int(f["medlemsbidrag"]) for f in rows.values()) == 4_000_000
    # The co-financing kommun keeps its own row for the money it puts into Teamet.
    assert (rows[kommun.name]["medlemsbidrag"], rows[kommun.name]["other"]) == ("0", "25000")
    insats_money = 50_000 + 25_000  # Teamet's ESF and co-financing, stated on the insats
    assert sum(int(f["total"]) for f in rows.values()) == 4_000_000 + insats_money
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    page = personas["revisor_a"].get(url).content.decode()
    assert "Kommunerna (gemensamt)" in page and kommuner["note"] in page


def test_an_income_line_of_esf_money_counts_as_esf_not_as_other_income(forbund_a):
    plan, _ = build(forbund_a, esf_income=300_000)
    rows = financing_rows(plan)
    assert rows["ESF-medel i förbundets budget"]["other"] == "300000"
    assert rows["ESF-medel i förbundets budget"]["kind"] == "ESF"
    assert rows["Förbundets övriga intäkter"]["other"] == "0"
    insats_money = 50_000 + 25_000
    assert sum(int(f["total"]) for f in rows.values()) == 4_000_000 + 300_000 + insats_money


@pytest.mark.parametrize(
    ("names", "esf"),
    [
        (("ESF-medel", "Övriga intäkter", "Övriga intäkter"), True),
        (("Projektmedel", "Europeiska socialfonden", "Övriga intäkter"), True),
        (("Bidrag", "Övriga intäkter", "Medel från Socialfonden+"), True),
        (("esf+ Respondere", "", ""), True),
        (("Övriga intäkter", "Övriga intäkter", "Övriga intäkter"), False),
        (("Statsbidrag", "Bidrag", "Intäkter"), False),
    ],
)
def test_esf_money_is_known_by_its_line_category_or_group_name(names, esf):
    assert national.is_esf(*names) is esf


def test_a_form_from_another_order_of_the_insatser_saves_each_count_on_its_own_insats(
    year, personas
):
    # A form opened before a revision put a new insats first: Teamet's figures stand first.
    plan, _ = year
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    data = post_data(plan, order=("Teamet", "Samverkan", "Jobbspåret"), total=35, women=20)
    assert personas["kansli_a"].post(url, data).status_code == 302
    got = {i["insats"]: i["participants"] for i in national_json(plan)["national"]["insatser"]}
    assert got == {"Jobbspåret": None, "Samverkan": None, "Teamet": 35}


def test_a_form_naming_an_insats_the_plan_no_longer_has_is_a_conflict_and_saves_nothing(
    year, personas
):
    plan, _ = year
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    data = post_data(plan, total=35)
    data["i0-insats"] = "Jobbspåret före revideringen"
    data["i0-total"] = 12
    response = personas["kansli_a"].post(url, data)
    assert response.status_code == 409
    assert "Jobbspåret före revideringen är inte längre en av årets insatser" in (
        response.content.decode()
    )
    assert InsatsDeltagare.objects.get(insats_name="Teamet").total == 31
    assert InsatsDeltagare.objects.filter(forbund=plan.forbund, year=2030).count() == 1


def test_a_failed_save_is_summed_up_at_the_top_with_links_to_the_fields(year, personas):
    plan, _ = year
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    response = personas["kansli_a"].post(url, post_data(plan, total=10, women=6, men=5))
    text = response.content.decode()
    summary = text.index('class="error-summary"')
    assert summary < text.index('id="nationell-insatser"')
    men = text.index('name="i2-men"')
    field_id = re.search(r' id="([^"]+)"', text[men:]).group(1)
    link = f'<a href="#{field_id}">Teamet: Kvinnor och män kan tillsammans inte vara fler'
    assert link in text[summary:men]


def test_the_saved_message_counts_insatser_in_words(year, personas):
    plan, _ = year
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    response = personas["kansli_a"].post(url, post_data(plan, total=36), follow=True)
    assert "Deltagarna är sparade (1 insats ändrad)." in response.content.decode()
    data = post_data(plan, total=37)
    data["i0-total"] = 5
    response = personas["kansli_a"].post(url, data, follow=True)
    assert "Deltagarna är sparade (2 insatser ändrade)." in response.content.decode()


def test_the_page_names_the_month_and_sums_the_administrative_costs(year, personas):
    url = reverse("national_follow_up", args=["forbund-a", 2030])
    text = personas["revisor_a"].get(url).content.decode()
    assert "med utfall till och med augusti." in text
    admin = text[text.index('id="nationell-administration"') :]
    admin = admin[: admin.index("</table>")]
    assert re.search(
        r"<th scope=\"row\">Summa</th><td class=\"num\">900 000</td>"
        r"<td class=\"num\">560 000</td>",
        admin.replace("\xa0", " "),
    )


def test_the_workbook_states_its_unit_on_every_sheet(year, personas):
    response = personas["revisor_a"].get(
        reverse("national_follow_up_xlsx", args=["forbund-a", 2030])
    )
    book = load_workbook(BytesIO(response.content))
    assert [ws["A2"].value for ws in book.worksheets] == ["Belopp i kronor"] * 4
    assert book["Administration"]["A5"].value == "Summa"


@override_settings(RATE_LIMITS={"pdf": 1000, "excel": 1}, RATE_LIMIT_MINUTES=10)
def test_the_workbook_counts_against_the_excel_limit(year, personas):
    url = reverse("national_follow_up_xlsx", args=["forbund-a", 2030])
    assert personas["kansli_a"].get(url).status_code == 200
    refused = personas["kansli_a"].get(url)
    assert refused.status_code == 429
    assert "Excel-filer" in refused.content.decode()
