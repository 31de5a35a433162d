"""The budget editor's autosave on a slow network (every answer delayed 400 ms): fast typing is
never overwritten by an answer, a wrong cell blocks no other, Enter moves down the column."""

from __future__ import annotations

import time
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from budgets import services as budget_services
from budgets.models import BudgetAmount, BudgetCategory
from tests import factories
from tests.helpers import login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DELAY_S = 0.4
RUNS = 50


def _slow(page):
    def delay(route):
        if route.request.method == "POST":
            time.sleep(DELAY_S)
        route.continue_()

    page.route("**/budget/", delay)


def _open(page, live_server, slug):
    forbund, plan = make_plan(slug)
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    second = budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Lokal",
        amounts={(y, "budget"): Decimal(0) for y in plan.years},
    )
    kansli = factories.kansli(forbund, user__username=f"kansli-{slug}")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    _slow(page)
    page.goto(f"{live_server.url}/f/{slug}/planer/{plan.pk}/budget/")
    first = plan.budget_lines.get(name="Kansli")
    return plan, first, second


def _settle(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(int(DELAY_S * 1000) + 300)
    page.wait_for_load_state("networkidle")


def _stored_once(page, line, year: int, expected: Decimal, seconds: float = 5) -> Decimal:
    """The stored amount once it is `expected`, or as it stands after `seconds`: the save
    leaves on Tab and its answer is delayed, so a fixed wait alone is sometimes too short."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            stored = BudgetAmount.objects.get(line=line, year=year, column="budget").amount.amount
        except OperationalError:  # the live server is writing the shared in-memory database
            stored = None
        if stored == expected or time.monotonic() > deadline:
            return stored
        page.wait_for_timeout(100)


def test_typing_while_an_answer_is_on_its_way_is_never_overwritten(page, live_server):
    plan, first, second = _open(page, live_server, "snabb")
    corrupted = []
    for run in range(RUNS):
        a = page.locator(f'input[name="a-{first.pk}-2027-budget"]')
        a.fill(str(500_000 + run))
        a.press("Tab")  # the save of a leaves; its answer comes 400 ms later
        # Tab selected the next cell (2028): type over it at once, while a's save is away.
        assert page.evaluate("document.activeElement.name") == f"a-{first.pk}-2028-budget"
        page.keyboard.type(str(100 + run), delay=20)
        page.keyboard.press("Tab")
        _settle(page)
        b = page.locator(f'input[name="a-{first.pk}-2028-budget"]')
        if b.input_value() != str(100 + run):
            corrupted.append((run, b.input_value()))
    assert corrupted == []
    # The last figure's save may still be on its way on a loaded machine: read it once it lands.
    assert _stored_once(page, first, 2028, Decimal(100 + RUNS - 1)) == 100 + RUNS - 1


def test_a_wrong_cell_blocks_no_other_and_enter_moves_down(page, live_server):
    plan, first, second = _open(page, live_server, "fel-cell")
    a = page.locator(f'input[name="a-{first.pk}-2027-budget"]')
    a.fill("abc")
    a.press("Enter")  # to the cell below: the next line, same year
    focused = page.evaluate("document.activeElement.name")
    assert focused == f"a-{second.pk}-2027-budget"
    page.keyboard.type("4800")
    page.keyboard.press("Tab")
    _settle(page)
    assert _stored_once(page, second, 2027, Decimal(4800)) == 4800
    assert (
        page.locator(f'input[name="a-{first.pk}-2027-budget"]').get_attribute("aria-invalid")
        == "true"
    )
    assert page.locator(f"#id_a-{first.pk}-2027-budget_error").is_visible()


def _stored(line, year):
    return BudgetAmount.objects.get(line=line, year=year, column="budget").amount.amount


def test_two_fast_edits_and_spara_lose_nothing(page, live_server):
    plan, first, second = _open(page, live_server, "spara-race")
    lost = []
    for trial in range(4):
        a = page.locator(f'input[name="a-{first.pk}-2027-budget"]')
        b = page.locator(f'input[name="a-{second.pk}-2028-budget"]')
        a.fill(str(10_000 + trial))
        b.fill(str(20_000 + trial))  # a's save leaves as the user moves to b
        page.locator("#spara-budget").click()  # while a's answer is still on its way
        _settle(page)
        stored = (
            _stored_once(page, first, 2027, Decimal(10_000 + trial)),
            _stored_once(page, second, 2028, Decimal(20_000 + trial)),
        )
        if stored != (10_000 + trial, 20_000 + trial):
            lost.append((trial, stored))
        # Saved, each shows its figure grouped as a computed figure is: "10\xa0000". On a
        # loaded machine the last answer (of the figure the first answer found still unsent)
        # may come after the settling: wait for it, as the user would, up to five seconds.
        expect(page.locator(f'input[name="a-{first.pk}-2027-budget"]')).to_have_value(
            f"10\xa0{trial:03}", timeout=5000
        )
        expect(page.locator(f'input[name="a-{second.pk}-2028-budget"]')).to_have_value(
            f"20\xa0{trial:03}", timeout=5000
        )
    assert lost == []
    assert page.url.endswith(f"/planer/{plan.pk}/budget/")  # Spara kept the user on the page
    # The last answer says the saves are done: "Sparade 1 belopp." or, when Spara came after
    # the autosave had sent everything, "Alla ändringar är sparade."
    assert "sparade" in page.locator("#editor-status").inner_text().lower()


def test_tab_after_a_rows_last_cell_and_shift_tab_keep_the_reading_order(page, live_server):
    plan, first, second = _open(page, live_server, "tabb")
    last = page.locator(f'input[name="a-{first.pk}-2029-budget"]')
    last.fill("3000")
    last.press("Tab")  # to the row's Ändra link, while the save is on its way
    _settle(page)
    assert page.evaluate("document.activeElement.id") == f"andra-rad-{first.pk}"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == f"a-{second.pk}-2027-budget"
    page.keyboard.type("1200")
    page.keyboard.press("Shift+Tab")  # back to the link of the row above
    _settle(page)
    assert page.evaluate("document.activeElement.id") == f"andra-rad-{first.pk}"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.name") == f"a-{first.pk}-2029-budget"
    assert _stored(first, 2029) == 3000
    assert _stored(second, 2027) == 1200


def test_a_wrong_cell_is_announced_in_the_live_region(page, live_server):
    plan, first, second = _open(page, live_server, "meddelande")
    status = page.locator("#editor-status")
    assert status.get_attribute("role") == "status"
    a = page.locator(f'input[name="a-{first.pk}-2028-budget"]')
    a.fill("12a")
    a.press("Tab")
    _settle(page)
    said = status.inner_text()
    assert "Kunde inte spara" in said and "Kansli" in said and "2028" in said
    assert status.get_attribute("aria-live") == "polite"  # the same region, not a new one
    page.keyboard.type("700")
    page.keyboard.press("Tab")
    _settle(page)
    # The wrong cell still says what is wrong; the right one is saved.
    assert "Kunde inte spara" in status.inner_text()
    assert _stored(first, 2029) == 700
    assert a.input_value() == "12a"


def test_a_save_brings_only_its_changes_and_the_page_then_shows_what_a_reload_shows(
    page, live_server
):
    plan, first, second = _open(page, live_server, "summor")
    result_before = page.locator("#rad-resultat").inner_text()
    cell = page.locator(f'input[name="a-{first.pk}-2027-budget"]')
    cell.fill("1 500 000")
    cell.press("Tab")
    _settle(page)
    assert page.evaluate("document.activeElement.name") == f"a-{first.pk}-2028-budget"
    shown = {
        part: page.locator(part).inner_text()
        for part in (
            "#rad-resultat",
            "#rad-kostnader",
            "#rad-ub",
            "#budget-panels",
            "#budget-checks",
        )
    }
    assert shown["#rad-resultat"] != result_before
    assert cell.input_value() == "1\xa0500\xa0000"
    page.reload()
    assert {part: page.locator(part).inner_text() for part in shown} == shown


def test_after_a_conflict_only_keep_mine_overwrites_the_colleagues_figure(page, live_server):
    plan, first, second = _open(page, live_server, "konflikt")
    # A colleague saves 20 in the cell after this page was opened.
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(first.pk, 2027, "budget"): Decimal(20)}
    )
    cell = page.locator(f'input[name="a-{first.pk}-2027-budget"]')
    cell.fill("25")
    cell.press("Tab")
    _settle(page)
    assert "Inget sparades" in page.locator("#editor-status").inner_text()
    assert cell.input_value() == "20"  # the colleague's figure, with mine beside it
    keep = page.get_by_role("button", name="Behåll mitt värde (25)")
    assert keep.is_visible()
    # Another cell's save does not carry mine along.
    other = page.locator(f'input[name="a-{second.pk}-2027-budget"]')
    other.fill("300")
    other.press("Tab")
    _settle(page)
    assert (_stored(first, 2027), _stored(second, 2027)) == (20, 300)
    assert "Sparade 1 belopp." in page.locator("#editor-status").inner_text()
    # Only my choice for that cell does.
    keep.click()
    _settle(page)
    assert _stored(first, 2027) == 25
    assert cell.input_value() == "25"
    assert page.get_by_role("button", name="Behåll mitt värde (25)").count() == 0


def test_a_save_waiting_in_the_queue_never_sends_the_figure_being_typed(page, live_server):
    """Half a figure is never stored: a save that leaves the queue while the user types in
    another cell does not send that cell; it is sent, whole, when they leave it."""
    plan, first, second = _open(page, live_server, "halvt")
    bodies = []
    page.on("request", lambda r: bodies.append(r.post_data or "") if r.method == "POST" else None)
    a = page.locator(f'input[name="a-{first.pk}-2027-budget"]')
    a.fill("1111")
    a.press("Tab")  # its save leaves; the answer comes 400 ms later
    page.keyboard.type("2222")
    page.keyboard.press("Tab")  # this save waits in the queue for the first answer
    page.keyboard.type("45600", delay=150)  # the waiting save leaves while this is typed
    page.keyboard.press("Tab")
    _settle(page)
    name = f"a-{first.pk}-2029-budget"
    sent = [parse_qs(body).get(name, [None])[0] for body in bodies]
    assert {value for value in sent if value is not None} == {"45600"}
    assert _stored_once(page, first, 2029, Decimal(45600)) == 45600
    assert _stored(first, 2027) == 1111 and _stored(first, 2028) == 2222
