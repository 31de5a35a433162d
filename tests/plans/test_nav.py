"""Each page marks its own tab of the navigation, as the view declares it (@nav)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _current_tabs(html: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("url_name", "extra", "tab"),
    [
        ("plan_detail", (), "Översikt"),
        ("budget_line_create", (), "Budget"),
        ("section_create", (), "Dokument"),
        ("insats_create", (), "Insatser"),
        ("mal_create", (), "Mål och indikatorer"),
        ("plan_history", (), "Historik"),
    ],
)
def test_a_plan_page_marks_its_tab_and_the_plans_in_the_forbund_nav(
    personas, world, url_name, extra, tab
):
    plan = world["plan_a"]
    html = personas["kansli_a"].get(reverse(url_name, args=[plan.forbund.slug, plan.pk, *extra]))
    assert _current_tabs(html.content.decode()) == ["Planer och budget", tab]


def test_a_forbund_page_marks_its_tab(personas, world):
    slug = world["forbund_a"].slug
    html = personas["kansli_a"].get(reverse("budget_group_edit", args=[slug, world["group_a"].pk]))
    assert _current_tabs(html.content.decode()) == ["Budgetkategorier"]
