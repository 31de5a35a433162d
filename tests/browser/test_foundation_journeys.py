"""Real-browser journeys of the foundation: log in, switch förbund, add a member."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kansli_logs_in_and_adds_a_kommun_with_population(page, live_server):
    forbund = factories.complete_forbund(name="Samordningsförbundet Webb", slug="webb")
    membership = factories.kansli(forbund, user__username="kansli-webb")
    login(page, live_server, membership.user.username, factories.PASSWORD)

    page.get_by_role("link", name="Samordningsförbundet Webb").first.click()
    page.get_by_role("link", name="Lägg till medlem").click()
    page.get_by_label("Namn").fill("Nyköpings kommun")
    page.get_by_label("Slag").select_option("kommun")
    page.get_by_label("Budgetår, rad 1").fill("2023")
    page.get_by_label("Invånare 1 juli året före, rad 1").fill("57000")
    page.get_by_role("button", name="Spara").click()

    row = page.get_by_role("row", name="Nyköpings kommun")
    assert "57\xa0000 invånare" in row.inner_text()


def test_second_forsakringskassan_shows_the_message_beside_the_field(page, live_server):
    forbund = factories.complete_forbund(name="Samordningsförbundet Fel", slug="fel")
    membership = factories.kansli(forbund, user__username="kansli-fel")
    login(page, live_server, membership.user.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/f/fel/medlemmar/ny/")
    page.get_by_label("Namn").fill("Försäkringskassan igen")
    page.get_by_label("Slag").select_option("fk")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_role("heading", name="Uppgifterna sparades inte").is_visible()
    assert "det ska vara en" in page.locator(".field.has-error").inner_text()


def test_keyboard_user_reaches_content_through_the_skip_link(page, live_server):
    forbund = factories.complete_forbund(name="Samordningsförbundet Tangent", slug="tangent")
    membership = factories.revisor(forbund, user__username="revisor-tangent")
    login(page, live_server, membership.user.username, factories.PASSWORD)
    page.locator("body").press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "innehall"
