"""Creating something happens once: back and resubmit (or a double click) saves nothing the
second time, and a lost race on a unique constraint answers with the form's message."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from budgets.models import BudgetCategory, BudgetLine
from finsam.saving import save_once
from insatser.models_mal import Mal
from plans.forms import PlanForm
from plans.models import Plan
from tests import factories
from tests.helpers import form_values

pytestmark = pytest.mark.django_db


def _token(html: str) -> str:
    return re.search(r'name="engang" value="([0-9a-f]{32})"', html).group(1)


def test_resubmitting_a_new_budget_line_creates_it_once(personas, world):
    plan = world["plan_a"]
    url = reverse("budget_line_create", args=[plan.forbund.slug, plan.pk])
    client = personas["kansli_a"]
    token = _token(client.get(url).content.decode())
    category = BudgetCategory.objects.get(group__forbund=plan.forbund, name="Kansli")
    post = {
        "category": category.pk,
        "name": "Lokalhyra",
        "note": "",
        "decided": "on",
        "engang": token,
    }
    first = client.post(url, post)
    second = client.post(url, post)
    assert first.status_code == 302
    assert BudgetLine.objects.filter(plan=plan, name="Lokalhyra").count() == 1
    assert "Formuläret var redan sparat" in second.content.decode()


def test_a_new_form_gets_a_new_token(personas, world):
    plan = world["plan_a"]
    url = reverse("budget_line_create", args=[plan.forbund.slug, plan.pk])
    first, second = (_token(personas["kansli_a"].get(url).content.decode()) for _ in range(2))
    assert first != second


def test_two_new_plans_for_one_year_posted_twice_give_one_plan(personas, forbund_a):
    url = reverse("plan_create", args=[forbund_a.slug])
    client = personas["kansli_a"]
    token = _token(client.get(url).content.decode())
    post = {"budget_year": "2029", "plan_years": "3", "under_use_percent": "0", "engang": token}
    assert client.post(url, post).status_code == 302
    again = client.post(url, post)
    assert "Formuläret var redan sparat" in again.content.decode()
    assert Plan.objects.filter(forbund=forbund_a, budget_year=2029).count() == 1


def test_a_unique_constraint_lost_to_someone_else_answers_with_the_forms_message(forbund_a):
    form = PlanForm(
        {"budget_year": "2030", "plan_years": "3", "under_use_percent": "0"},
        forbund=forbund_a,
        unit="kr",
        creating=True,
    )
    assert form.is_valid()
    factories.plan(forbund_a, budget_year=2030)  # a colleague's plan lands first
    # The insert after our validation meets the database's unique constraint.
    assert save_once(form, lambda: Plan.objects.create(forbund=forbund_a, budget_year=2030)) is None
    assert "Förbundet har redan en plan för 2030" in form.errors["budget_year"][0]
    assert Plan.objects.filter(forbund=forbund_a, budget_year=2030).count() == 1


def test_a_new_mal_sent_twice_is_saved_once(personas, world):
    plan = world["plan_a"]
    page = reverse("mal_create", args=[plan.forbund.slug, plan.pk])
    client = personas["kansli_a"]
    post = form_values(client.get(page).content.decode())
    post.update({"level": "verksamhet", "text": "Fler i arbete."})
    assert client.post(page, post).status_code == 302
    again = client.post(page, post)
    assert "Formuläret var redan sparat" in again.content.decode()
    assert Mal.objects.filter(plan=plan, text="Fler i arbete.").count() == 1
