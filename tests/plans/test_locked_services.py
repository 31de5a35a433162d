"""Every service that writes a plan's budget or document refuses a plan that is submitted or
adopted (PlanLocked) and changes nothing. The services are found by introspection, so a new one
is covered, or must be named below with the reason it may act on such a plan."""

from __future__ import annotations

import inspect
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from budgets import services as budget_services
from budgets.models import BudgetLine
from finsam.models import AuditEvent
from plans import services as plan_services
from plans import workflow
from plans.excel import importer
from plans.excel.reader import read_upload
from plans.excel.template import template_workbook
from plans.models import ArshjulEvent, Plan, PlanLocked, PlanStatus, Section

pytestmark = pytest.mark.django_db

MODULES = (budget_services, plan_services, workflow, importer)

# The writing services that legitimately act on a plan that is not a draft, or on no plan.
NOT_OF_A_DRAFT = {
    "submit": "the review's step: submitting is what makes a draft submitted",
    "send_back": "the review's step: returns a submitted document to the kansli",
    "review": "the review's step: the styrelse takes a stand on a submitted document",
    "adopt": "the review's step: adopts a submitted document",
    "plan_submit": "the review's step for a plan (submit)",
    "plan_return": "the review's step for a plan (send_back)",
    "plan_review": "the review's step for a plan (review)",
    "plan_adopt": "the review's step for a plan (adopt)",
    "comment_add": "the review is commented while the plan is submitted",
    "comment_resolve": "a submitted plan's comments are resolved during the review",
    "plan_revise": "makes a new draft of an adopted plan; the adopted one stays as it is",
    "plan_create_from": "makes a new draft carried forward from any plan",
    "plan_create": "makes a new draft for a förbund; no existing plan is written",
    "pdf_request": "a PDF of a submitted plan is read for the review, not a change of it",
    "budget_groups_default": "the förbund's budget groups, shared by all its plans",
    "budget_structure_save": "the förbund's budget groups and categories, shared by all plans",
    "budget_category_delete": "the förbund's categories; one a line uses cannot be removed",
}


def writing_services() -> dict[str, object]:
    """Every public function of the writing modules that takes acting_user."""
    found = {}
    for module in MODULES:
        for name, function in vars(module).items():
            if (
                not name.startswith("_")
                and inspect.isfunction(function)
                and function.__module__ == module.__name__
                and "acting_user" in inspect.signature(function).parameters
            ):
                found[name] = function
    return found


# How each service is asked to change the world's plan (tests/conftest.py); each call would
# change something in a draft.
CALLS = {
    "budget_line_create": lambda plan, world: {
        "plan": plan,
        "category": world["category_a"],
        "name": "Ny rad",
        "amounts": {(2027, "budget"): Decimal(100)},
    },
    "budget_line_update": lambda plan, world: {
        "line": BudgetLine.objects.get(pk=world["line_a"].pk),
        "data": {"name": "Kapad"},
    },
    "budget_amount_notes_set": lambda plan, world: {
        "line": BudgetLine.objects.get(pk=world["line_a"].pk),
        "notes": {(2027, "budget"): "Fotnot"},
    },
    "budget_line_delete": lambda plan, world: {
        "line": BudgetLine.objects.get(pk=world["line_a"].pk)
    },
    "budget_figures_set": lambda plan, world: {
        "plan": plan,
        "amounts": {(world["line_a"].pk, 2027, "budget"): Decimal(900)},
        "medlemsbidrag": {(2027, "budget"): Decimal(1000)},
    },
    "budget_years_update": lambda plan, world: {
        "plan": plan,
        "rows": {plan.year_rows.get(year=2027).pk: {"ceiling_percent": Decimal(12)}},
    },
    "summary_lines_ensure": lambda plan, world: {"plan": plan},
    "plan_update": lambda plan, world: {"plan": plan, "data": {"deficit_reason": "Kapad"}},
    "section_save": lambda plan, world: {
        "section": Section.objects.get(pk=world["section_a"].pk),
        "data": {"title": "Kapad"},
    },
    "document_section_save": lambda plan, world: {
        "section": Section.objects.get(pk=world["section_a"].pk),
        "doc": plan,
        "data": {"title": "Kapad"},
        "texts": {},
    },
    "section_delete": lambda plan, world: {
        "section": Section.objects.get(pk=world["section_a"].pk)
    },
    "section_move": lambda plan, world: {
        "section": Section.objects.get(pk=world["section_a"].pk),
        "direction": 1,
    },
    "arshjul_event_save": lambda plan, world: {
        "event": ArshjulEvent(plan=plan, date=date(2027, 3, 1), title="Kapad")
    },
    "arshjul_event_delete": lambda plan, world: {
        "event": ArshjulEvent.objects.get(pk=world["event_a"].pk)
    },
    "apply_import": lambda plan, world: {
        "plan": plan,
        "parsed": world["parsed"],
        "filename": "budget.xlsx",
    },
}


def test_every_writing_service_is_either_tried_or_named_with_its_reason():
    found = set(writing_services())
    assert found - set(CALLS) - set(NOT_OF_A_DRAFT) == set(), "a new service: add it to CALLS"
    assert set(CALLS) | set(NOT_OF_A_DRAFT) == found, "a service is gone: remove it here"
    assert not set(CALLS) & set(NOT_OF_A_DRAFT)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("finsam", "budgets", "insatser", "plans")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.parametrize("status", [PlanStatus.INLAMNAD, PlanStatus.ANTAGEN])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_writing_service_refuses_a_plan_that_is_not_a_draft(name, status, world):
    plan = world["plan_a"]
    # The workbook is read while the plan is a draft, as the preview reads it.
    world["parsed"] = read_upload("budget.xlsx", template_workbook(plan))
    Plan.objects.filter(pk=plan.pk).update(
        status=status, meeting_date=date(2026, 11, 20), paragraph="§12"
    )
    plan.refresh_from_db()
    kwargs = CALLS[name](plan, world)
    before, events = row_counts(), list(AuditEvent.objects.values_list("pk", flat=True))
    with pytest.raises(PlanLocked):
        writing_services()[name](acting_user=None, **kwargs)
    assert row_counts() == before
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == events
    assert BudgetLine.objects.get(pk=world["line_a"].pk).name == "Kansli"
    assert Section.objects.get(pk=world["section_a"].pk).title == world["section_a"].title
