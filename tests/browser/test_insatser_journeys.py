"""Real-browser journeys of the insatser: add one with its grant, find it in the budget."""

from __future__ import annotations

import pytest

from plans import services as plan_services
from tests import factories
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kansli_adds_an_insats_and_finds_its_grant_in_the_budget(page, live_server):
    forbund = factories.complete_forbund(name="Samordningsförbundet Insats", slug="insats")
    membership = factories.kansli(forbund, user__username="kansli-insats")
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2027)
    login(page, live_server, membership.user.username, factories.PASSWORD)

    page.goto(f"{live_server.url}/f/insats/planer/{plan.pk}/insatser/")
    page.get_by_role("link", name="Ny insats").click()
    page.get_by_label("Namn").fill("Unga till arbete")
    page.get_by_label("Slag").select_option("individ")
    page.get_by_label("Insatsägare").select_option(label="Region Testlän")
    page.get_by_role("checkbox", name="Försäkringskassan").check()
    page.get_by_label("Start").fill("2027-01-01")
    page.get_by_label("Beviljat 2027").fill("1 000 000")
    page.get_by_role("button", name="Spara").click()

    assert page.get_by_role("heading", name="Unga till arbete").is_visible()
    assert "Individinriktade insatser" in page.locator("main").inner_text()
    page.get_by_role("link", name="Hela budgeten").click()
    row = page.get_by_role("row", name="Unga till arbete")
    assert row.get_by_label("Unga till arbete, Budget 2027").input_value() == "1\xa0000\xa0000"


def test_a_mix_that_does_not_add_up_is_explained_beside_the_fields(page, live_server):
    forbund = factories.complete_forbund(name="Samordningsförbundet Mix", slug="mix")
    membership = factories.kansli(forbund, user__username="kansli-mix")
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2027)
    login(page, live_server, membership.user.username, factories.PASSWORD)

    page.goto(f"{live_server.url}/f/mix/planer/{plan.pk}/insatser/ny/")
    page.get_by_label("Namn").fill("Efterstöd")
    page.get_by_label("Slag").select_option("blandad")
    page.get_by_label("Andel individ (%)").fill("60")
    page.get_by_label("Andel struktur (%)").fill("30")
    page.get_by_label("Insatsägare").select_option(label="Testköping 1")
    page.get_by_label("Start").fill("2027-01-01")
    page.get_by_role("button", name="Spara").click()

    assert page.get_by_role("heading", name="Insatsen sparades inte").is_visible()
    assert page.locator(".field.has-error").count() == 2
    assert "tillsammans vara 100 %" in page.locator(".field.has-error").first.inner_text()
