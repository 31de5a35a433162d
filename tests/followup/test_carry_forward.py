"""The next plan stands on the follow-up: carried forward from an adopted year with a prognos,
it opens with the prognos's forecast UB and its comparison columns are the follow-up's; once
the year is bokslutat its real UB replaces the forecast in a later draft, and an adopted later
plan keeps its figure with the difference as a finding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from budgets import services as budget_services
from budgets.calc import round_kr
from budgets.models import BudgetAmount, BudgetCategory
from budgets.selectors import plan_figures
from finsam.models import AuditEvent
from finsam.money import format_amount
from followup import carry, selectors, services
from followup.models import PlanSource, Prognos
from plans import services as plan_services
from tests import factories
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, make_plan

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "3010": "Medlemsbidrag Försäkringskassan",
    "3020": "Medlemsbidrag Region Östra",
    "5010": "Lokalhyra",
    "7010": "Löner kansli",
}
OPENING = Decimal(500_000)


def adopted_year(slug: str):
    """An adopted plan for 2027 (opening eget kapital 500 000 kr, medlemsbidrag 4 mkr, Kansli
    1 mkr, Lokaler 240 000 kr) that shows budget, prognos and utfall for the year before, and
    the förbund's konto map."""
    forbund, plan = make_plan(slug)
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Lokaler",
        amounts={(y, "budget"): Decimal(240_000) for y in plan.years},
    )
    plan = plan_services.plan_update(
        plan=plan,
        acting_user=None,
        data={
            "opening_equity": OPENING,
            "compare_budget": True,
            "compare_prognos": True,
            "compare_utfall": True,
        },
    )
    adopt_plan(plan)
    refs = selectors.line_refs(plan_figures(plan))
    text = "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n"
    rows = services.mapping_read("karta.csv", text.encode(), refs)
    services.mapping_set(forbund=forbund, rows=rows, refs=refs, acting_user=None, replace=True)
    return forbund, plan, refs


def booked(through: int) -> dict[tuple[str, int, int], Decimal]:
    out = {}
    for month in range(1, through + 1):
        out[("3010", 2027, month)] = Decimal("-166666.67")
        out[("3020", 2027, month)] = Decimal("-83333.33")
        out[("5010", 2027, month)] = Decimal("20000.00")
        out[("7010", 2027, month)] = Decimal("80000.50") + month
    return out


def import_through(forbund, refs, through: int) -> None:
    preview = services.utfall_preview(
        forbund=forbund,
        year=2027,
        file_name="bok.se",
        data=sie_text(ACCOUNTS, booked(through), year=2027),
        refs=refs,
    )
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)


def utfall_by_line(through: int) -> dict[str, Decimal]:
    """The year's utfall per line as the plan shows it: each month rounded to the krona."""
    return {
        "Medlemsbidrag": through * round_kr(Decimal("166666.67") + Decimal("83333.33")),
        "Lokaler": through * Decimal(20_000),
        "Kansli": sum(round_kr(Decimal("80000.50") + m) for m in range(1, through + 1)),
    }


def august_prognos(forbund, plan) -> Prognos:
    """The prognos after August, pre-filled, with Lokaler changed by hand to 300 000 kr."""
    prognos = services.prognos_create(
        forbund=forbund,
        year=2027,
        month=8,
        follow=selectors.follow_up(plan, month=8),
        acting_user=None,
    )
    lokaler = prognos.lines.get(line_name="Lokaler")
    services.prognos_lines_set(
        prognos=prognos,
        values={lokaler.pk: {"amount": Decimal(300_000)}},
        lock_version=prognos.lock_version,
        acting_user=None,
    )
    return prognos


def cells(plan, year: int) -> dict[tuple[str, str], Decimal]:
    return {
        (a.line.name, a.column): a.amount.amount
        for a in BudgetAmount.objects.filter(line__plan=plan, year=year).select_related("line")
    }


def test_a_plan_carried_forward_opens_with_the_latest_prognos_forecast_ub():
    forbund, plan, refs = adopted_year("carry-prognos")
    import_through(forbund, refs, 8)
    august_prognos(forbund, plan)
    by_line = {pl.line_name: pl.amount.amount for pl in Prognos.objects.get().lines.all()}
    # The forecast UB, as the test computes it: IB + medlemsbidrag − the costs, per the prognos.
    expected = OPENING + by_line["Medlemsbidrag"] - by_line["Kansli"] - by_line["Lokaler"]
    assert by_line["Lokaler"] == Decimal(300_000)

    new = plan_services.plan_create_from(previous=plan, acting_user=None)

    assert new.budget_year == 2028
    assert new.opening_equity.amount == expected
    source = PlanSource.objects.get(plan=new)
    assert "är prognosen per 31 augusti 2027" in source.text
    assert carry.plan_source_for(new) == source
    assert AuditEvent.objects.filter(scope=f"plan:{new.pk}", action="followup.plan_source").exists()


def test_the_comparison_columns_of_the_year_before_hold_its_budget_prognos_and_utfall():
    forbund, plan, refs = adopted_year("carry-columns")
    import_through(forbund, refs, 8)
    prognos = august_prognos(forbund, plan)
    by_line = {pl.line_name: pl.amount.amount for pl in prognos.lines.all()}
    utfall = utfall_by_line(8)

    new = plan_services.plan_create_from(previous=plan, acting_user=None)

    assert cells(new, 2027) == {
        ("Kansli", "budget"): Decimal(1_000_000),
        ("Kansli", "prognos"): by_line["Kansli"],
        ("Kansli", "utfall"): utfall["Kansli"],
        ("Lokaler", "budget"): Decimal(240_000),
        ("Lokaler", "prognos"): Decimal(300_000),
        ("Lokaler", "utfall"): utfall["Lokaler"],
    }
    rows = {r.column: r for r in new.year_rows.filter(year=2027)}
    assert rows["budget"].medlemsbidrag.amount == Decimal(4_000_000)
    assert rows["prognos"].medlemsbidrag.amount == by_line["Medlemsbidrag"]
    assert rows["utfall"].medlemsbidrag.amount == utfall["Medlemsbidrag"]
    assert {r.comparison_ib.amount for r in rows.values()} == {OPENING}


def test_without_a_prognos_the_carried_plan_opens_with_the_previous_plans_own_roll_forward():
    forbund, plan, refs = adopted_year("carry-none")
    import_through(forbund, refs, 8)
    rolled = plan_figures(plan).result.year(2027).ub

    new = plan_services.plan_create_from(previous=plan, acting_user=None)

    assert new.opening_equity.amount == rolled
    assert not PlanSource.objects.filter(plan=new).exists()
    # The prognos column starts from the year's budget, as before the follow-up.
    assert cells(new, 2027)[("Lokaler", "prognos")] == Decimal(240_000)


def real_ub() -> Decimal:
    utfall = utfall_by_line(12)
    return OPENING + utfall["Medlemsbidrag"] - utfall["Kansli"] - utfall["Lokaler"]


def test_closing_the_year_gives_a_later_draft_the_real_ub_and_logs_old_and_new():
    forbund, plan, refs = adopted_year("close-draft")
    import_through(forbund, refs, 8)
    august_prognos(forbund, plan)
    draft = plan_services.plan_create_from(previous=plan, acting_user=None)
    forecast = draft.opening_equity.amount
    import_through(forbund, refs, 12)

    closed = carry.year_close(forbund=forbund, year=2027, acting_user=None)

    draft.refresh_from_db()
    assert closed.ub.amount == real_ub()
    assert draft.opening_equity.amount == real_ub() != forecast
    assert PlanSource.objects.get(plan=draft).text.endswith("är bokslutet för 2027.")
    event = AuditEvent.objects.filter(scope=f"plan:{draft.pk}").order_by("-pk").first()
    assert "opening_equity" in event.changes
    assert carry.opening_findings(forbund, 2027) == []
    # A draft opens with the bokslut: nothing to say in its Kontroller.
    assert not [f for f in plan_figures(draft).findings if f.code == carry.IB_BOKSLUT]


def test_closing_the_year_leaves_an_adopted_later_plan_and_lists_the_difference():
    forbund, plan, refs = adopted_year("close-adopted")
    import_through(forbund, refs, 8)
    august_prognos(forbund, plan)
    later = plan_services.plan_create_from(previous=plan, acting_user=None)
    adopt_plan(later)
    stated = later.opening_equity.amount
    import_through(forbund, refs, 12)

    carry.year_close(forbund=forbund, year=2027, acting_user=None)

    later.refresh_from_db()
    assert later.opening_equity.amount == stated
    diff = real_ub() - stated
    sign = "−" if diff < 0 else "+"
    kr = lambda v: f"{v:,.0f}".replace(",", "\xa0") + "\xa0kr"  # noqa: E731
    said = (
        f"Planen för 2028 anger ingående eget kapital {kr(stated)}; bokslutet för 2027 ger "
        f"{kr(real_ub())} ({sign}{kr(abs(diff))})."
    )
    assert carry.opening_findings(forbund, 2027) == [said]
    # The adopted plan's own Kontroller says it too, and its figures stand as stated.
    figures = plan_figures(later)
    assert [f.message for f in figures.findings if f.code == carry.IB_BOKSLUT] == [
        f"{said} Planen räknar med det den angav; i en reviderad version kan "
        "ingående eget kapital sättas till bokslutets UB."
    ]
    assert figures.result.years[0].ib == stated
    page = client_of(factories.revisor(forbund)).get(
        reverse("plan_detail", args=[forbund.slug, later.pk])
    )
    assert said in page.content.decode()


def test_a_year_without_december_cannot_be_closed_and_nothing_changes():
    forbund, plan, refs = adopted_year("close-early")
    import_through(forbund, refs, 11)
    with pytest.raises(ValidationError, match="Utfallet för december 2027 saknas"):
        carry.year_close(forbund=forbund, year=2027, acting_user=None)
    assert not forbund.closed_years.exists()


def test_a_year_with_a_konto_on_no_line_cannot_be_closed():
    forbund, plan, refs = adopted_year("close-unmapped")
    months = booked(12)
    months[("6990", 2027, 12)] = Decimal("1234.56")
    preview = services.utfall_preview(
        forbund=forbund,
        year=2027,
        file_name="bok.se",
        data=sie_text({**ACCOUNTS, "6990": "Övrigt"}, months, year=2027),
        refs=refs,
    )
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
    with pytest.raises(ValidationError, match="6990 Övrigt"):
        carry.year_close(forbund=forbund, year=2027, acting_user=None)
    assert not forbund.closed_years.exists()


def client_of(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_the_kansli_closes_the_year_on_its_page_and_the_revisor_reads_it_only():
    forbund, plan, refs = adopted_year("close-page")
    import_through(forbund, refs, 12)
    kansli, revisor = client_of(factories.kansli(forbund)), client_of(factories.revisor(forbund))
    page = reverse("year_close_page", args=[forbund.slug, 2027])
    action = reverse("year_close", args=[forbund.slug, 2027])

    assert "Året är bokslutat</button>" not in revisor.get(page).content.decode()
    assert revisor.post(action).status_code == 403
    assert not forbund.closed_years.exists()

    response = kansli.post(action, follow=True)

    assert forbund.closed_years.get().ub.amount == real_ub()
    text = response.content.decode()
    assert "2027 är bokslutat." in text
    assert f"{real_ub():,.0f}".replace(",", "\xa0") + "\xa0kr" in text


def test_another_forbunds_kansli_neither_sees_nor_closes_the_year():
    forbund, plan, refs = adopted_year("close-tenancy")
    import_through(forbund, refs, 12)
    other = client_of(factories.kansli(factories.complete_forbund(name="B", slug="close-b")))
    assert other.get(reverse("year_close_page", args=[forbund.slug, 2027])).status_code == 404
    assert other.post(reverse("year_close", args=[forbund.slug, 2027])).status_code == 404
    assert not forbund.closed_years.exists()


def test_the_carried_plans_overview_says_its_opening_eget_kapital_is_the_prognos():
    forbund, plan, refs = adopted_year("carry-says")
    import_through(forbund, refs, 8)
    august_prognos(forbund, plan)
    new = plan_services.plan_create_from(previous=plan, acting_user=None)

    page = client_of(factories.kansli(forbund)).get(
        reverse("plan_detail", args=[forbund.slug, new.pk])
    )

    assert "är prognosen per 31 augusti 2027" in page.content.decode()


def test_the_preview_of_a_carry_forward_states_the_opening_the_plan_will_get():
    """ "Ny plan utifrån" says what the new plan opens with before it is made: the prognos's
    forecast UB and where it comes from, the very figure the plan then gets, not the previous
    plan's own roll-forward (which differs once a prognos moves it)."""
    forbund, plan, refs = adopted_year("carry-preview")
    import_through(forbund, refs, 8)
    august_prognos(forbund, plan)
    client = client_of(factories.kansli(forbund))
    preview = client.get(reverse("plan_create_from", args=[forbund.slug, plan.pk])).content
    roll_forward = plan_figures(plan).result.year(2027).ub

    new = plan_services.plan_create_from(previous=plan, acting_user=None)

    assert new.opening_equity.amount != roll_forward  # the prognos moved it
    unit = forbund.amount_unit
    text = preview.decode()
    assert (
        f"{format_amount(new.opening_equity.amount, unit)} (prognosen per 31 augusti 2027)" in text
    )
    assert format_amount(roll_forward, unit) not in text
