""" "Ny budgetrad" brings the kansli back to the editor at the new row, ready for its figures."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from budgets.models import BudgetCategory, BudgetLine
from tests.helpers import editor_url

pytestmark = pytest.mark.django_db


def test_a_new_line_lands_on_its_own_row_with_a_cell_to_type_in(personas, world):
    plan = world["plan_a"]
    category = BudgetCategory.objects.get(group__forbund=plan.forbund, name="Kansli")
    client = personas["kansli_a"]

    response = client.post(
        reverse("budget_line_create", args=[plan.forbund.slug, plan.pk]),
        {"category": category.pk, "name": "Lokalhyra", "note": "", "decided": "on"},
    )

    line = BudgetLine.objects.get(plan=plan, name="Lokalhyra")
    assert response.status_code == 302
    assert response["Location"] == f"{editor_url(plan)}#rad-line-{line.pk}"
    html = client.get(editor_url(plan)).content.decode()
    row = re.search(rf'<tr[^>]*id="rad-line-{line.pk}"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None
    assert re.search(r'<input[^>]*class="[^"]*amount', row.group(1))
