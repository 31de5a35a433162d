"""Plans written in shapes the demo plans do not have ([7]): each rule on a plan built here,
its figures asserted to the krona, and where the rule shows, on the page a person reads."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from budgets import services
from budgets.selectors import calc_key, plan_figures
from budgets.tables import member_rows
from finsam.models import Fordelningstal
from tests import factories
from tests.helpers import form_values

pytestmark = pytest.mark.django_db


def _plan(*, kommuner: int = 3, plan_years: int = 3, medlemsbidrag: int = 6_072_000, **forbund):
    forbund = factories.complete_forbund(kommuner=kommuner, **forbund)
    plan = factories.plan(forbund, budget_year=2024, plan_years=plan_years)
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(medlemsbidrag) for y in plan.years},
    )
    return forbund, plan


def _page(plan, name="budget_editor") -> str:
    client = Client()
    client.force_login(factories.revisor(plan.forbund).user)
    html = client.get(reverse(name, args=[plan.forbund.slug, plan.pk])).content.decode()
    text = re.sub(r"<[^>]+>", " ", html[html.index("<main") :])
    return re.sub(r"\s+", " ", unescape(text)).replace("\xa0", " ")


# --- 1. The kommun quarter known only as one total ---------------------------------------------


def test_a_plan_stating_only_the_kommuner_sum_computes_every_other_part():
    forbund, plan = _plan(kommun_parts=False)  # no kommun has a fördelningstal
    figures = plan_figures(plan)
    year = figures.result.year(2024)
    fk, region = (forbund.medlemmar.get(kind=k) for k in ("fk", "region"))
    assert year.member_parts[calc_key(fk)] == 3_036_000
    assert year.member_parts[calc_key(region)] == 1_518_000
    assert year.split_blocks["kommuner"] == 1_518_000
    assert [f for f in figures.findings if f.code in ("kommun-fordelning", "split-fel")] == []
    assert [f for f in figures.findings if f.code in ("delar-summa", "fordelning")] == []
    rows = [(r.label, r.cells[0].value) for r in member_rows(figures)]
    assert rows == [
        ("Försäkringskassan", 3_036_000),
        ("Region Testlän", 1_518_000),
        ("Kommunerna tillsammans", 1_518_000),
    ]
    page = _page(plan)
    assert "Kommunerna tillsammans 1 518 000" in page
    assert "Testköping 1 –" not in page


def test_kommuner_lacking_a_figure_are_all_named_and_the_other_parts_stand():
    forbund, plan = _plan(kommuner=3)
    first = forbund.medlemmar.get(name="Testköping 1")
    for year in plan.years:
        Fordelningstal.objects.create(medlem=first, year=year, invanare=10_000)
    figures = plan_figures(plan)
    found = [f.message for f in figures.findings if f.code == "kommun-fordelning"]
    assert len(found) == 3  # one per year
    assert found[0].startswith("2024: Testköping 2 och Testköping 3 saknar var sitt fördelningstal")
    assert "1\xa0518\xa0000\xa0kr kan inte fördelas" in found[0]
    year = figures.result.year(2024)
    fk = forbund.medlemmar.get(kind="fk")
    assert year.member_parts[calc_key(fk)] == 3_036_000
    assert calc_key(first) not in year.member_parts
    assert [f for f in figures.findings if f.code in ("delar-summa", "fordelning")] == []


# --- 2. The state's row ------------------------------------------------------------------------


def test_no_table_prints_a_row_for_arbetsformedlingen_which_stays_a_member():
    forbund, plan = _plan(kommuner=1)
    assert forbund.medlemmar.filter(kind="af").exists()
    assert "Arbetsförmedlingen" not in [r.label for r in member_rows(plan_figures(plan))]
    for name in ("budget_editor", "budget_statements", "plan_document"):
        assert "varav Arbetsförmedlingen" not in _page(plan, name)
        assert "Arbetsförmedlingen (genom" not in _page(plan, name)


# --- 11. The caption of a two-year plan --------------------------------------------------------


@pytest.mark.parametrize(
    ("plan_years", "period"),
    [(1, "2024"), (2, "2024 med plan för 2025"), (3, "2024 med plan för 2025–2026")],
)
def test_the_period_is_named_as_plans_name_it(plan_years, period):
    forbund, plan = _plan(plan_years=plan_years, kommuner=1)
    assert plan.title == f"Verksamhetsplan och budget {period}"
    assert f"Budget {period}, belopp i kr" in _page(plan)
    assert "2025–2025" not in _page(plan, "plan_detail")


# --- 9. Targets stated, not assumed; findings in the plan's unit; empty years ----------------


def test_a_new_plan_states_no_targets_and_the_form_offers_the_recommendation():
    forbund, plan = _plan(kommuner=1)
    assert {r.ceiling_percent for r in plan.year_rows.all()} == {None}
    figures = plan_figures(plan)
    assert [y.ceiling for y in figures.result.years] == [None, None, None]
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    html = client.get(reverse("budget_years", args=[forbund.slug, plan.pk])).content.decode()
    assert 'list="nr-rekommendation"' in html
    assert '<option value="20" label="Nationella rådets rekommendation' in html


def test_findings_of_a_tkr_plan_name_amounts_in_tkr():
    forbund, plan = _plan(kommuner=2, amount_unit="tkr", rounding_unit=1000)
    found = [f.message for f in plan_figures(plan).findings if f.code == "kommun-fordelning"]
    assert "kommunernas del 1\xa0518\xa0tkr kan inte fördelas" in found[0]
    assert not any("000\xa0kr" in f.message for f in plan_figures(plan).findings)


def test_a_plan_year_whose_budget_is_all_zeros_is_flagged():
    forbund, plan = _plan(kommuner=1)
    services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(2026, "budget"): Decimal(0)}
    )
    empty = [(f.year, f.severity) for f in plan_figures(plan).findings if f.code == "tomt-ar"]
    assert empty == [(2026, "varning")]


# --- 10. A stated opening eget kapital of a later year -------------------------------------


def test_a_stated_ib_that_differs_from_the_rolled_forward_ub_is_a_finding():
    forbund, plan = _plan(kommuner=1, medlemsbidrag=1_000_000)
    plan.opening_equity = Decimal(500_000)
    plan.save()
    line = services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=forbund.budget_groups.get(name="Förvaltning").categories.first(),
        name="Kansli",
        amounts={(y, "budget"): Decimal(1_200_000) for y in plan.years},
    )
    assert line.pk
    row = plan.year_rows.get(year=2025, column="budget")
    services.budget_years_update(
        plan=plan, acting_user=None, rows={row.pk: {"stated_ib": Decimal(250_000)}}
    )
    figures = plan_figures(plan)
    # 500 000 + 1 000 000 − 1 200 000 = 300 000 rolls forward; the plan states 250 000.
    assert figures.result.year(2025).ib == 300_000
    found = [f.message for f in figures.findings if f.code == "ib-angivet"]
    assert found == [
        "2025: planen anger ingående eget kapital 250\xa0000\xa0kr, men utgående eget kapital "
        "året före är 300\xa0000\xa0kr (skillnad -50\xa0000\xa0kr). Budgeten räknar med "
        "300\xa0000\xa0kr."
    ]
    services.budget_years_update(
        plan=plan, acting_user=None, rows={row.pk: {"stated_ib": Decimal(300_000)}}
    )
    assert not [f for f in plan_figures(plan).findings if f.code == "ib-angivet"]


# --- 5. Share kinds per line, and shares that add up ---------------------------------------


def test_a_line_counts_in_its_own_share_kind_and_every_cost_counts_somewhere():
    forbund, plan = _plan(kommuner=1)
    individ = forbund.budget_groups.get(name="Individinriktade insatser").categories.first()
    ovrig = forbund.budget_groups.create(name="Övrig verksamhet", side="kostnad")
    ovrig_category = ovrig.categories.create(name="Övrig verksamhet")
    rows = [
        (individ, "Arbetsträning", "", 600_000),
        (individ, "Samverkansdag", "struktur", 100_000),  # its own kind over its group's
        (ovrig_category, "Nya projekt", "", 200_000),  # no kind anywhere: ej angivet
        (ovrig_category, "Kompetensutveckling", "struktur", 100_000),
    ]
    for category, name, kind, amount in rows:
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=name,
            share_kind=kind,
            amounts={(2024, "budget"): Decimal(amount)},
        )
    figures = plan_figures(plan)
    year = figures.result.year(2024)
    assert year.shares == {
        "individ": Decimal("0.6"),
        "struktur": Decimal("0.2"),
        "ej-angivet": Decimal("0.2"),
    }
    assert sum(year.shares.values()) == 1
    page = _page(plan)
    assert "Ej angivet 20,0 %" in page
    assert "Ej angivet: Nya projekt." in page


def test_an_income_line_counts_in_no_share():
    forbund, plan = _plan(kommuner=1)
    income = forbund.budget_groups.filter(side="intakt").first().categories.first()
    with pytest.raises(ValidationError) as error:
        services.budget_line_create(
            plan=plan, acting_user=None, category=income, name="ESF", share_kind="individ"
        )
    assert "Bara en kostnad" in str(error.value)


def test_an_individ_target_that_rests_on_unclassified_costs_is_not_judged_but_said():
    forbund, plan = _plan(kommuner=1, medlemsbidrag=1_000_000)
    row = plan.year_rows.get(year=2024, column="budget")
    services.budget_years_update(
        plan=plan, acting_user=None, rows={row.pk: {"min_individ_percent": Decimal(70)}}
    )
    individ = forbund.budget_groups.get(name="Individinriktade insatser").categories.first()
    ovrig = forbund.budget_groups.create(name="Planårens aktiviteter", side="kostnad")
    for category, amount in ((individ, 300_000), (ovrig.categories.create(name="Nya"), 500_000)):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=category.name,
            amounts={(2024, "budget"): Decimal(amount)},
        )
    found = {f.code: f for f in plan_figures(plan).findings if f.year == 2024}
    # 30 % known individinriktat; 80 % if the 500 000 without a kind were: not judged.
    assert "individ-andel" not in found
    assert found["individ-andel-oklar"].severity == "info"
    assert "500\xa0000\xa0kr av kostnaderna räknas inte i någon andel" in (
        found["individ-andel-oklar"].message
    )
    Line = type(plan.budget_lines.first())
    Line.objects.filter(plan=plan, name="Nya").update(share_kind="struktur")
    found = {f.code: f for f in plan_figures(plan).findings if f.year == 2024}
    assert found["individ-andel"].severity == "varning"  # now known: 30 % against 70 %


def test_sodra_vatterbygdens_shares_add_up_to_one_hundred_percent():
    from plans.demo import load_demo
    from plans.models import Plan

    load_demo()
    plan = Plan.objects.get(forbund__slug="sodra-vatterbygden")
    for column in plan_figures(plan).columns:
        assert sum(column.result.shares.values()) == 1, column.label
    year = plan_figures(plan).result.year(2022)
    assert year.shares["ej-angivet"] > Decimal("0.33")  # Övrig verksamhet names no kind


# --- 8. Texts where they belong -------------------------------------------------------------


def _deficit_plan():
    forbund, plan = _plan(kommuner=1, medlemsbidrag=1_000_000)
    plan.opening_equity = Decimal(3_000_000)
    plan.save()
    line = services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=forbund.budget_groups.get(name="Förvaltning").categories.first(),
        name="Kansli",
        amounts={(y, "budget"): Decimal(1_500_000) for y in plan.years},
    )
    return forbund, plan, line


def test_each_deficit_year_has_its_own_motivation_or_the_plans():
    forbund, plan, line = _deficit_plan()
    rows = {r.year: r for r in plan.year_rows.filter(column="budget")}
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={rows[2024].pk: {"deficit_reason": "Sparat kapital från 2023 används."}},
    )
    findings = {(f.code, f.year): f.message for f in plan_figures(plan).findings}
    assert findings[("underskott", 2024)].endswith("medvetet: Sparat kapital från 2023 används.")
    assert ("underskott-utan-motivering", 2025) in findings  # no reason for 2025, none for all
    plan.deficit_reason = "Kapitalet ska ner mot rådets rekommendation."
    plan.save()
    findings = {(f.code, f.year): f.message for f in plan_figures(plan).findings}
    assert findings[("underskott", 2024)].endswith("Sparat kapital från 2023 används.")
    assert findings[("underskott", 2025)].endswith("Kapitalet ska ner mot rådets rekommendation.")
    document = _page(plan, "plan_document")
    assert "Planerat underskott 2024: Sparat kapital från 2023 används." in document
    assert "Planerat underskott 2025" not in document


def test_a_footnote_on_a_single_amount_stands_at_that_amount_and_is_logged():
    forbund, plan, line = _deficit_plan()
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    url = reverse("budget_line_edit", args=[forbund.slug, plan.pk, line.pk])
    page = client.get(url).content.decode()
    assert 'name="fotnot_2025_budget"' in page and "Fotnot till beloppet Plan 2025" in page
    post = {**form_values(page), "fotnot_2025_budget": "En del av kostnaden flyttas till 2026."}
    response = client.post(url, post)
    assert response.status_code == 302
    figures = plan_figures(plan)
    assert figures.cell_notes == {
        (line.pk, 2025, "budget"): "En del av kostnaden flyttas till 2026."
    }
    html = client.get(reverse("budget_editor", args=[forbund.slug, plan.pk])).content.decode()
    row = html[html.index(f'<input type="text" name="a-{line.pk}-2025-budget"') :]
    row = row[: row.index("</td>")]
    assert '<a href="#fotnot-1" aria-label="fotnot 1">1)</a>' in row  # at that amount
    assert '<li id="fotnot-1" value="1">En del av kostnaden flyttas till 2026.</li>' in html
    history = client.get(reverse("plan_history", args=[forbund.slug, plan.pk])).content.decode()
    assert "Fotnot till Kansli 2025" in history


# --- 3. Utrymme för ny verksamhet as a planned cost ----------------------------------------


def test_room_for_new_activity_budgeted_as_a_cost_ends_each_year_at_the_floor():
    forbund, plan = _plan(kommuner=1, medlemsbidrag=1_000_000)
    plan.opening_equity = Decimal(900_000)
    plan.save()
    rows = {r.year: r for r in plan.year_rows.filter(column="budget")}
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={r.pk: {"floor_amount": Decimal(400_000)} for r in rows.values()},
    )
    forvaltning = forbund.budget_groups.get(name="Förvaltning").categories.first()
    services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=forvaltning,
        name="Kansli",
        amounts={(2024, "budget"): Decimal(800_000), (2025, "budget"): Decimal(1_300_000)},
    )
    room = services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=forvaltning,
        name="Utrymme för ny verksamhet",
        computed_room=True,
    )
    figures = plan_figures(plan)
    result = figures.result
    key = calc_key(room)
    # 2024: 900 000 + 1 000 000 − 800 000 − 400 000 = 700 000 left for new activity.
    assert result.year(2024).line_amounts[key] == 700_000
    assert result.year(2024).ub == 400_000
    # 2025: 400 000 + 1 000 000 − 1 300 000 − 400 000 < 0: no room, and the year ends below.
    assert result.year(2025).line_amounts[key] == 0
    assert result.year(2025).ub == 100_000
    # 2026: 100 000 + 1 000 000 − 0 − 400 000 = 700 000.
    assert result.year(2026).line_amounts[key] == 700_000
    assert result.year(2026).ub == 400_000
    assert [f.year for f in figures.findings if f.code == "ek-under-golv"] == [2025]
    page = _page(plan)
    assert "Utrymme för ny verksamhet (räknas fram" in page
    html = Client()
    html.force_login(factories.kansli(forbund).user)
    editor = html.get(reverse("budget_editor", args=[forbund.slug, plan.pk])).content.decode()
    assert f'name="a-{room.pk}-2024-budget"' not in editor  # computed, never typed


def test_a_plan_has_one_room_line_and_only_among_costs():
    forbund, plan = _plan(kommuner=1)
    forvaltning = forbund.budget_groups.get(name="Förvaltning").categories.first()
    services.budget_line_create(
        plan=plan, acting_user=None, category=forvaltning, name="Utrymme", computed_room=True
    )
    with pytest.raises(ValidationError, match="redan en rad för utrymme"):
        services.budget_line_create(
            plan=plan, acting_user=None, category=forvaltning, name="Mer", computed_room=True
        )
    income = forbund.budget_groups.filter(side="intakt").first().categories.first()
    with pytest.raises(ValidationError, match="bland kostnaderna"):
        services.budget_line_create(
            plan=plan, acting_user=None, category=income, name="Fel", computed_room=True
        )


# --- 4. Totals over groups -------------------------------------------------------------------


def test_a_total_over_two_groups_stands_after_the_last_of_them():
    forbund, plan = _plan(kommuner=1, medlemsbidrag=2_000_000)
    utveckling = forbund.budget_groups.create(name="Utvecklingskostnader", side="kostnad", order=50)
    projekt = forbund.budget_groups.create(
        name="Utvecklingsprojekt", side="kostnad", order=51, parent=utveckling
    )
    metod = forbund.budget_groups.create(
        name="Metodutveckling", side="kostnad", order=52, parent=utveckling
    )
    for group, name, amount in ((projekt, "Projekt A", 300_000), (metod, "Metodstöd", 120_000)):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=group.categories.create(name=name),
            name=name,
            amounts={(2024, "budget"): Decimal(amount)},
        )
    figures = plan_figures(plan)
    year = figures.result.year(2024)
    assert year.parent_totals == {calc_key(utveckling): 420_000}
    assert year.kostnader == 420_000  # counted once, not twice
    assert year.parent_shares[calc_key(utveckling)] == 1
    page = _page(plan)
    order = [
        page.index("Utvecklingskostnader"),
        page.index("Utvecklingsprojekt"),
        page.index("Summa utvecklingsprojekt 300 000"),
        page.index("Metodutveckling"),
        page.index("Summa metodutveckling 120 000"),
        page.index("Summa utvecklingskostnader 420 000"),
    ]
    assert order == sorted(order)


def test_a_total_over_groups_is_one_level_and_one_side():
    forbund, plan = _plan(kommuner=1)
    top = forbund.budget_groups.create(name="Topp", side="kostnad")
    child = forbund.budget_groups.create(name="Barn", side="kostnad", parent=top)
    grandchild = type(top)(forbund=forbund, name="Barnbarn", side="kostnad", parent=child)
    with pytest.raises(ValidationError, match="en nivå"):
        grandchild.full_clean()
    income = type(top)(forbund=forbund, name="Intäkt", side="intakt", parent=top)
    with pytest.raises(ValidationError, match="var för sig"):
        income.full_clean()


# --- 7. Columns as plans name them ----------------------------------------------------------


def test_comparison_columns_are_chosen_one_by_one_and_plan_years_named_as_the_plan_does():
    from plans import services as plan_services

    forbund = factories.complete_forbund(kommuner=1)
    plan = plan_services.plan_create(
        forbund=forbund,
        acting_user=None,
        budget_year=2024,
        comparison=["prognos", "utfall"],
        plan_year_heading="Prognos",
    )
    assert services.year_columns(plan) == [
        (2023, "prognos"),
        (2023, "utfall"),
        (2024, "budget"),
        (2025, "budget"),
        (2026, "budget"),
    ]
    line = services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=forbund.budget_groups.get(name="Förvaltning").categories.first(),
        name="Kansli",
        amounts={
            (2023, "prognos"): Decimal(510_000),
            (2023, "utfall"): Decimal(497_300),
            (2024, "budget"): Decimal(520_000),
        },
    )
    figures = plan_figures(plan)
    assert [c.label for c in figures.columns] == [
        "Prognos 2023",
        "Utfall 2023",
        "Budget 2024",
        "Prognos 2025",
        "Prognos 2026",
    ]
    assert [c.result.kostnader for c in figures.columns[:3]] == [510_000, 497_300, 520_000]
    page = _page(plan)
    assert "Budget 2023" not in page  # no all-zero column the plan did not choose
    assert "Kansli 510 000 497 300 520 000" in page
    assert line.pk


def test_a_stale_line_form_cannot_overwrite_a_colleagues_footnote():
    forbund, plan, line = _deficit_plan()
    url = reverse("budget_line_edit", args=[forbund.slug, plan.pk, line.pk])
    first, second = Client(), Client()
    first.force_login(factories.kansli(forbund, user__username="forsta").user)
    second.force_login(factories.kansli(forbund, user__username="andra").user)
    seen_by_second = form_values(second.get(url).content.decode())
    mine = {**form_values(first.get(url).content.decode()), "fotnot_2025_budget": "Första."}
    assert first.post(url, mine).status_code == 302
    stale = {**seen_by_second, "fotnot_2025_budget": "Andra."}
    response = second.post(url, stale)
    assert response.status_code == 200
    assert "ändrade detta" in response.content.decode()
    assert plan_figures(plan).cell_notes == {(line.pk, 2025, "budget"): "Första."}


# --- 6. A detailed budget year and summary plan years ---------------------------------------


def _summary_plan():
    """A plan whose budget year is line by line and whose plan years are set, in the years form,
    to be budgeted per group."""
    forbund, plan = _plan(kommuner=1, medlemsbidrag=2_000_000)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    individ = forbund.budget_groups.get(name="Individinriktade insatser").categories.first()
    lines = {
        name: services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=name,
            amounts={(y, "budget"): Decimal(amount) for y in plan.years},
        )
        for name, category, amount in (
            ("Lön", kansli, 600_000),
            ("Lokal", kansli, 100_000),
            ("Team", individ, 1_200_000),
        )
    }
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    url = reverse("budget_years", args=[forbund.slug, plan.pk])
    data = form_values(client.get(url).content.decode())
    for row in plan.year_rows.filter(year__gt=2024):
        data[f"y{row.pk}-level"] = "grupper"
    assert client.post(url, data).status_code == 302
    return forbund, plan, lines, client


def test_plan_years_budgeted_per_group_count_their_summary_lines_only():
    forbund, plan, lines, client = _summary_plan()
    # The first switch gave each group with lines a summary line to type its amount on.
    summary = {ln.name: ln for ln in plan.budget_lines.filter(summary=True)}
    assert sorted(summary) == ["Förvaltning, per grupp", "Individinriktade insatser, per grupp"]
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        amounts={
            (summary["Förvaltning, per grupp"].pk, 2025, "budget"): Decimal(720_000),
            (summary["Individinriktade insatser, per grupp"].pk, 2025, "budget"): Decimal(
                1_300_000
            ),
            (summary["Förvaltning, per grupp"].pk, 2026, "budget"): Decimal(740_000),
        },
    )
    figures = plan_figures(plan)
    result = figures.result
    # 2024 line by line: 600 000 + 100 000 + 1 200 000; the summary lines count nothing there.
    assert result.year(2024).kostnader == 1_900_000
    # 2025 per group: the detail lines' stored 2025 amounts count nothing.
    assert result.year(2025).kostnader == 2_020_000
    assert result.year(2026).kostnader == 740_000
    assert result.year(2025).resultat == -20_000
    forvaltning = forbund.budget_groups.get(name="Förvaltning")
    assert [y.group_totals[calc_key(forvaltning)] for y in result.years] == [
        700_000,
        720_000,
        740_000,
    ]
    # Shares still add up: individ 1 300 000 of 2 020 000 in 2025.
    assert sum(result.year(2025).shares.values()) == 1
    assert result.year(2025).individ_costs == 1_300_000
    # Each year shows at its level: no row of zeros, and the editor offers only cells that count.
    page = _page(plan)
    assert "Lön 600 000 – –" in page
    assert "Förvaltning, per grupp (sammanfattning per grupp) – 720 000 740 000" in page
    assert "Summa förvaltning 700 000" in page and "720 000" in page
    assert "Plan 2025 är budgeterad per grupp" in page
    editor = client.get(reverse("budget_editor", args=[forbund.slug, plan.pk])).content.decode()
    assert f'name="a-{lines["Lön"].pk}-2024-budget"' in editor
    assert f'name="a-{lines["Lön"].pk}-2025-budget"' not in editor
    assert f'name="a-{summary["Förvaltning, per grupp"].pk}-2025-budget"' in editor
    assert f'name="a-{summary["Förvaltning, per grupp"].pk}-2024-budget"' not in editor


def test_a_summary_line_is_never_an_insats_or_the_computed_room():
    forbund, plan = _plan(kommuner=1)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.first()
    with pytest.raises(ValidationError, match="räknas fram på varje nivå"):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=kansli,
            name="Utrymme",
            computed_room=True,
            summary=True,
        )


def test_a_forecast_known_only_as_its_resultatbudget_is_typed_as_those_rows():
    from plans import services as plan_services

    forbund = factories.complete_forbund(kommuner=1)
    plan = plan_services.plan_create(
        forbund=forbund, acting_user=None, budget_year=2024, comparison=["prognos"]
    )
    services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=forbund.budget_groups.get(name="Förvaltning").categories.first(),
        name="Kansli",
        amounts={(2023, "prognos"): Decimal(999_999), (2024, "budget"): Decimal(400_000)},
    )
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    url = reverse("budget_years", args=[forbund.slug, plan.pk])
    data = form_values(client.get(url).content.decode())
    row = plan.year_rows.get(column="prognos")
    prefix = f"y{row.pk}-"
    data.update(
        {
            prefix + "level": "resultat",
            prefix + "comparison_ib": "300 000",
            prefix + "rr_intakter": "50 000",
            prefix + "rr_kostnader": "1 250 000",
            prefix + "rr_finansiella_kostnader": "2 000",
        }
    )
    assert client.post(url, data).status_code == 302
    services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(2023, "prognos"): Decimal(1_200_000)}
    )
    figures = plan_figures(plan)
    prognos = figures.columns[0]
    statement = prognos.result.resultatbudget
    assert statement.verksamhetens_intakter == 1_250_000
    assert statement.verksamhetens_kostnader == -1_250_000  # the typed line counts nothing
    assert statement.finansiella_kostnader == -2_000
    assert (prognos.result.resultat, prognos.result.ub) == (-2_000, 298_000)
    page = _page(plan)
    assert "Kansli – 400 000" in page
    assert "Prognos 2023 redovisas bara som resultatbudgetens rader" in page
    statements = _page(plan, "budget_statements")
    assert "Verksamhetens kostnader -1 250 000" in statements
