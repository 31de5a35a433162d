"""plan_summary prints a plan's computed figures, reads them in a fixed number of queries, and
answers a wrong förbund or year with a Swedish message and a non-zero exit."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, transaction

from budgets import services
from budgets.management.commands.plan_summary import Command
from budgets.models import BudgetCategory
from finsam.money import format_percent
from plans import services as plan_services
from plans.demo import load_demo
from plans.models import Plan
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def run(**options) -> str:
    out = StringIO()
    call_command("plan_summary", stdout=out, **options)
    return out.getvalue()


def summary(slug: str, year: int) -> dict:
    return json.loads(run(forbund=slug, year=year))


def by_year(data: dict, key: str) -> list:
    return [y[key] for y in data["years"]]


def groups(year: dict, side: str) -> dict[str, str]:
    return {g["name"]: g["amount"] for g in year[side]["groups"]}


# --- The seed figures, as printed ----------------------------------------------------------------


def test_goteborg_summary_has_the_published_figures(demo):
    data = summary("goteborg", 2021)
    assert data["forbund"] == {"slug": "goteborg", "name": "Samordningsförbundet Göteborg"}
    assert data["plan"]["years"] == [2021, 2022, 2023]
    assert data["plan"]["amount_unit"] == "tkr"
    assert [y["label"] for y in data["years"]] == ["Budget 2021", "Plan 2022", "Plan 2023"]
    assert by_year(data, "ib") == ["16900000", "12981000", "6177000"]
    assert by_year(data, "ub") == ["12981000", "6177000", "325000"]
    assert by_year(data, "arets_resultat") == ["-3919000", "-6804000", "-5852000"]
    assert by_year(data, "tillgangliga_medel") == ["95852000", "84322000", "65220000"]
    assert [y["kostnader"]["summa"] for y in data["years"]] == ["82871000", "78145000", "64895000"]
    first = data["years"][0]
    assert first["intakter"]["medlemsbidrag"] == "61478000"
    assert first["intakter"]["members"] == [
        {"name": "Försäkringskassan", "kind": "fk", "amount": "30739000"},
        {"name": "Arbetsförmedlingen", "kind": "af", "amount": "0"},
        {"name": "Västra Götalandsregionen", "kind": "region", "amount": "15369500"},
        {"name": "Göteborgs stad", "kind": "kommun", "amount": "15369500"},
    ]
    assert groups(first, "intakter") == {"ESF-medel": "16000000", "Övriga intäkter": "1474000"}
    assert groups(first, "kostnader") == {
        "Strukturövergripande insatser": "4500000",
        "Individinriktade insatser": "52500000",
        "ESF-projekt": "18276000",
        "Förvaltning": "7595000",
    }
    shares = {kind: format_percent(Decimal(v)) for kind, v in first["shares"].items()}
    assert shares == {"struktur": "5,4\xa0%", "individ": "85,4\xa0%", "forvaltning": "9,2\xa0%"}
    # The plan states a ceiling for 2023 only; none is assumed for the other years.
    assert [y["targets"]["ceiling"] for y in data["years"]] == [None, None, "6794000"]
    assert data["years"][2]["targets"]["ceiling_amount"] == "6794000"
    assert first["balansbudget"] is None
    assert data["comparison"] == []


def test_sodra_vatterbygden_summary_has_the_published_figures_and_2019_columns(demo):
    data = summary("sodra-vatterbygden", 2020)
    assert by_year(data, "ub") == ["136870", "98570", "63570"]
    for year in data["years"]:
        parts = {m["name"]: m["amount"] for m in year["intakter"]["members"]}
        assert parts == {
            "Habo kommun": "118400",
            "Jönköpings kommun": "1345100",
            "Mullsjö kommun": "70600",
            "Vaggeryds kommun": "135900",
            "Region Jönköpings län": "1670000",
            "Försäkringskassan": "3340000",
            "Arbetsförmedlingen": "0",
        }
    budget, prognos = data["comparison"]
    assert (budget["label"], budget["column"]) == ("Budget 2019", "budget")
    assert (prognos["label"], prognos["column"]) == ("Prognos 2019", "prognos")
    assert (budget["ib"], budget["kostnader"]["summa"], budget["ub"]) == (
        "1855011",
        "7925150",
        "1861",
    )
    assert (prognos["ib"], prognos["kostnader"]["summa"], prognos["ub"]) == (
        "2122970",
        "7409300",
        "785670",
    )
    assert budget["intakter"]["medlemsbidrag"] == "6072000"
    assert data["years"][0]["beslutade_kostnader"] == "6928800"  # without Tillgängligt nya projekt


def test_sundsvall_summary_has_the_published_statements(demo):
    data = summary("sundsvall", 2022)
    assert by_year(data, "arets_resultat") == ["-656000", "0", "0"]
    assert by_year(data, "ub") == ["577000", "577000", "577000"]
    first = data["years"][0]
    assert first["resultatbudget"] == {
        "verksamhetens_intakter": "7378000",
        "verksamhetens_kostnader": "-8033000",
        "avskrivningar": "0",
        "verksamhetens_nettokostnader": "-655000",
        "finansiella_intakter": "0",
        "finansiella_kostnader": "-1000",
        "arets_resultat": "-656000",
    }
    for year in data["years"]:
        balance = year["balansbudget"]
        assert balance["summa_tillgangar"] == "877000"
        assert balance["summa_eget_kapital"] == "577000"
        assert balance["summa_eget_kapital_avsattningar_skulder"] == "877000"
        assert balance["balanced"] is True
    assert first["targets"] == {
        "ceiling": "1475600",
        "ceiling_percent": "20",
        "ceiling_amount": None,
        "floor": "400000",
        "min_individ_percent": "70",
        "individ_costs": "6017000",
        "individ_of_medlemsbidrag": first["targets"]["individ_of_medlemsbidrag"],
        "note": "",
    }
    assert format_percent(Decimal(first["targets"]["individ_of_medlemsbidrag"])) == "81,6\xa0%"
    assert first["utrymme"] == "177000"


@pytest.mark.parametrize(
    ("slug", "year", "expected"),
    [
        (
            "goteborg",
            2021,
            [
                ("underskott", 2021),
                ("underskott", 2022),
                ("underskott", 2023),
            ],
        ),
        (
            "sodra-vatterbygden",
            2020,
            [
                ("sista-dag-passerad", None),
                ("underskott", 2020),
                ("underskott", 2021),
                ("underskott", 2022),
            ],
        ),
        (
            "sundsvall",
            2022,
            [
                ("sista-dag-passerad", None),
                ("underskott", 2022),
                ("individ-andel-oklar", 2023),
                ("individ-andel-oklar", 2024),
            ],
        ),
    ],
)
def test_summary_lists_the_plans_findings(demo, slug, year, expected):
    # Why each plan gets these: tests/budgets/test_seed_db.py.
    findings = summary(slug, year)["findings"]
    assert [(f["code"], f["year"]) for f in findings] == expected
    assert set(findings[1]) == {"code", "severity", "year", "ref", "message"}
    assert all(f["message"] for f in findings)


def test_text_format_is_a_swedish_table(demo):
    text = run(forbund="goteborg", year=2021, format="text")
    lines = text.splitlines()
    assert lines[:3] == [
        "Samordningsförbundet Göteborg",
        "Verksamhetsplan och budget 2021 med plan för 2022–2023 – antagen",
        "Belopp i tkr.",
    ]
    row = next(line for line in lines if line.startswith("Utgående eget kapital"))
    assert re.split(" {2,}", row)[1:] == ["12\xa0981", "6\xa0177", "325"]
    row = next(
        line
        for line in lines
        if line.strip().startswith("Strukturövergripande insatser") and "%" in line
    )
    assert "5,4\xa0%" in row
    assert "Iakttagelser" in lines
    assert "  1. Befintliga ESF projekt avslutas." in lines


def test_text_format_shows_the_comparison_columns_first(demo):
    text = run(forbund="sodra-vatterbygden", year=2020, format="text")
    header = text.splitlines()[4].split()
    assert header == [
        "Budget",
        "2019",
        "Prognos",
        "2019",
        "Budget",
        "2020",
        "Plan",
        "2021",
        "Plan",
        "2022",
    ]


def test_the_latest_version_of_the_budget_year_is_summarised(demo):
    plan = Plan.objects.get(forbund__slug="goteborg", budget_year=2021)
    revision = plan_services.plan_revise(plan=plan, acting_user=None)
    data = summary("goteborg", 2021)
    assert (data["plan"]["id"], data["plan"]["version"]) == (revision.pk, 2)
    assert by_year(data, "ub") == ["12981000", "6177000", "325000"]


# --- Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"forbund": "finns-inte", "year": 2021},
            "Det finns inget förbund med kortnamnet ”finns-inte”.",
        ),
        (
            {"forbund": "goteborg", "year": 2030},
            "Samordningsförbundet Göteborg har ingen plan för budgetåret 2030. Det finns planer för budgetåren 2021.",
        ),
        ({"year": 2021}, "Ange förbundet med --forbund"),
        ({"forbund": "goteborg"}, "Ange planens budgetår med --year"),
        ({"forbund": "goteborg", "year": "tjugo"}, "”tjugo” är inget årtal"),
        (
            {"forbund": "goteborg", "year": 2021, "format": "xml"},
            "Okänt format ”xml”; välj json eller text.",
        ),
    ],
)
def test_wrong_arguments_get_a_swedish_message(demo, options, message):
    with pytest.raises(CommandError) as error:
        run(**options)
    assert message in str(error.value)


def test_unknown_forbund_lists_the_ones_there_are(demo):
    with pytest.raises(CommandError) as error:
        run(forbund="gotland", year=2021)
    assert str(error.value).endswith("Förbund som finns: goteborg, sodra-vatterbygden, sundsvall.")


def test_from_the_command_line_an_error_exits_non_zero_without_a_traceback(
    demo, capsys, monkeypatch
):
    # run_from_argv closes the connections when it is done; keep the test's open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(
            ["manage.py", "plan_summary", "--forbund", "finns-inte", "--year", "2021"]
        )
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert "Det finns inget förbund med kortnamnet" in err
    assert "Traceback" not in err


# --- Queries ------------------------------------------------------------------------------------

# plan_summary's queries, in order:
#  1 the förbund by its kortnamn, 2 its latest plan for the budget year,
#  then plan_figures: 3 the plan's budget years, 4 the förbund's members,
#  5 the kommuner's fördelningstal, 6 budget groups, 7 their categories (prefetch),
#  8 the plan's lines, 9 their amounts; 10 the plan's own statement rows.
PLAN_SUMMARY_QUERIES = 10


def build_plan(*, slug: str, lines: int, plan_years: int):
    """A förbund with two kommuner and a plan with comparison columns, lines and amounts in
    every column, medlemsbidrag and the kommuner's fördelningstal for every year."""
    forbund = factories.complete_forbund(slug=slug, kommuner=2)
    plan = plan_services.plan_create(
        forbund=forbund,
        acting_user=None,
        budget_year=2027,
        plan_years=plan_years,
        comparison=["budget", "prognos"],
    )
    categories = list(BudgetCategory.objects.filter(group__forbund=forbund))
    columns = services.year_columns(plan)
    for i in range(lines):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=categories[i % len(categories)],
            name=f"Rad {i + 1}",
            amounts={key: Decimal(10_000 * (i + 1)) for key in columns},
        )
    services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={key: Decimal(4_000_000) for key in columns}
    )
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for year in sorted({y for y, _ in columns}):
            factories.FordelningstalFactory(medlem=medlem, year=year, invanare=5_000 + medlem.pk)
    return plan


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_plan_summary_runs_the_same_queries_for_double_the_lines_and_years(
    fmt, django_assert_num_queries
):
    small = build_plan(slug="liten", lines=6, plan_years=2)
    large = build_plan(slug="stor", lines=12, plan_years=4)
    assert large.budget_lines.count() == 2 * small.budget_lines.count()

    with django_assert_num_queries(PLAN_SUMMARY_QUERIES):
        small_out = run(forbund="liten", year=2027, format=fmt)
    with django_assert_num_queries(PLAN_SUMMARY_QUERIES):
        large_out = run(forbund="stor", year=2027, format=fmt)
    if fmt == "json":
        small_data, large_data = json.loads(small_out), json.loads(large_out)
        assert (len(small_data["years"]), len(large_data["years"])) == (2, 4)
        assert len(large_data["comparison"]) == 2
    else:
        assert "Rad 12" in large_out
        assert "Rad 12" not in small_out


def test_plan_summary_queries_stay_fixed_when_a_plan_grows(django_assert_num_queries):
    plan = build_plan(slug="vaxande", lines=5, plan_years=3)
    with django_assert_num_queries(PLAN_SUMMARY_QUERIES):
        run(forbund="vaxande", year=2027)
    # Twice the lines, and the plan widened to five years (the new years get their rows).
    plan = plan_services.plan_update(plan=plan, acting_user=None, data={"plan_years": 5})
    categories = list(BudgetCategory.objects.filter(group__forbund=plan.forbund))
    for i in range(5):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=categories[i % len(categories)],
            name=f"Ny rad {i + 1}",
            amounts={key: Decimal(1_000) for key in services.year_columns(plan)},
        )
    assert plan.budget_lines.count() == 10
    with django_assert_num_queries(PLAN_SUMMARY_QUERIES):
        data = json.loads(run(forbund="vaxande", year=2027))
    assert len(data["years"]) == 5
