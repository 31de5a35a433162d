"""WCAG 2.1 A and AA, checked by axe-core in a real browser on the pages people use most."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}"


def violations(page) -> list[str]:
    # Evaluated by the test, not added as an inline <script>: the app's CSP refuses those.
    page.evaluate(AXE + "\n;undefined")
    result = page.evaluate(f"axe.run(document, {RULES})")
    assert result["passes"], "axe ran no rules"
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def test_the_main_pages_have_no_wcag_violations(page, live_server):
    from plans.demo import load_demo
    from plans.models import Plan

    load_demo()
    plan = Plan.objects.get(forbund__slug="sodra-vatterbygden", budget_year=2020)
    login(page, live_server, "kansli-sodra-vatterbygden", "finsam-demo")
    base = f"/f/sodra-vatterbygden/planer/{plan.pk}/"
    pages = [
        "/",
        "/f/sodra-vatterbygden/",
        "/f/sodra-vatterbygden/medlemmar/ny/",
        base,
        base + "budget/",
        base + "dokument/",
        base + "rapporter/",
        base + "ar/",
        base + "erbjudanden/",
        base + "insatser/",
        base + "risker/",
        base + "mal/",
        "/f/sodra-vatterbygden/arkiv/",
    ]
    found = {}
    for path in pages:
        page.goto(live_server.url + path)
        problems = violations(page)
        if problems:
            found[path] = problems
    assert not found, found


def test_error_messages_are_accessible_too(page, live_server):
    from tests import factories

    forbund = factories.complete_forbund(name="Samordningsförbundet Fel", slug="felsida")
    factories.kansli(forbund, user__username="kansli-felsida")
    login(page, live_server, "kansli-felsida", factories.PASSWORD)
    page.goto(f"{live_server.url}/f/felsida/medlemmar/ny/")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_role("heading", name="Uppgifterna sparades inte").is_visible()
    assert violations(page) == []
