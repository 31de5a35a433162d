"""A plan carried forward ("Ny plan utifrån") starts clean: nothing the carry itself causes is
an error. Every year it shares with the old plan keeps its figures; a new last year starts from
the old last year and is marked for review; a comparison column starts from the budget recorded
for that year; a new year's fördelningstal are taken from the latest known, to be confirmed."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from budgets import services as budget_services
from budgets.checks import FEL
from budgets.models import BudgetAmount, BudgetCategory
from budgets.selectors import plan_figures
from finsam.models import Fordelningstal
from plans import workflow
from plans.demo import load_demo
from plans.models import Plan
from plans.services import plan_create_from, plan_update
from tests.helpers import form_values, url

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# What a carried plan may say that the old one did not: the notices of the carry itself.
CARRY_NOTICES = {"ar-forifyllt", "fordelningstal-forifyllt"}


def autumn_before(plan: Plan):
    return time_machine.travel(datetime(plan.budget_year, 10, 1, 10, tzinfo=STOCKHOLM), tick=False)


def caused_by_the_carry(old: Plan, new: Plan) -> list:
    """Findings of the new plan the old one did not have for the same year, the carry's own
    notices aside, and every error."""
    had = {(f.code, f.year) for f in plan_figures(old).findings}
    return [
        f
        for f in plan_figures(new).findings
        if f.severity == FEL
        or (f.code not in CARRY_NOTICES and (f.code, f.year) not in had and f.year in old.years)
    ]


def amounts(plan: Plan, year: int, column: str = "budget") -> dict[str, Decimal]:
    return {
        a.line.name: a.amount.amount
        for a in BudgetAmount.objects.filter(line__plan=plan, year=year, column=column)
        if a.amount.amount
    }


@pytest.mark.django_db
def test_each_demo_plan_carried_forward_starts_without_an_error_the_carry_caused(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        load_demo()
    olds = list(Plan.objects.filter(version=1).order_by("forbund__slug"))
    assert len(olds) == 3
    spread_years = []
    for old in olds:
        with autumn_before(old):
            new = plan_create_from(previous=old, acting_user=None)
            assert caused_by_the_carry(old, new) == [], old.forbund.slug
            figures, before = plan_figures(new), plan_figures(old)
        # Every year the two plans share keeps its figures: its amounts, or, for the new budget
        # year that the old plan kept per group, each group's total spread over its lines.
        for year in set(old.years) & set(new.years):
            assert figures.result.year(year).ub == before.result.year(year).ub, (old, year)
            assert figures.result.year(year).kostnader == before.result.year(year).kostnader
            was_per_group = old.year_rows.get(year=year, column="budget").level == "grupper"
            if year == new.budget_year and was_per_group:
                spread_years.append(old.forbund.slug)
                assert new.year_rows.get(year=year, column="budget").level == "rader"
            else:
                assert amounts(new, year) == amounts(old, year)
        # The new last year starts from the old last year, marked for review.
        last = new.year_rows.get(year=new.last_year, column="budget")
        was = old.year_rows.get(year=old.last_year, column="budget")
        assert (last.carried_from, last.level) == (old.last_year, was.level)
        assert last.medlemsbidrag == was.medlemsbidrag and last.medlemsbidrag.amount > 0
        # (An insats that ends before the new budget year is not carried, nor its line; one
        # that ends before the new last year gets nothing past its end.)
        kept = set(new.budget_lines.values_list("name", flat=True))
        ended = {
            line.name
            for line in old.budget_lines.select_related("insats")
            if line.insats and line.insats.end and line.insats.end.year < new.last_year
        }
        was_last = {
            k: v for k, v in amounts(old, old.last_year).items() if k in kept and k not in ended
        }
        assert amounts(new, new.last_year) == was_last
        # Each comparison column of the year before starts from that year's budget, line by line.
        for column in new.comparison_kinds:
            assert amounts(new, old.budget_year, column) == amounts(old, old.budget_year)
    # Sundsvall keeps 2023 per group; carried, 2023 is its budget year, line by line.
    assert spread_years == ["sundsvall"]


@pytest.fixture
def kansli(personas):
    return personas["kansli_a"]


@pytest.fixture
def old(world):
    """World's 2027–2029 plan with both comparison columns, fördelningstal for its years only,
    medlemsbidrag and a line in every year, and a deficit its motivation covers."""
    plan = plan_update(
        plan=world["plan_a"],
        acting_user=None,
        data={
            "compare_budget": True,
            "compare_prognos": True,
            "deficit_reason": "Medvetet.",
            "opening_equity": Decimal(1_000_000),
        },
    )
    for medlem in plan.forbund.medlemmar.filter(kind="kommun"):
        for year in (2026, *plan.years):
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000 + medlem.pk)
    budget_services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(year, "budget"): Decimal(4_000_000) for year in plan.years},
        amounts={(world["line_a"].pk, year, "budget"): Decimal(4_100_000) for year in plan.years},
    )
    return plan


def test_a_constructed_plan_carried_forward_keeps_its_figures_and_marks_what_it_filled(old):
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
        assert caused_by_the_carry(old, new) == []
        codes = {(f.code, f.severity, f.year) for f in plan_figures(new).findings}
    assert ("ar-forifyllt", "varning", 2030) in codes
    assert ("fordelningstal-forifyllt", "varning", 2030) in codes
    assert not any(code == "kommun-fordelning" for code, _, _ in codes)
    carried = Fordelningstal.objects.filter(year=2030)
    assert {(f.invanare, f.carried_from) for f in carried} == {
        (f.invanare, 2029) for f in Fordelningstal.objects.filter(year=2029)
    }
    assert new.deficit_reason == "Medvetet."
    prognos = new.year_rows.get(year=2027, column="prognos")
    assert prognos.medlemsbidrag.amount == 4_000_000
    assert prognos.comparison_ib == new.year_rows.get(year=2027, column="budget").comparison_ib


def test_an_error_of_a_pre_filled_year_waits_for_its_confirmation(kansli, old):
    """A new year copied from a deficit year can go below zero: until the kansli confirms the
    year it is a warning that says so, and the plan cannot be submitted before it is."""
    budget_services.budget_figures_set(
        plan=old,
        acting_user=None,
        amounts={(old.budget_lines.get(name="Kansli").pk, 2029, "budget"): Decimal(9_000_000)},
    )
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
        negative = [f for f in plan_figures(new).findings if f.code == "ub-negativ"]
    assert [(f.severity, f.year) for f in negative if f.year == 2030] == [("varning", 2030)]
    assert "förifyllt från 2029" in negative[-1].message
    response = kansli.post(url("plan_submit", new), follow=True)
    assert "Bekräfta först de år som förifylldes" in response.content.decode()
    assert Plan.objects.get(pk=new.pk).is_editable
    # Confirmed in the years form, the year is the kansli's: its error is an error.
    page = kansli.get(url("budget_years", new)).content.decode()
    row = new.year_rows.get(year=2030, column="budget")
    post = form_values(page)
    post[f"y{row.pk}-confirm_carried"] = "on"
    assert kansli.post(url("budget_years", new), post).status_code == 302
    findings = plan_figures(Plan.objects.get(pk=new.pk)).findings
    assert not any(f.code == "ar-forifyllt" for f in findings)
    assert [(f.severity, f.year) for f in findings if f.code == "ub-negativ"][-1] == ("fel", 2030)


def test_a_carried_fordelningstal_is_confirmed_in_the_member_form(kansli, old):
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
    carried = Fordelningstal.objects.filter(year=2030).select_related("medlem").first()
    page_url = reverse("medlem_edit", args=[old.forbund.slug, carried.medlem.pk])
    page = kansli.get(page_url).content.decode()
    assert "från 2029, bekräfta" in page
    post = form_values(page)
    confirm = re.search(r'name="(fordelning-\d+-confirm_carried)"', page).group(1)
    post[confirm] = "on"
    assert kansli.post(page_url, post).status_code == 302
    assert Fordelningstal.objects.get(pk=carried.pk).carried_from is None
    with autumn_before(old):
        notice = next(f for f in plan_figures(new).findings if f.code == "fordelningstal-forifyllt")
    assert carried.medlem.name not in notice.message


def test_a_plan_submitted_with_its_years_confirmed_has_no_carry_left(personas, old):
    kansli = personas["kansli_a"]
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
        for row in new.year_rows.filter(carried_from__isnull=False):
            budget_services.budget_years_update(
                plan=new, acting_user=None, rows={row.pk: {"carried_from": None}}
            )
        workflow.plan_submit(plan=new, acting_user=kansli.membership.user)
    assert Plan.objects.get(pk=new.pk).is_submitted
    assert BudgetCategory.objects.filter(group__forbund=old.forbund).exists()


def category(old: Plan, name: str) -> BudgetCategory:
    return BudgetCategory.objects.get(group__forbund=old.forbund, name=name)


@pytest.mark.parametrize(
    "unit, kansli_part, lokal_part",
    [("kr", 333_333, 666_667), ("tkr", 333_000, 667_000)],
)
def test_a_budget_year_kept_per_group_gets_its_lines_in_proportion_and_marked(
    old, unit, kansli_part, lokal_part
):
    """2028 was budgeted per group in the old plan. As the new plan's budget year it is budgeted
    line by line: each group's total spread over its lines as they stood in 2027 (in whole units
    of what the plan shows, kr or tkr, the last unit to the largest remainder); a group with no
    line gets one, as undecided as its summary line was; the year waits for the kansli's
    confirmation."""
    old.forbund.amount_unit = unit
    old.forbund.save(update_fields=["amount_unit"])
    kansli_line = old.budget_lines.get(name="Kansli")
    lokal = budget_services.budget_line_create(
        plan=old, acting_user=None, category=category(old, "Lokal"), name="Lokalhyra"
    )
    budget_services.budget_figures_set(
        plan=old,
        acting_user=None,
        amounts={
            (kansli_line.pk, 2027, "budget"): Decimal(1_000_000),
            (lokal.pk, 2027, "budget"): Decimal(2_000_000),
        },
    )
    summaries = budget_services.summary_lines_ensure(plan=old, acting_user=None)
    open_money = budget_services.budget_line_create(
        plan=old,
        acting_user=None,
        category=category(old, "Strukturövergripande insatser"),
        name="Nya insatser",
        summary=True,
        decided=False,
    )
    row = old.year_rows.get(year=2028, column="budget")
    budget_services.budget_years_update(
        plan=old, acting_user=None, rows={row.pk: {"level": "grupper"}}
    )
    forvaltning = next(s for s in summaries if s.category.group_id == lokal.category.group_id)
    budget_services.budget_figures_set(
        plan=old,
        acting_user=None,
        amounts={
            (forvaltning.pk, 2028, "budget"): Decimal(1_000_000),
            (open_money.pk, 2028, "budget"): Decimal(250_000),
        },
    )
    before = plan_figures(old).result.year(2028)
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
        assert caused_by_the_carry(old, new) == []
        figures = plan_figures(new)
    year = new.year_rows.get(year=2028, column="budget")
    assert (year.level, year.carried_from) == ("rader", 2028)
    assert amounts(new, 2028) == {
        "Kansli": Decimal(kansli_part),
        "Lokalhyra": Decimal(lokal_part),
        "Strukturövergripande insatser, att fördela": Decimal(250_000),
    }
    made = new.budget_lines.get(name="Strukturövergripande insatser, att fördela")
    assert made.decided is False and made.summary is False
    after = figures.result.year(2028)
    assert (after.kostnader, after.ub) == (before.kostnader, before.ub)
    notice = next(f for f in figures.findings if f.code == "ar-forifyllt" and f.year == 2028)
    assert "budgeterades per grupp i förra planen" in notice.message
    # 2029, line by line in the old plan, keeps its amounts.
    assert new.year_rows.get(year=2029, column="budget").level == "rader"
    assert amounts(new, 2029) == amounts(old, 2029)


def balance_every_year(plan: Plan, kortfristiga: int = 300_000) -> None:
    """Every row of each year's balansbudget entered, balancing the plan's eget kapital."""
    result = plan_figures(plan).result
    rows = {}
    for row in plan.year_rows.filter(column="budget", year__in=plan.years):
        ub = result.year(row.year).ub
        rows[row.pk] = {
            "omsattningstillgangar": ub + kortfristiga,
            "kortfristiga_skulder": Decimal(kortfristiga),
        }
    budget_services.budget_years_update(plan=plan, acting_user=None, rows=rows)


def test_a_carried_balansbudget_balances_whatever_the_new_plan_costs(old):
    """The old plan entered every row of its balansbudget, balanced for its own eget kapital. In
    the new plan kassa och bank (omsättningstillgångar) is computed: a cost change moves it,
    never the balance; the new last year has a balansbudget too. The same change in a plan that
    enters every row is the error it always was."""
    balance_every_year(old)
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
        assert caused_by_the_carry(old, new) == []
    rows = new.year_rows.filter(column="budget", year__in=new.years).order_by("year")
    assert [(r.year, r.balance_item) for r in rows] == [
        (2028, "omsattningstillgangar"),
        (2029, "omsattningstillgangar"),
        (2030, "omsattningstillgangar"),
    ]
    more = {(new.budget_lines.get(name="Kansli").pk, 2028, "budget"): Decimal(4_600_000)}
    budget_services.budget_figures_set(plan=new, acting_user=None, amounts=more)
    with autumn_before(old):
        figures = plan_figures(Plan.objects.get(pk=new.pk))
    assert not [f for f in figures.findings if f.code == "balans"]
    for year in (2028, 2029, 2030):
        result = figures.result.year(year)
        assert result.balansbudget.omsattningstillgangar == result.ub + 300_000
        assert result.balansbudget.kortfristiga_skulder == 300_000
    assert figures.result.year(2028).ub == plan_figures(old).result.year(2028).ub - 500_000
    # The old plan, every row entered, with the same change: its statement no longer balances.
    same = {(old.budget_lines.get(name="Kansli").pk, 2028, "budget"): Decimal(4_600_000)}
    budget_services.budget_figures_set(plan=old, acting_user=None, amounts=same)
    with autumn_before(old):
        errors = [f for f in plan_figures(old).findings if f.code == "balans"]
    assert [(f.severity, f.year) for f in errors] == [("fel", 2028), ("fel", 2029)]


def test_headings_that_name_the_old_plans_years_name_the_new_plans(old):
    """A heading naming a year of the old plan's columns names the same year of the new plan; a
    year outside them is the förbund's own and stays."""
    titles = {
        "Budget 2027 med plan för 2028–2029": "Budget 2028 med plan för 2029–2030",
        "Prognos 2026 och utfall": "Prognos 2027 och utfall",
        "Vision 2035": "Vision 2035",
        "Förbundet sedan 2008": "Förbundet sedan 2008",
        "Insatser 20271": "Insatser 20271",
    }
    sections = list(old.sections.order_by("order")[: len(titles)])
    for section, title in zip(sections, titles, strict=True):
        section.title = title
        section.save(update_fields=["title"])
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
    carried = list(new.sections.order_by("order").values_list("title", flat=True))
    assert carried[: len(titles)] == list(titles.values())


def test_the_plans_deficit_motivation_is_printed_only_for_a_plan_with_a_deficit(personas, old):
    """A motivation carried from an earlier plan is not printed in a plan whose years are all
    in balance; once a year has a deficit it is."""
    client = personas["styrelse_a"]
    line = old.budget_lines.get(name="Kansli")
    balanced = {(line.pk, year, "budget"): Decimal(4_000_000) for year in old.years}
    budget_services.budget_figures_set(plan=old, acting_user=None, amounts=balanced)
    assert "Planerat underskott" not in client.get(url("plan_document", old)).content.decode()
    deficit = {(line.pk, 2028, "budget"): Decimal(4_100_000)}
    budget_services.budget_figures_set(plan=old, acting_user=None, amounts=deficit)
    page = client.get(url("plan_document", old)).content.decode()
    assert "Planerat underskott:</strong> Medvetet." in page


def test_a_group_total_spread_goes_to_no_line_of_an_insats_left_behind(old):
    """The individinriktade group's 2028 total goes whole to the insats that comes along; the
    ended insats (left in the old plan with its line) gets no part of it, so nothing is lost."""
    from tests import factories

    going = factories.insats(old, name="Team", money={2027: 300_000})
    ended = factories.insats(old, name="Avslutat projekt", status="avslutad", money={2027: 700_000})
    summaries = budget_services.summary_lines_ensure(plan=old, acting_user=None)
    individ = next(
        s for s in summaries if s.category.group_id == going.budget_line.category.group_id
    )
    assert ended.budget_line.category.group_id == individ.category.group_id
    row = old.year_rows.get(year=2028, column="budget")
    budget_services.budget_years_update(
        plan=old, acting_user=None, rows={row.pk: {"level": "grupper"}}
    )
    budget_services.budget_figures_set(
        plan=old, acting_user=None, amounts={(individ.pk, 2028, "budget"): Decimal(1_000_000)}
    )
    before = plan_figures(old).result.year(2028)
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
        after = plan_figures(new).result.year(2028)
    spread = amounts(new, 2028)
    assert spread["Team"] == 1_000_000 and "Avslutat projekt" not in spread
    assert after.individ_costs == before.individ_costs == 1_000_000


def test_a_balansbudget_that_did_not_balance_is_carried_as_typed_with_its_error(old):
    """The carry computes a row only where the old statement balanced (so the figure shown is
    the one typed); one that did not keeps its rows and its error, never hidden by the carry."""
    balance_every_year(old)
    row = old.year_rows.get(year=2029, column="budget")
    budget_services.budget_years_update(
        plan=old, acting_user=None, rows={row.pk: {"omsattningstillgangar": Decimal(1)}}
    )
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
        findings = plan_figures(new).findings
    items = dict(new.year_rows.filter(column="budget").values_list("year", "balance_item"))
    assert items[2028] == "omsattningstillgangar" and items[2029] == ""
    assert [(f.severity, f.year) for f in findings if f.code == "balans"] == [("fel", 2029)]
    typed = new.year_rows.get(year=2029, column="budget").omsattningstillgangar.amount
    assert typed == 1


def test_a_group_total_on_another_resultatbudget_row_stays_on_that_row(old):
    """Förvaltning's avskrivningar (a summary line in an avskrivning category) are not spread
    over its verksamhet lines: they get a line of their own on the avskrivning row."""
    from budgets.models import BudgetCategory as Category

    forvaltning = old.budget_lines.get(name="Kansli").category.group
    inventarier = Category.objects.create(
        group=forvaltning, name="Inventarier", statement="avskrivning", order=99
    )
    budget_services.summary_lines_ensure(plan=old, acting_user=None)
    depreciation = budget_services.budget_line_create(
        plan=old,
        acting_user=None,
        category=inventarier,
        name="Avskrivningar, per grupp",
        summary=True,
    )
    row = old.year_rows.get(year=2028, column="budget")
    budget_services.budget_years_update(
        plan=old, acting_user=None, rows={row.pk: {"level": "grupper"}}
    )
    budget_services.budget_figures_set(
        plan=old, acting_user=None, amounts={(depreciation.pk, 2028, "budget"): Decimal(50_000)}
    )
    before = plan_figures(old).result.year(2028).resultatbudget
    with autumn_before(old):
        new = plan_create_from(previous=old, acting_user=None)
        after = plan_figures(new).result.year(2028).resultatbudget
    assert after.avskrivningar == before.avskrivningar != 0
    made = new.budget_lines.get(name=f"{forvaltning.name}, att fördela")
    assert made.category.statement == "avskrivning"
