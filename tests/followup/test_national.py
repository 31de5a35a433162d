"""FK's national follow-up on a plan the test constructs: three insatser (individ, struktur and
mixed), typed utfall and entered participants, each figure recomputed here and compared with
the page, the workbook (recomputed by a formula engine) and `manage.py follow_up`."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from budgets.calc import round_kr
from finsam.audit import latest_change
from followup import selectors, services
from followup.models import InsatsDeltagare
from insatser.models import InsatsAr
from tests import factories
from tests.excel import recompute
from tests.helpers import adopt_plan

pytestmark = pytest.mark.django_db

MONEY = {"Jobbspåret": 600_000, "Samverkan": 300_000, "Teamet": 500_001}
UTFALL = {"Jobbspåret": 41_000, "Samverkan": 20_500, "Teamet": 33_333}  # per month, 1–8


@pytest.fixture
def year(forbund_a):
    from budgets import services as budget_services
    from finsam.models import Fordelningstal
    from plans import services as plan_services

    forbund = forbund_a
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2030)
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for y in plan.years:
            Fordelningstal.objects.get_or_create(
                medlem=medlem, year=y, defaults={"invanare": 9_000}
            )
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


def post_data(plan, **teamet):
    data = {}
    stored = {d.insats_name: d for d in InsatsDeltagare.objects.filter(year=2030)}
    for i, name in enumerate(sorted(MONEY)):
        row = stored.get(name)
        data[f"i{i}-version"] = row.lock_version if row else 0
        data[f"i{i}-total"] = row.total if row else ""
        data[f"i{i}-women"] = row.women if row and row.women is not None else ""
        data[f"i{i}-men"] = row.men if row and row.men is not None else ""
    for key, value in teamet.items():
        data[f"i2-{key}"] = value
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
