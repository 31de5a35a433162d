"""A long budget table scrolled in its box keeps its header row on top and its Post column on
the left, on a phone and on a desk; on a phone the editor's grid is that box (one year at a
time is the box scrolled sideways, the row names staying)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import grow, login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Scrolls the table's box to its far corner and tells, for the Post header, the last year's
# header, the last row's name and the last group's name, whether it lies inside the box's visible
# part and is what a finger at its middle would touch (not a figure painted over it).
SCROLL_AND_LOOK = """(box) => {
  box.scrollIntoView({block: 'end'});
  box.scrollTop = box.scrollHeight;
  box.scrollLeft = box.scrollWidth;
  const seen = box.getBoundingClientRect();
  const inner = {top: seen.top + box.clientTop, left: seen.left + box.clientLeft};
  inner.bottom = inner.top + box.clientHeight;
  inner.right = inner.left + box.clientWidth;
  const look = (cell) => {
    const r = cell.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return {
      text: cell.innerText.trim(),
      inside: r.top >= inner.top - 0.5 && r.bottom <= inner.bottom + 0.5
        && r.left >= inner.left - 0.5 && r.right <= inner.right + 0.5,
      on_top: cell.contains(document.elementFromPoint(x, y)),
    };
  };
  const last = (selector) => Array.from(box.querySelectorAll(selector)).pop();
  return {
    scrolled_down: box.scrollTop,
    scrolled_right: box.scrollLeft,
    page_width: document.documentElement.scrollWidth,
    cells: [
      look(box.querySelector('thead th:first-child')),
      look(last('thead th.num')),
      look(last('tbody th[scope=row]')),
      look(last('tbody tr.group-head th > span')),
    ],
  };
}"""


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 800)])
def test_a_long_budget_table_keeps_its_header_and_row_names_in_view_when_scrolled(
    browser, live_server, width, height
):
    forbund, plan = make_plan("rulla")
    grow(plan, 40)
    kansli = factories.kansli(forbund, user__username="kansli-rulla")
    base = f"{live_server.url}/f/rulla/planer/{plan.pk}/"
    context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": height})
    page = context.new_page()
    found = {}
    try:
        login(page, live_server, kansli.user.username, factories.PASSWORD)
        for name, path in [
            ("editor", "budget/"),
            ("rapporter", "budget/rapporter/"),
            ("dokument", "dokument/"),
        ]:
            page.goto(base + path)
            box = page.get_by_role("region", name=f"Budget {plan.period}, belopp i kr")
            found[name] = box.evaluate(SCROLL_AND_LOOK)
            if name == "editor":
                page.screenshot(path=f"/tmp/j4_scrolled_{width}.png")
    finally:
        context.close()
    for name, seen in found.items():
        assert seen["cells"][0]["text"] == "Post"
        assert seen["scrolled_down"] > 0, f"{name}: the table's box does not scroll down"
        if width < 400:
            assert seen["scrolled_right"] > 0, f"{name}: the table fits; nothing was scrolled"
            assert seen["page_width"] <= width, f"{name}: the page scrolls sideways as a whole"
        hidden = [c for c in seen["cells"] if not (c["inside"] and c["on_top"])]
        assert not hidden, f"{name} at {width} px, scrolled: out of sight {hidden}"
