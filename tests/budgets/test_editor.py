"""The budget editor and its forms, through the test client as a user would use them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets import services
from budgets.models import BudgetAmount, BudgetCategory, BudgetYear
from budgets.selectors import plan_figures
from finsam.models import AuditEvent
from plans.models import Plan, PlanLocked, PlanStatus
from tests.helpers import editor_url, grid_post


@pytest.fixture
def plan(world):
    plan = world["plan_a"]
    services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(2027, "budget"): Decimal(4_000_000)}
    )
    return plan


def cell(line, year=2027):
    return f"a-{line.pk}-{year}-budget"


@pytest.mark.django_db
def test_kansli_changes_an_amount_and_the_totals_follow(personas, plan, world):
    client = personas["kansli_a"]
    line = world["line_a"]
    response = client.post(editor_url(plan), grid_post(plan, {cell(line): "750 000"}))
    assert response.status_code == 302
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 750_000
    page = client.get(editor_url(plan)).content.decode()
    # 4 000 000 in, 750 000 out: the year's result is shown computed
    assert "3\xa0250\xa0000" in page
    event = AuditEvent.objects.filter(action="budget.amounts").latest("at")
    assert event.changes == {"Kansli 2027": [{"kr": "500"}, {"kr": "750000"}]}


@pytest.mark.django_db
def test_htmx_change_answers_with_the_recomputed_editor_only(personas, plan, world):
    client = personas["kansli_a"]
    response = client.post(
        editor_url(plan),
        grid_post(plan, {cell(world["line_a"]): "1000000"}),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="budget-editor">')
    assert "<html" not in html
    assert "3\xa0000\xa0000" in html  # resultat 4 000 000 − 1 000 000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, message",
    [
        ("12a", "Ange beloppet med siffror"),
        ("-5", "Beloppet kan inte vara negativt."),
        ("1000000000000", "orimligt stort"),
        ("12,5", "hela kronor"),
    ],
)
def test_bad_amount_gets_a_message_beside_the_cell_and_nothing_is_saved(
    personas, plan, world, typed, message
):
    client = personas["kansli_a"]
    line = world["line_a"]
    data = grid_post(plan, {cell(line): typed, "mb-2027-budget": "5000000"})
    response = client.post(editor_url(plan), data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[cell(line)][0]
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 500
    assert BudgetYear.objects.get(plan=plan, year=2027).medlemsbidrag.amount == 4_000_000


@pytest.mark.django_db
def test_medlemsbidrag_that_the_rounding_unit_does_not_divide_is_refused(personas, plan):
    forbund = plan.forbund
    forbund.rounding_unit = 100
    forbund.save()
    response = personas["kansli_a"].post(
        editor_url(plan), grid_post(plan, {"mb-2027-budget": "4000050"})
    )
    assert response.status_code == 400
    assert "jämnt upp" in response.context["form"].errors["mb-2027-budget"][0]
    assert BudgetYear.objects.get(plan=plan, year=2027).medlemsbidrag.amount == 4_000_000


@pytest.mark.django_db
def test_a_stale_page_does_not_overwrite_a_colleagues_newer_figure(personas, plan, world):
    line = world["line_a"]
    stale = grid_post(plan, {"mb-2027-budget": "4100000"})
    # meanwhile a colleague changes the line
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(900)}
    )
    personas["kansli_a"].post(editor_url(plan), stale)
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 900
    assert BudgetYear.objects.get(plan=plan, year=2027).medlemsbidrag.amount == 4_100_000


@pytest.mark.django_db
def test_amounts_are_typed_in_tkr_when_the_forbund_shows_tkr(personas, plan, world):
    forbund = plan.forbund
    forbund.amount_unit = "tkr"
    forbund.save()
    line = world["line_a"]
    personas["kansli_a"].post(editor_url(plan), grid_post(plan, {cell(line): "1 844,5"}))
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 1_844_500
    page = personas["revisor_a"].get(editor_url(plan)).content.decode()
    assert "1\xa0844,5" in page


@pytest.mark.django_db
def test_styrelse_reads_the_budget_but_cannot_post_to_it(personas, plan, world):
    page = personas["styrelse_a"].get(editor_url(plan))
    assert page.status_code == 200
    assert 'name="a-' not in page.content.decode()  # no inputs for the board
    response = personas["styrelse_a"].post(
        editor_url(plan), grid_post(plan, {cell(world["line_a"]): "1"})
    )
    assert response.status_code == 403
    assert BudgetAmount.objects.get(line=world["line_a"]).amount.amount == 500


@pytest.mark.django_db
def test_an_adopted_plan_refuses_a_crafted_post(personas, plan, world):
    data = grid_post(plan, {cell(world["line_a"]): "999"})
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.ANTAGEN, meeting_date="2026-11-20", paragraph="§12"
    )
    before = AuditEvent.objects.count()
    response = personas["kansli_a"].post(editor_url(plan), data, follow=True)
    assert "kan inte ändras" in response.content.decode()
    assert BudgetAmount.objects.get(line=world["line_a"]).amount.amount == 500
    assert AuditEvent.objects.count() == before
    plan.refresh_from_db()
    with pytest.raises(PlanLocked):
        services.budget_figures_set(
            plan=plan, acting_user=None, medlemsbidrag={(2027, "budget"): 1}
        )


@pytest.mark.django_db
def test_a_year_outside_the_plan_is_refused_by_the_service(plan, world):
    with pytest.raises(ValidationError, match="ingår inte i planen"):
        services.budget_figures_set(
            plan=plan, acting_user=None, amounts={(world["line_a"].pk, 2040, "budget"): Decimal(1)}
        )
    assert not BudgetAmount.objects.filter(year=2040).exists()


@pytest.mark.django_db
def test_new_line_cannot_use_another_forbunds_category(personas, plan, forbund_b):
    from budgets.services import budget_groups_default

    budget_groups_default(forbund=forbund_b, acting_user=None)
    foreign = BudgetCategory.objects.filter(group__forbund=forbund_b).first()
    url = reverse("budget_line_create", args=[plan.forbund.slug, plan.pk])
    response = personas["kansli_a"].post(
        url, {"category": foreign.pk, "name": "Smuggel", "decided": "on"}
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.context["form"].errors["category"][0]
    assert not plan.budget_lines.filter(name="Smuggel").exists()


@pytest.mark.django_db
def test_kansli_adds_a_line_and_it_appears_in_its_group(personas, plan):
    category = BudgetCategory.objects.get(group__forbund=plan.forbund, name="Revision")
    url = reverse("budget_line_create", args=[plan.forbund.slug, plan.pk])
    response = personas["kansli_a"].post(
        url, {"category": category.pk, "name": "Revision", "note": "Köps av PwC", "decided": "on"}
    )
    assert response.status_code == 302
    page = personas["kansli_a"].get(editor_url(plan)).content.decode()
    assert "Summa förvaltning" in page and "Köps av PwC" in page


@pytest.mark.django_db
def test_targets_and_balance_inputs_feed_the_statements(personas, plan):
    url = reverse("budget_years", args=[plan.forbund.slug, plan.pk])
    rows = list(plan.year_rows.order_by("year"))
    data = {}
    for row in rows:
        p = f"y{row.pk}-"
        data.update(
            {
                p + "ceiling_percent": "20",
                p + "min_individ_percent": "",
                p + "floor_amount": "400000",
            }
        )
        data[p + "omsattningstillgangar"] = "3 500 000"
        data[p + "kortfristiga_skulder"] = "0"
    response = personas["kansli_a"].post(url, data)
    assert response.status_code == 302
    figures = plan_figures(plan)
    first = figures.result.years[0]
    assert first.floor == 400_000
    assert first.balansbudget is not None
    # IB 0 + 4 000 000 − 500 = 3 999 500 of eget kapital against 3 500 000 of assets
    assert not first.balansbudget.balanced
    assert any(f.code == "balans" and f.year == 2027 for f in figures.findings)


@pytest.mark.django_db
def test_percentage_target_over_100_is_refused(personas, plan):
    url = reverse("budget_years", args=[plan.forbund.slug, plan.pk])
    row = plan.year_rows.order_by("year").first()
    response = personas["kansli_a"].post(url, {f"y{row.pk}-ceiling_percent": "140"})
    assert response.status_code == 400
    assert any("mellan 0 och 100" in str(f.errors) for f in response.context["forms"])
    row.refresh_from_db()
    assert row.ceiling_percent is None  # as it was: no target until the förbund sets one


@pytest.mark.django_db
def test_offers_name_the_binding_member_and_can_set_the_medlemsbidrag(personas, plan):
    forbund = plan.forbund
    members = {m.name: m for m in forbund.medlemmar.all()}
    from finsam.models import Fordelningstal

    for i, name in enumerate(["Testköping 1", "Testköping 2"]):
        Fordelningstal.objects.create(medlem=members[name], year=2027, invanare=10_000 * (i + 1))
    url = reverse("budget_offers", args=[forbund.slug, plan.pk])
    data = {
        "year": "2027",
        f"m-{members['Försäkringskassan'].pk}": "5600000",
        f"m-{members['Region Testlän'].pk}": "2000000",
        f"m-{members['Testköping 1'].pk}": "300000",  # a third of the quarter: allows 3 600 000
        f"m-{members['Testköping 2'].pk}": "1000000",
    }
    response = personas["styrelse_a"].post(url, data)
    assert response.status_code == 200
    assert response.context["binding"] == members["Testköping 1"]
    assert response.context["result"].total == 3_600_000
    # the board may compute, only kansli applies
    personas["styrelse_a"].post(url, {**data, "apply": "1"})
    assert BudgetYear.objects.get(plan=plan, year=2027).medlemsbidrag.amount == 4_000_000
    personas["kansli_a"].post(url, {**data, "apply": "1"})
    assert BudgetYear.objects.get(plan=plan, year=2027).medlemsbidrag.amount == 3_600_000


def _offers(plan):
    from finsam.models import Fordelningstal

    members = {m.name: m for m in plan.forbund.medlemmar.all()}
    for i, name in enumerate(["Testköping 1", "Testköping 2"]):
        Fordelningstal.objects.create(medlem=members[name], year=2027, invanare=10_000 * (i + 1))
    return {
        "year": "2027",
        f"m-{members['Försäkringskassan'].pk}": "5600000",
        f"m-{members['Region Testlän'].pk}": "2000000",
        f"m-{members['Testköping 1'].pk}": "300000",
        f"m-{members['Testköping 2'].pk}": "1000000",
    }


@pytest.mark.django_db
def test_the_offers_total_taken_as_medlemsbidrag_stands_in_the_log(personas, plan):
    url = reverse("budget_offers", args=[plan.forbund.slug, plan.pk])
    personas["kansli_a"].post(url, {**_offers(plan), "apply": "1"})
    event = AuditEvent.objects.filter(forbund=plan.forbund).latest("pk")
    assert event.actor is not None
    assert event.changes == {"Medlemsbidrag 2027": [{"kr": "4000000"}, {"kr": "3600000"}]}


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["inlamnad", "antagen"])
def test_the_offers_total_is_refused_on_a_locked_plan(personas, plan, status):
    url = reverse("budget_offers", args=[plan.forbund.slug, plan.pk])
    data = _offers(plan)
    Plan.objects.filter(pk=plan.pk).update(
        status=status, meeting_date=date(2026, 11, 20), paragraph="§12"
    )
    events = AuditEvent.objects.count()
    response = personas["kansli_a"].post(url, {**data, "apply": "1"})
    assert response.status_code in (302, 403, 409)
    assert BudgetYear.objects.get(plan=plan, year=2027).medlemsbidrag.amount == 4_000_000
    assert AuditEvent.objects.count() == events
    # The button is not offered on a plan that cannot change.
    page = personas["kansli_a"].post(url, data).content.decode()
    assert 'name="apply"' not in page


@pytest.mark.django_db
def test_an_offer_with_letters_is_refused_beside_its_field(personas, plan):
    fk = plan.forbund.medlemmar.get(kind="fk")
    url = reverse("budget_offers", args=[plan.forbund.slug, plan.pk])
    response = personas["kansli_a"].post(url, {"year": "2027", f"m-{fk.pk}": "mycket"})
    assert response.status_code == 400
    assert "siffror" in response.context["form"].errors[f"m-{fk.pk}"][0]


@pytest.mark.django_db
def test_plan_create_refuses_a_second_plan_for_the_same_year(personas, plan):
    url = reverse("plan_create", args=[plan.forbund.slug])
    response = personas["kansli_a"].post(
        url,
        {"budget_year": "2027", "plan_years": "3", "under_use_percent": "0", "opening_equity": "0"},
    )
    assert response.status_code == 200
    assert "redan en plan för 2027" in response.context["form"].errors["budget_year"][0]
    assert Plan.objects.filter(forbund=plan.forbund).count() == 1


@pytest.mark.django_db
def test_an_insats_line_cannot_be_removed_without_its_insats(db):
    from plans.demo import load_demo
    from plans.models import Plan

    load_demo()
    plan = Plan.objects.get(forbund__slug="sodra-vatterbygden", budget_year=2020)
    line = plan.budget_lines.exclude(insats=None).select_related("insats").first()
    with pytest.raises(ValidationError, match="hör till insatsen"):
        services.budget_line_delete(line=line, acting_user=None)
    assert plan.budget_lines.filter(pk=line.pk).exists()


@pytest.mark.django_db
def test_kansli_adds_a_budget_group_and_it_is_logged(personas, world):
    from budgets.models import BudgetGroup

    forbund = world["forbund_a"]
    url = reverse("budget_categories", args=[forbund.slug])
    response = personas["kansli_a"].post(
        url,
        {
            "which": "group",
            "g-name": "Projektmedel",
            "g-side": "kostnad",
            "g-share_kind": "struktur",
            "g-order": "90",
        },
    )
    assert response.status_code == 302
    group = BudgetGroup.objects.get(forbund=forbund, name="Projektmedel")
    assert AuditEvent.objects.get(action="budgetgroup.create").object_id == str(group.pk)
    duplicate = personas["kansli_a"].post(
        url, {"which": "group", "g-name": "Projektmedel", "g-side": "kostnad", "g-order": "1"}
    )
    assert duplicate.status_code == 400
    assert BudgetGroup.objects.filter(forbund=forbund, name="Projektmedel").count() == 1


@pytest.mark.django_db
def test_the_editor_without_javascript_saves_a_plan_of_two_hundred_lines(personas, plan):
    from tests.helpers import grow

    grow(plan, 200)
    line = plan.budget_lines.order_by("-pk").first()
    data = grid_post(plan, {f"a-{line.pk}-2027-budget": "123456"})
    assert len(data) > 1_000  # more fields than Django takes by default
    response = personas["kansli_a"].post(editor_url(plan), data)
    assert response.status_code == 302
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 123_456


def one_cell(plan, name: str, typed: str) -> dict:
    """What the autosave sends: the one cell the user left, with its shown twin."""
    full = grid_post(plan, {})
    return {name: typed, "o-" + name: full["o-" + name]}


@pytest.mark.django_db
def test_a_save_of_one_cell_changes_that_cell_and_shows_every_other_as_stored(
    personas, plan, world
):
    client = personas["kansli_a"]
    line = world["line_a"]
    before = {
        (a.line_id, a.year, a.column): a.amount.amount
        for a in BudgetAmount.objects.filter(line__plan=plan)
    }
    response = client.post(
        editor_url(plan), one_cell(plan, cell(line, 2028), "777"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    after = {
        (a.line_id, a.year, a.column): a.amount.amount
        for a in BudgetAmount.objects.filter(line__plan=plan)
    }
    assert after.pop((line.pk, 2028, "budget")) == 777
    before.pop((line.pk, 2028, "budget"), None)
    assert after == before  # no unsent cell became 0
    assert BudgetYear.objects.get(plan=plan, year=2027).medlemsbidrag.amount == 4_000_000
    html = response.content.decode()
    # The cells not sent show their stored figures, and their twins say the same.
    assert f'name="{cell(line)}" value="500"' in html
    assert f'name="o-{cell(line)}" value="500"' in html
    assert 'name="mb-2027-budget" value="4\xa0000\xa0000"' in html  # grouped, as computed
    assert 'id="editor-status" hx-swap-oob="innerHTML">Sparade 1 belopp.' in html


@pytest.mark.django_db
def test_a_wrong_cell_is_announced_by_its_name_and_its_message(personas, plan, world):
    client = personas["kansli_a"]
    line = world["line_a"]
    response = client.post(
        editor_url(plan), one_cell(plan, cell(line), "abc"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    label = response.context["form"].label(cell(line))
    assert f"Kunde inte spara {label}: Ange beloppet med siffror" in html
    assert f'<input type="text" name="{cell(line)}" value="abc"' in html
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 500


@pytest.mark.django_db
def test_a_partial_save_does_not_say_nothing_was_saved(personas, plan, world):
    client = personas["kansli_a"]
    line = world["line_a"]
    post = {**one_cell(plan, cell(line), "abc"), **one_cell(plan, cell(line, 2028), "900")}
    html = client.post(editor_url(plan), post, headers={"HX-Request": "true"}).content.decode()
    assert BudgetAmount.objects.get(line=line, year=2028).amount.amount == 900
    assert "Inget sparades" not in html
    assert "Dina övriga ändringar är sparade." in html
