"""A board member's phone: at 390 × 844 no page scrolls sideways as a whole, only a table in
its own box, and the page's heading stands on the first screen, not below the navigation."""

from __future__ import annotations

import os

import pytest

from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
SLUG = "sodra-vatterbygden"

# The page's whole width, and the top of the first heading of its content (main's h1, else h2).
MEASURE = """() => {
  const heading = document.querySelector('main h1, main h2');
  return {
    width: document.documentElement.scrollWidth,
    top: heading ? heading.getBoundingClientRect().top + window.scrollY : null,
  };
}"""


def main_pages(plan_pk: int) -> list[str]:
    base = f"/f/{SLUG}/planer/{plan_pk}/"
    return [
        "/",
        f"/f/{SLUG}/",
        f"/f/{SLUG}/planer/",
        base,
        base + "dokument/",
        base + "budget/",
        base + "budget/rapporter/",
        base + "insatser/",
        base + "mal/",
        base + "malgrupper/",
        base + "arshjul/",
        base + "historik/",
        base + "versioner/",
        f"/f/{SLUG}/arkiv/",
        f"/f/{SLUG}/logg/",
    ]


def measure(page, url: str) -> dict:
    page.goto(url)
    return page.evaluate(MEASURE)


def offers_result(page, url: str) -> dict:
    page.goto(url)
    for field in page.locator("main form input[name^='m-']").all():
        field.fill("1 000 000")
    page.get_by_role("button", name="Räkna").click()
    page.get_by_role("heading", name="Resultat för").wait_for()
    return page.evaluate(MEASURE)


@pytest.mark.parametrize("username", [f"kansli-{SLUG}", f"ordforande-{SLUG}"])
def test_no_main_page_scrolls_sideways_on_a_phone_and_its_heading_is_on_the_first_screen(
    browser, live_server, username
):
    from plans.demo import load_demo
    from plans.models import Plan

    load_demo()
    plan = Plan.objects.get(forbund__slug=SLUG, budget_year=2020)
    context = browser.new_context(locale="sv-SE", viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    try:
        login(page, live_server, username, "finsam-demo")
        found = {path: measure(page, live_server.url + path) for path in main_pages(plan.pk)}
        offers = f"/f/{SLUG}/planer/{plan.pk}/budget/erbjudanden/"
        found[offers + " (resultat)"] = offers_result(page, live_server.url + offers)
    finally:
        context.close()
    if os.environ.get("FINSAM_PHONE_REPORT"):
        for path, seen in found.items():
            print(f"{username} {path}: {seen['width']} px wide, heading at {seen['top']}")
    too_wide = {path: seen["width"] for path, seen in found.items() if seen["width"] > WIDTH}
    assert not too_wide, f"Scrolls sideways as a whole at {WIDTH} px: {too_wide}"
    below = {
        path: seen["top"] for path, seen in found.items() if not (seen["top"] or HEIGHT) < HEIGHT
    }
    assert not below, f"The first heading is not on the first screen: {below}"


# Each thing a finger presses to do the page's main work: a radio or checkbox counts by its label
# (pressing the label ticks the box), a Kommentera by its summary, a button by itself.
TARGETS = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const target = el.matches('input')
    ? (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label') || el
    : el;
  return {name: (target.innerText || el.name || '').trim(), height: target.getBoundingClientRect().height};
})"""


def phone_page(page, url: str, targets: str) -> dict:
    page.goto(url)
    seen = page.evaluate(MEASURE)
    seen["targets"] = page.evaluate(TARGETS, targets)
    return seen


def test_review_and_adoption_fit_a_phone_with_targets_a_finger_can_press(browser, live_server):
    from plans import workflow
    from tests import factories
    from tests.helpers import make_plan

    forbund, plan = make_plan("telefon")
    kansli = factories.kansli(forbund, user__username="kansli-telefon")
    chair = factories.ledamot(forbund, chair=True, user__username="ordf-telefon")
    factories.ledamot(forbund, user__username="ledamot-telefon")
    factories.ersattare(forbund, user__username="ersattare-telefon")
    workflow.plan_submit(plan=plan, acting_user=kansli.user)
    base = f"{live_server.url}/f/telefon/planer/{plan.pk}/"
    context = browser.new_context(locale="sv-SE", viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    try:
        login(page, live_server, chair.user.username, factories.PASSWORD)
        found = {
            "granskning": phone_page(
                page, base, ".review-form input[type=radio], .review-form button"
            ),
            "dokument": phone_page(page, base + "dokument/", "details > summary"),
            "beslut": phone_page(
                page, base + "anta/", "main form input[type=checkbox], main form button"
            ),
        }
    finally:
        context.close()
    assert [t["name"] for t in found["granskning"]["targets"]][:2] == [
        "Godkänner",
        "Begär ändringar",
    ]
    assert any(t["name"].startswith("Kommentera") for t in found["dokument"]["targets"])
    assert len(found["beslut"]["targets"]) >= 4  # three on the board, the button
    for name, seen in found.items():
        assert seen["width"] <= WIDTH, f"{name} scrolls sideways as a whole: {seen['width']} px"
        assert seen["top"] is not None and seen["top"] < HEIGHT, f"{name}: heading at {seen['top']}"
        small = [t for t in seen["targets"] if t["height"] < 44]
        assert not small, f"{name}: targets under 44 px: {small}"


# Each cell of a number that wraps onto a second line ("7 3" above "78"), by its text.
WRAPPED_NUMBERS = """(selector) => Array.from(document.querySelectorAll(selector)).filter((cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
  return tops.size > 1;
}).map((cell) => cell.innerText)"""

# Where the confirmation box sits against its label, and how tall the Avbryt link is.
ADOPT_FORM = """() => {
  const box = document.querySelector('input[name=objections_seen]');
  const label = document.querySelector(`label[for="${box.id}"]`);
  const b = box.getBoundingClientRect(), l = label.getBoundingClientRect();
  const cancel = Array.from(document.querySelectorAll('main form a')).find((a) => a.innerText.trim() === 'Avbryt');
  return {box_left_of_label: b.right <= l.left, box_beside_label: b.top < l.bottom && b.bottom > l.top,
          cancel_height: cancel.getBoundingClientRect().height};
}"""


def test_a_plan_with_positions_taken_and_mal_with_indikatorer_fits_a_phone(browser, live_server):
    from insatser.models import Indikator
    from plans import workflow
    from tests import factories
    from tests.helpers import make_plan

    forbund, plan = make_plan("telefon-mal")
    kansli = factories.kansli(forbund)
    chair = factories.ledamot(forbund, chair=True, user__username="ordf-telefon-mal")
    member = factories.ledamot(forbund, user__first_name="Ledamot", user__last_name="Sundsvall")
    indikator = {"kind": "antal", "target_value": 100, "source": "sus"}
    # The walk's own words: a cell's long word sets the table's least width
    factories.mal(
        plan,
        text="Fortsätta utveckla samverkansstrukturen kring förbundet.",
        indikatorer=[
            Indikator(
                description="Parternas bedömning av samverkansstrukturen",
                kind="text",
                target_text="Sammanställs i förbundets årsredovisning",
                source="nns",
            )
        ],
    )
    insats = factories.insats(plan, name="Finsam-team")
    factories.mal(
        plan,
        insats=insats,
        text="Deltagarna kommer närmare arbetsmarknaden.",
        indikatorer=[Indikator(description="Deltagare med förflyttning", **indikator)],
    )
    workflow.plan_submit(plan=plan, acting_user=kansli.user)
    workflow.plan_review(
        plan=plan,
        acting_user=member.user,
        decision="andringar",
        comment="Motiveringen till underskott handlar om 2022, inte 2023. Uppdatera.",
    )
    base = f"{live_server.url}/f/telefon-mal/planer/{plan.pk}/"
    context = browser.new_context(locale="sv-SE", viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    try:
        login(page, live_server, chair.user.username, factories.PASSWORD)
        found = {"översikt": measure(page, base)}
        positions = page.get_by_role(
            "region", name="Styrelsens ställningstaganden i denna omgång"
        ).count()
        wrapped = page.evaluate(WRAPPED_NUMBERS, "td.num")
        found["dokument"] = measure(page, base + "dokument/")
        indikatorer = page.get_by_role("region", name="Indikatorer för målet").count()
        found["mål"] = measure(page, base + "mal/")
        page.goto(base + "anta/")
        adopt = page.evaluate(ADOPT_FORM)
        found["beslut"] = page.evaluate(MEASURE)
    finally:
        context.close()
    too_wide = {name: seen["width"] for name, seen in found.items() if seen["width"] > WIDTH}
    assert not too_wide, f"Scrolls sideways as a whole at {WIDTH} px: {too_wide}"
    assert positions == 1 and indikatorer == 2, (positions, indikatorer)
    assert not wrapped, f"Numbers broken over two lines: {wrapped}"
    assert adopt["box_left_of_label"] and adopt["box_beside_label"], adopt
    assert adopt["cancel_height"] >= 44, f"Avbryt is {adopt['cancel_height']} px tall"


def test_the_shares_of_costs_show_every_year_on_a_laptop(browser, live_server):
    from plans.demo import load_demo
    from plans.models import Plan

    load_demo()
    plan = Plan.objects.get(forbund__slug="sundsvall", budget_year=2022)
    context = browser.new_context(locale="sv-SE", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server, "kansli-sundsvall", "finsam-demo")
        page.goto(f"{live_server.url}/f/sundsvall/planer/{plan.pk}/budget/rapporter/")
        box = page.get_by_role("region", name="Andel av summa kostnader per slag av kostnad")
        hidden = box.evaluate("(el) => el.scrollWidth - el.clientWidth")
        columns = box.locator("thead th").all_inner_texts()
    finally:
        context.close()
    assert columns[-1] == f"Plan {plan.last_year}", columns
    assert hidden <= 0, f"The table's last {hidden} px are hidden in its box at 1366 px"
