"""A footnote on a year's targets ("Eget kapital ska vara högst 20 % av medlemsbidraget¹" with
"¹ Enligt Nationella rådets rekommendation") stays a numbered footnote at the ceiling and floor,
in the PDF as on the pages, and never becomes a row of the table (issue [14])."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets.selectors import plan_figures
from budgets.services import budget_years_update
from budgets.summary import summary, text_summary
from budgets.tables import target_notes, target_rows
from finsam.models import AuditEvent
from plans import services as plan_services
from plans.pdf import render_plan_pdf
from tests.helpers import form_values, text_of, url

pytestmark = pytest.mark.django_db

NOTE = "Enligt Nationella rådets rekommendation"


@pytest.fixture
def kansli(personas):
    return personas["kansli_a"]


def _noted(plan):
    """Every plan year with a ceiling of 20 %, a floor of 100 000 and the same footnote."""
    budget_years_update(
        plan=plan,
        acting_user=None,
        rows={
            row.pk: {
                "ceiling_percent": Decimal(20),
                "floor_amount": Decimal(100_000),
                "target_note": NOTE,
            }
            for row in plan.year_rows.filter(column="budget")
        },
    )
    return plan


def test_the_kansli_writes_the_footnote_on_mal_och_balans_and_it_is_recorded(kansli, world):
    plan = world["plan_a"]
    row = plan.year_rows.get(year=2027, column="budget")
    page = kansli.get(url("budget_years", plan)).content.decode()
    assert "Fotnot till målen för eget kapital" in page
    post = form_values(page) | {f"y{row.pk}-target_note": NOTE}
    assert kansli.post(url("budget_years", plan), post).status_code == 302
    row.refresh_from_db()
    assert row.target_note == NOTE
    event = AuditEvent.objects.filter(action="budgetyear.update").latest("pk")
    assert event.changes["target_note"] == ["", NOTE]


def test_a_post_without_the_footnote_keeps_it(kansli, world):
    plan = _noted(world["plan_a"])
    row = plan.year_rows.get(year=2027, column="budget")
    post = form_values(kansli.get(url("budget_years", plan)).content.decode())
    del post[f"y{row.pk}-target_note"]
    post[f"y{row.pk}-ceiling_percent"] = "15"
    assert kansli.post(url("budget_years", plan), post).status_code == 302
    row.refresh_from_db()
    assert (row.ceiling_percent, row.target_note) == (Decimal(15), NOTE)


def test_the_pdf_numbers_the_footnote_at_the_ceiling_and_floor_and_lists_it_below(clean_plan):
    plan = _noted(clean_plan)
    lines = [
        " ".join(x.split()) for x in text_of(render_plan_pdf(plan, draft=True).content).splitlines()
    ]
    # 20 % of 4 000 000 per year; one footnote, written once for every year, is number 1.
    assert any(x.startswith("Tak för eget kapital") and x.count("800 0001)") == 3 for x in lines)
    assert any(x.startswith("Golv för eget kapital") and x.count("100 0001)") == 3 for x in lines)
    assert f"1) {NOTE}" in lines
    # Never a row of the table with its text as the label.
    assert not any(x.startswith(NOTE) for x in lines)


def test_the_page_links_each_number_to_its_footnote(clean_plan, kansli):
    plan = _noted(clean_plan)
    page = kansli.get(url("budget_statements", plan)).content.decode()
    assert page.count('<a href="#mal-fotnot-1" aria-label="fotnot 1">1)</a>') == 6
    assert f'<li id="mal-fotnot-1" value="1">{NOTE}</li>' in page


def test_years_with_different_footnotes_get_different_numbers_and_a_year_without_none(
    clean_plan,
):
    plan = clean_plan
    rows = {r.year: r for r in plan.year_rows.filter(column="budget")}
    budget_years_update(
        plan=plan,
        acting_user=None,
        rows={
            rows[2027].pk: {"ceiling_percent": Decimal(20), "target_note": NOTE},
            rows[2028].pk: {"ceiling_percent": Decimal(20), "target_note": "Beslut i styrelsen."},
            rows[2029].pk: {"ceiling_percent": Decimal(20)},
        },
    )
    figures = plan_figures(plan)
    ceiling = next(r for r in target_rows(figures) if r.label == "Tak för eget kapital")
    assert [number for _, _, number in ceiling.cells] == [1, 2, None]
    assert target_notes(figures) == [(1, NOTE), (2, "Beslut i styrelsen.")]


def test_plan_summary_carries_the_footnote_per_year(clean_plan):
    figures = plan_figures(_noted(clean_plan))
    data = summary(figures)
    assert [y["targets"]["note"] for y in data["years"]] == [NOTE] * 3
    text = text_summary(figures)
    assert f"1) {NOTE}" in text
    text = text.replace("\xa0", " ")
    ceiling = next(x for x in text.splitlines() if x.strip().startswith("Tak för eget kapital"))
    assert ceiling.count("800 000 1)") == 3


def test_a_carried_plan_keeps_the_footnote_of_the_year_it_starts_from(clean_plan):
    plan = _noted(clean_plan)
    later = plan_services.plan_create(
        forbund=plan.forbund, acting_user=None, budget_year=2028, source=plan
    )
    assert {r.year: r.target_note for r in later.year_rows.filter(column="budget")} == {
        2028: NOTE,
        2029: NOTE,
        2030: NOTE,
    }
