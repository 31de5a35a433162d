"""Real-browser journeys of the year after adoption: a SIE file read in through its preview, a
suggested konto confirmed in the konto map, utfall typed in the grid (with and without
JavaScript), a prognos made, edited and reported, and the follow-up page read by keyboard."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from budgets import services as budget_services
from budgets.models import BudgetCategory
from followup import selectors, services
from tests import factories
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots16")
YEAR = 2027
ACCOUNTS = {
    "1930": "Bank",
    "3010": "Medlemsbidrag Försäkringskassan",
    "5010": "Lokalhyra",
    "5020": "Lokaler",
    "7010": "Löner kansli",
    "6990": "Övriga kostnader",
}


def shot(page, name: str) -> None:
    """A picture of the page at 1280×900 for a person to look at; never part of the assertion."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def plain(text: str) -> str:
    """Text as read aloud: the thousands' and unit's no-break spaces as plain spaces."""
    return re.sub(r"[\xa0\u202f]", " ", text)


def adopted(slug: str):
    """An adopted plan for 2027 (medlemsbidrag 4 mkr, Kansli 1 mkr, Lokaler 240 000 kr) whose
    förbund maps 3010–3099 to Medlemsbidrag, 5010 to Lokaler and 7000–7999 to Kansli."""
    forbund, plan = make_plan(slug)
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Lokaler",
        amounts={(y, "budget"): Decimal(240_000) for y in plan.years},
    )
    adopt_plan(plan)
    refs = selectors.line_refs(selectors.plan_figures(plan))
    text = "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n"
    rows = services.mapping_read("karta.csv", text.encode(), refs)
    services.mapping_set(forbund=forbund, rows=rows, refs=refs, acting_user=None, replace=True)
    return forbund, plan


def months_of(through: int, accounts=ACCOUNTS) -> dict:
    """Each result account books the same amount every month: income negative, costs positive."""
    amounts = {
        "3010": Decimal("-333333.33"),
        "5010": Decimal("20000.00"),
        "5020": Decimal("1500.00"),
        "7010": Decimal("80000.00"),
        "6990": Decimal("1234.56"),
    }
    return {
        (konto, YEAR, month): amounts[konto]
        for konto in accounts
        if konto in amounts
        for month in range(1, through + 1)
    }


def import_sie(forbund, plan, accounts=ACCOUNTS, through: int = 4) -> None:
    refs = selectors.line_refs(selectors.plan_figures(plan))
    preview = services.utfall_preview(
        forbund=forbund,
        year=YEAR,
        file_name="bok.se",
        data=sie_text(accounts, months_of(through, accounts), year=YEAR),
        refs=refs,
    )
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)


def year_url(live_server, forbund, rest: str = "") -> str:
    return f"{live_server.url}/f/{forbund.slug}/uppfoljning/{YEAR}/{rest}"


def logged_in_kansli(page, live_server, forbund):
    person = factories.kansli(forbund, user__username=f"kansli-{forbund.slug}")
    login(page, live_server, person.user.username, factories.PASSWORD)
    return person


def line_row(page, table_id: str, name: str):
    return page.locator(f"#{table_id} tbody tr").filter(
        has=page.get_by_role("rowheader", name=name, exact=True)
    )


def cells_of(row) -> list[str]:
    return [plain(t).strip() for t in row.locator("td").all_inner_texts()]


def test_a_sie_file_is_previewed_per_line_and_month_then_read_in_and_followed_up(page, live_server):
    forbund, plan = adopted("b16-import")
    logged_in_kansli(page, live_server, forbund)
    accounts = {k: v for k, v in ACCOUNTS.items() if k != "5020"}
    data = sie_text(accounts, months_of(2, accounts), year=YEAR)

    page.goto(year_url(live_server, forbund, "las-in/"))
    page.get_by_label("Fil med utfall (SIE 4 eller Excel .xlsx)").set_input_files(
        {"name": "bok.se", "mimeType": "application/octet-stream", "buffer": data}
    )
    page.get_by_role("button", name="Visa vad som ändras").click()
    shot(page, "02-import-preview")

    assert page.get_by_role("heading", name=f"Läs in utfall {YEAR}: bok.se").is_visible()
    changes = page.locator("table", has=page.locator("caption", has_text="per budgetrad och månad"))
    lokaler = [cells_of(r) for r in changes.locator("tbody tr").filter(has_text="Lokaler").all()]
    assert [c[0] for c in lokaler] == ["januari", "februari"]
    assert [c[-1] for c in lokaler] == ["20 000", "20 000"]
    # The file's sum split: 6990 lands on no line, 2 × 1 234,56 kr.
    split = page.locator("section", has=page.get_by_role("heading", name="Filens summa"))
    unmapped = split.get_by_role("row", name="Inte kopplat till någon rad")
    assert "2 469" in plain(unmapped.inner_text())
    assert "Summan stämmer på öret" in split.inner_text()
    loose = page.locator(
        "section", has=page.get_by_role("heading", name="Konton som inte hamnar på någon rad")
    )
    row = loose.get_by_role("row").filter(has=page.get_by_role("rowheader", name="6990"))
    assert "Övriga kostnader" in row.inner_text()

    page.get_by_role("button", name="Läs in bok.se").click()
    page.goto(year_url(live_server, forbund))
    shot(page, "01-follow-up-after-import")
    assert cells_of(line_row(page, "rader", "Lokaler"))[2] == "40 000"
    assert cells_of(line_row(page, "rader", "Kansli"))[2] == "160 000"
    notice = plain(page.get_by_role("status").filter(has_text="hamnar inte på någon").inner_text())
    assert "1 konto hamnar inte på någon budgetrad" in notice


def test_a_suggested_konto_confirmed_with_one_save_moves_onto_its_line(page, live_server):
    forbund, plan = adopted("b16-karta")
    import_sie(forbund, plan, through=2)
    logged_in_kansli(page, live_server, forbund)

    page.goto(year_url(live_server, forbund))
    before = plain(page.get_by_role("status").filter(has_text="hamnar inte på någon").inner_text())
    assert "2 konton hamnar inte på någon budgetrad" in before
    assert cells_of(line_row(page, "rader", "Lokaler"))[2] == "40 000"

    page.goto(year_url(live_server, forbund, "kontokarta/"))
    shot(page, "03-konto-map")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="5020"))
    assert "Förslag, inte sparat" in row.inner_text()
    assert row.get_by_role("combobox").input_value() == "Lokaler"
    page.get_by_role("button", name="Spara kontokartan").click()

    page.goto(year_url(live_server, forbund))
    # 5020's 2 × 1 500 kr is now on Lokaler; only 6990 is left unmapped.
    assert cells_of(line_row(page, "rader", "Lokaler"))[2] == "43 000"
    after = plain(page.get_by_role("status").filter(has_text="hamnar inte på någon").inner_text())
    assert "1 konto hamnar inte på någon budgetrad" in after


def type_two_cells_and_save(page, live_server, forbund) -> None:
    page.goto(year_url(live_server, forbund, "utfall/"))
    page.get_by_label("Lokaler, januari", exact=True).fill("20 000")
    page.get_by_label("Lokaler, februari", exact=True).fill("21500")
    page.get_by_role("button", name="Spara", exact=True).click()


def test_utfall_typed_in_the_grid_is_saved_and_summed_on_its_row(page, live_server):
    forbund, plan = adopted("b16-grid")
    logged_in_kansli(page, live_server, forbund)

    type_two_cells_and_save(page, live_server, forbund)
    shot(page, "04-grid")
    assert "Sparade 2 belopp." in page.inner_text("main")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Lokaler"))
    assert cells_of(row)[-1] == "41 500"
    assert plain(page.get_by_label("Lokaler, februari", exact=True).input_value()) == "21 500"


def test_the_grid_saves_also_without_javascript(browser, live_server):
    forbund, plan = adopted("b16-nojs")
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    try:
        logged_in_kansli(page, live_server, forbund)
        type_two_cells_and_save(page, live_server, forbund)
        assert "Sparade 2 belopp." in page.inner_text("main")
        row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Lokaler"))
        assert cells_of(row)[-1] == "41 500"
    finally:
        context.close()


def test_a_prognos_is_made_after_april_edited_reported_and_then_locked(page, live_server):
    forbund, plan = adopted("b16-prognos")
    import_sie(forbund, plan, through=4)
    logged_in_kansli(page, live_server, forbund)

    page.goto(year_url(live_server, forbund, "prognoser/"))
    shot(page, "05-prognos-list-empty")
    page.get_by_role("link", name="Ny prognos").first.click()
    page.get_by_label("Utfall till och med").select_option("4")
    shot(page, "06-prognos-create")
    page.get_by_role("button", name="Gör prognosen").click()

    amount = page.get_by_label("Prognos Lokaler", exact=True)
    # Prefilled as utfall to date + remaining budget: 4 × 20 000 + 8/12 × 240 000.
    assert plain(amount.input_value()) == "240 000"
    amount.fill("300 000")
    page.get_by_label("Förklaring Lokaler", exact=True).fill("Ny lokal från maj.")
    page.get_by_label("Förklaring Lokaler", exact=True).press("Tab")
    page.get_by_role("button", name="Spara prognosen").click()
    shot(page, "07-prognos-detail-saved")
    assert plain(page.get_by_label("Prognos Lokaler", exact=True).input_value()) == "300 000"

    # Everything else over the threshold is explained before the board sees it.
    for field in page.get_by_label(re.compile(r"^Förklaring ")).all():
        if not field.input_value():
            field.fill("Enligt plan.")
    page.get_by_role("button", name="Spara prognosen").click()
    page.get_by_label("Styrelsemötets datum").fill("2027-05-20")
    page.get_by_label("Protokollsparagraf").fill("§ 14")
    page.get_by_role("button", name="Rapportera till styrelsen").click()
    shot(page, "08-prognos-reported")

    main = plain(page.inner_text("main"))
    assert "prognosen är låst och ändras inte" in main
    assert "§ 14" in main
    assert page.locator("main input:not([type=hidden]), main select, main textarea").count() == 0
    lokaler = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Lokaler"))
    assert "300 000" in plain(lokaler.inner_text())
    assert "Ny lokal från maj." in lokaler.inner_text()

    page.goto(year_url(live_server, forbund))
    shot(page, "09-follow-up-with-prognos")
    assert cells_of(line_row(page, "rader", "Lokaler"))[5] == "300 000"


def test_the_follow_up_page_draws_its_charts_and_is_reached_by_keyboard(page, live_server):
    forbund, plan = adopted("b16-sida")
    import_sie(forbund, plan, through=4)
    logged_in_kansli(page, live_server, forbund)

    page.goto(year_url(live_server, forbund))
    shot(page, "10-follow-up")
    for heading in ("Per rad", "Per grupp", "Eget kapital"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    charts = page.locator("main figure svg")
    assert charts.count() >= 2
    for index in range(charts.count()):
        assert charts.nth(index).locator("title").first.text_content().strip()
    assert page.locator("#eget-kapital tbody tr").count() == len(plan.years)

    reached, focus_visible = [], {}
    for _ in range(80):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.id || e.getAttribute('aria-label') || e.textContent.trim(); }"
        )
        reached.append(name)
        if name in ("manad", "Uppföljning", "Prognoser", "Utfall per månad"):
            focus_visible[name] = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
                " || s.boxShadow !== 'none'; }"
            )
        if "manad" in reached:
            break
    assert {"Uppföljning", "Prognoser", "Utfall per månad", "manad"} <= set(reached)
    assert all(focus_visible.values()), focus_visible

    page.get_by_label("Visa året som det stod").select_option("2")
    page.get_by_role("button", name="Visa", exact=True).click()
    shot(page, "11-follow-up-month-2")
    assert cells_of(line_row(page, "rader", "Lokaler"))[2] == "40 000"


UNFORMATTED = re.compile(r"\b\d{5,}(?:[.,]\d+)?\b|\b\d+\.\d{2}\b")


def test_every_page_of_the_year_has_one_heading_and_amounts_written_the_swedish_way(
    page, live_server
):
    forbund, plan = adopted("b16-sidor")
    import_sie(forbund, plan, through=4)
    follow = selectors.follow_up(plan, month=4)
    prognos = services.prognos_create(
        forbund=forbund, year=YEAR, month=4, follow=follow, methods={}, acting_user=None, note=""
    )
    logged_in_kansli(page, live_server, forbund)
    pages = {
        "20-years": f"{live_server.url}/f/{forbund.slug}/uppfoljning/",
        "21-settings": f"{live_server.url}/f/{forbund.slug}/uppfoljning/installningar/",
        "22-follow-up": year_url(live_server, forbund),
        "23-prognos-list": year_url(live_server, forbund, "prognoser/"),
        "24-prognos-create": year_url(live_server, forbund, "prognoser/ny/"),
        "25-prognos-detail": year_url(live_server, forbund, f"prognoser/{prognos.pk}/"),
        "26-import": year_url(live_server, forbund, "las-in/"),
        "27-konto-map": year_url(live_server, forbund, "kontokarta/"),
        "28-grid": year_url(live_server, forbund, "utfall/"),
        "29-close": year_url(live_server, forbund, "bokslut/"),
    }
    for name, address in pages.items():
        response = page.goto(address)
        shot(page, name)
        assert response.status == 200, name
        assert page.locator("main h1").count() == 1, name
        text = page.evaluate(
            "() => { const m = document.querySelector('main');"
            " m.querySelectorAll('code, select, svg').forEach(e => e.remove());"
            " return m.innerText; }"
        )
        assert not UNFORMATTED.findall(plain(text)), (name, UNFORMATTED.findall(plain(text)))
