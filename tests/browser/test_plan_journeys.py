"""Real-browser journeys of the budget and the plan: inline editing with htmx, and the way
from draft to adopted plan across the office and the board."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests import factories
from tests.helpers import login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_an_amount_recomputes_the_budget_in_place(page, live_server):
    forbund, plan = make_plan("htmx")
    kansli = factories.kansli(forbund, user__username="kansli-htmx")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/f/htmx/planer/{plan.pk}/budget/")
    result_row = page.get_by_role("row", name="Årets resultat")
    assert "3 000 000" in result_row.inner_text().replace("\xa0", " ")

    page.evaluate("window.__same_page = true")
    cell = page.get_by_label("Kansli, Budget 2027")
    cell.fill("1 500 000")
    cell.press("Tab")  # leaving the cell sends the change
    page.wait_for_function(
        "() => document.querySelector('tr.row-result').innerText.replace(/\\u00a0/g, ' ').includes('2 500 000')"
    )
    assert page.evaluate("window.__same_page") is True  # no page load: htmx swapped the part
    # the focus moved on to the next cell and stays there after the swap
    assert (
        page.evaluate("document.activeElement.name")
        == f"a-{plan.budget_lines.get().pk}-2028-budget"
    )
    member = page.get_by_role("row", name="varav Försäkringskassan")
    assert "2 000 000" in member.inner_text().replace("\xa0", " ")


def test_the_plan_goes_from_draft_to_adopted_with_its_archived_pdf(page, live_server, browser):
    forbund, plan = make_plan("beslut")
    kansli = factories.kansli(forbund, user__username="kansli-beslut")
    chair = factories.ledamot(forbund, chair=True, user__username="ordf-beslut")
    revisor = factories.revisor(forbund, user__username="revisor-beslut")

    login(page, live_server, kansli.user.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/f/beslut/planer/{plan.pk}/")
    page.get_by_role("button", name="Lämna in till styrelsen").click()
    assert "inlämnad till styrelsen" in page.locator(".messages").inner_text()

    board = browser.new_context(locale="sv-SE").new_page()
    login(board, live_server, chair.user.username, factories.PASSWORD)
    board.goto(f"{live_server.url}/f/beslut/planer/{plan.pk}/")
    board.get_by_label("Godkänner").check()
    board.get_by_role("button", name="Registrera").click()
    board.get_by_role("link", name="Registrera styrelsens beslut att anta planen").click()
    board.get_by_label("Sammanträdesdatum").fill("2026-11-20")
    board.get_by_label("Protokollsparagraf").fill("§108")
    board.get_by_label("Diarienummer").fill("65/26")
    board.get_by_label("(ledamot)").check()  # the chair, the board's one ledamot, was there
    if board.locator("input[name=empty_ok]").count():
        board.locator("input[name=empty_ok]").check()  # the default outline's empty sections
    board.get_by_role("button", name="Registrera beslutet").click()
    assert (
        "Antagen av styrelsen den 20 november 2026, §108, Dnr 65/26"
        in board.locator("main").inner_text()
    )

    # No worker runs in this test: render the queued archival copy as the worker would.
    from plans.models import PlanPdf
    from plans.tasks import render_plan_pdf_task

    queued = PlanPdf.objects.get(plan=plan, kind="antagen")
    render_plan_pdf_task.call(queued.pk)

    auditor = browser.new_context(locale="sv-SE").new_page()
    login(auditor, live_server, revisor.user.username, factories.PASSWORD)
    auditor.goto(f"{live_server.url}/f/beslut/arkiv/")
    queued.refresh_from_db()
    assert queued.sha256 in auditor.locator("main").inner_text()
    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="Hämta pdf").click()
    content = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == queued.sha256


def test_adoption_with_an_open_request_for_changes_is_confirmed_before_it_is_registered(
    page, live_server
):
    from plans import workflow
    from plans.models import PlanStatus

    forbund, plan = make_plan("invand")
    kansli = factories.kansli(forbund, user__username="kansli-invand")
    chair = factories.ledamot(forbund, chair=True, user__username="ordf-invand")
    member = factories.ledamot(forbund, user__username="ledamot-invand")
    workflow.plan_submit(plan=plan, acting_user=kansli.user)
    workflow.plan_review(plan=plan, acting_user=chair.user, decision="godkand")
    workflow.plan_review(
        plan=plan, acting_user=member.user, decision="andringar", comment="Lägg till en riskanalys."
    )

    login(page, live_server, chair.user.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/f/invand/planer/{plan.pk}/")
    assert (
        "Förberedelse: 1 av 2 ordinarie ledamöter har godkänt" in page.locator("main").inner_text()
    )
    page.get_by_role("link", name="Registrera styrelsens beslut att anta planen").click()
    open_items = page.get_by_role("region", name="Öppet före beslutet")
    assert "Lägg till en riskanalys." in open_items.inner_text()
    assert member.user.get_full_name() in open_items.inner_text()
    page.get_by_label("Sammanträdesdatum").fill("2026-11-20")
    page.get_by_label("Protokollsparagraf").fill("§108")
    present = page.get_by_role("group", name="Närvarande ordinarie ledamöter och ersättare")
    for box in present.get_by_role("checkbox").all():
        box.check()
    if page.locator("input[name=empty_ok]").count():
        page.locator("input[name=empty_ok]").check()  # the default outline's empty sections
    page.get_by_role("button", name="Registrera beslutet").click()
    seen = page.get_by_label("Jag har sett den begärda ändringen ovan", exact=True)
    refusal = page.locator(".has-error", has=seen)
    assert "Bekräfta att du har sett den begärda ändringen innan" in refusal.inner_text()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.INLAMNAD

    seen.check()
    page.get_by_role("button", name="Registrera beslutet").click()
    assert "Antagen av styrelsen den 20 november 2026, §108" in page.locator("main").inner_text()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ANTAGEN
