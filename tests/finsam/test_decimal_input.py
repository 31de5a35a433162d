"""Decimal numbers (percentages, fördelningstal, mätvärden) typed Swedish style: "4,5" is four
and a half wherever it is typed, never 45 and never refused."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from finsam.fields import DecimalField
from tests.helpers import form_values
from tests.matrix_rows import ROWS

FORM_PAGES = sorted(
    name for name, row in ROWS.items() if row.writes and row.expect.get("kansli_a") == 200
)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("4,5", Decimal("4.5")),
        ("4.5", Decimal("4.5")),
        ("4,5 %", Decimal("4.5")),
        (" 12,25% ", Decimal("12.25")),
        ("60", Decimal(60)),
        ("0,05", Decimal("0.05")),
    ],
)
def test_a_decimal_comma_is_read_as_four_and_a_half(typed, read):
    assert DecimalField(max_digits=5, decimal_places=2).clean(typed) == read


@pytest.mark.parametrize("typed", ["4,5,1", "4.500,5", "abc", "4,5.0"])
def test_a_number_that_is_not_one_is_refused(typed):
    with pytest.raises(ValidationError):
        DecimalField(max_digits=5, decimal_places=2).clean(typed)


def test_a_stored_decimal_is_shown_with_a_comma_in_a_text_box():
    field = DecimalField(max_digits=5, decimal_places=2)
    html = field.widget.render("p", field.prepare_value(Decimal("4.50")))
    assert 'type="text"' in html
    assert 'value="4,50"' in html
    assert 'inputmode="decimal"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", FORM_PAGES)
def test_no_form_offers_a_browser_number_box_for_a_decimal(url_name, personas, world):
    # A number box reads "4,5" by the browser's language: as 45, or not at all.
    html = personas["kansli_a"].get(reverse(url_name, kwargs=ROWS[url_name].kwargs(world)))
    boxes = re.findall(r'<input[^>]*type="number"[^>]*>', html.content.decode())
    assert [box for box in boxes if 'step="any"' in box or 'step="0.' in box] == []


@pytest.mark.django_db
def test_four_comma_five_percent_as_a_years_ceiling_is_stored_as_four_and_a_half(personas, world):
    plan = world["plan_a"]
    client = personas["kansli_a"]
    url = reverse("budget_years", kwargs={"slug": plan.forbund.slug, "pk": plan.pk})
    row = plan.year_rows.order_by("year", "column").first()
    post = {**form_values(client.get(url).content.decode()), f"y{row.pk}-ceiling_percent": "4,5"}
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.ceiling_percent == Decimal("4.5")
    page = client.get(url).content.decode()
    assert f'name="y{row.pk}-ceiling_percent" value="4,50"' in page
