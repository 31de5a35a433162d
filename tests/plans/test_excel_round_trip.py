"""The Excel template and the export hold everything the editor holds (issue [14]): a plan
exported, then imported into an empty draft of the same years, computes the same plan_summary,
for every demo plan and for a constructed plan that uses every input of the editor."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets import services
from budgets.models import BudgetAmount, BudgetLine, BudgetYear, StatementNote
from budgets.selectors import plan_figures
from budgets.services_statement import statement_note_save
from budgets.summary import summary
from plans import services as plan_services
from plans.demo import load_demo
from plans.excel.export import export_plan
from plans.excel.importer import ImportRefused, apply_import
from plans.excel.reader import read_upload
from plans.excel.template import template_workbook
from plans.models import Plan
from tests.excel import rich_plan

pytestmark = pytest.mark.django_db

# What must differ between a plan and its copy: which plan it is, and its place in the workflow.
IDENTITY = ("id", "title", "version", "status")
# Findings that are not the budget's: a draft's passed deadline (the copy is a draft, an adopted
# source is not), and an amount typed where its line does not count, which the template leaves
# out (its cell is to be left empty) and the editor keeps only to warn of it.
NOT_CARRIED = {"sista-dag-passerad", "belopp-raknas-inte"}


def _empty_twin(plan: Plan) -> Plan:
    """A draft of the same förbund, years and columns, with the source's insatser (the template
    never makes an insats: it is added under Insatser) and nothing else of its budget: no other
    line, no amount, no year's or plan's input."""
    twin = plan_services.plan_create(
        forbund=plan.forbund,
        acting_user=None,
        budget_year=plan.budget_year,
        plan_years=plan.plan_years,
        comparison=plan.comparison_kinds,
        plan_year_heading=plan.plan_year_heading,
        source=plan,
    )
    BudgetLine.objects.filter(plan=twin, insats__isnull=True).delete()
    StatementNote.objects.filter(plan=twin).delete()
    BudgetAmount.objects.filter(line__plan=twin).delete()
    BudgetLine.objects.filter(plan=twin).update(note="", share_kind="", decided=True)
    for row in twin.year_rows.all():
        row.delete()
        BudgetYear.objects.create(plan=twin, year=row.year, column=row.column)
    Plan.objects.filter(pk=twin.pk).update(opening_equity=0, under_use_percent=0, deficit_reason="")
    return Plan.objects.get(pk=twin.pk)


def _leaves(value, path=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{path}[{index}]")
    else:
        yield path, value


def _differences(a: Plan, b: Plan) -> list[str]:
    first, second = summary(plan_figures(a)), summary(plan_figures(b))
    for data in (first, second):
        for key in IDENTITY:
            data["plan"].pop(key)
        data["findings"] = [f for f in data["findings"] if f["code"] not in NOT_CARRIED]
    left, right = dict(_leaves(first)), dict(_leaves(second))
    return [
        f"{path}: {left.get(path)!r} → {right.get(path)!r}"
        for path in sorted(set(left) | set(right))
        if left.get(path) != right.get(path)
    ]


def _round_trip(plan: Plan, data: bytes) -> list[str]:
    twin = _empty_twin(plan)
    try:
        apply_import(
            plan=twin, parsed=read_upload("plan.xlsx", data), acting_user=None, filename="x"
        )
    except ImportRefused as refused:
        return [str(p) for p in refused.problems]
    return _differences(plan, Plan.objects.get(pk=twin.pk))


def every_input_plan() -> Plan:
    """rich_plan, and the inputs it leaves out: a footnote on one amount, a computed balance
    row, a deficit reason per year and for the plan, an IB the plan states, a footnote on the
    targets and two rows of the förbund's own in its statements."""
    plan = rich_plan()
    lines = {ln.name: ln for ln in plan.budget_lines.all()}
    services.budget_amount_notes_set(
        line=lines["Kansli"],
        acting_user=None,
        notes={(2027, "budget"): "Varav 50 000 kr flyttas till 2028."},
    )
    rows = {(r.year, r.column): r for r in plan.year_rows.all()}
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={
            rows[(2028, "budget")].pk: {
                "balance_item": "omsattningstillgangar",
                "kortfristiga_skulder": Decimal(250_000),
                "anlaggningstillgangar": Decimal(80_000),
                "deficit_reason": "Sparat kapital används till metodstöd.",
                "target_note": "Enligt Nationella rådets rekommendation",
            },
        },
    )
    for statement, label, text in (
        ("balans", "Ansvarsförbindelser", "Inga"),
        ("resultat", "Ställda panter", "0"),
    ):
        statement_note_save(
            note=StatementNote(plan=plan, statement=statement, label=label, text=text),
            acting_user=None,
        )
    plan.deficit_reason = "Kapitalet ska ned mot taket."
    plan.save(update_fields=["deficit_reason"])
    return Plan.objects.get(pk=plan.pk)


def test_a_plan_with_every_input_exports_and_imports_into_an_empty_draft_unchanged():
    plan = every_input_plan()
    assert _round_trip(plan, export_plan(plan).save()) == []


def test_a_plan_with_every_input_goes_through_its_template_unchanged():
    plan = every_input_plan()
    assert _round_trip(plan, template_workbook(plan)) == []


def test_every_demo_plan_exports_and_imports_into_an_empty_draft_unchanged():
    load_demo()
    plans = list(Plan.objects.all())
    assert len(plans) >= 3
    found = {}
    for plan in plans:
        found[plan.forbund.slug] = _round_trip(plan, export_plan(plan).save())
        found[plan.forbund.slug + " mall"] = _round_trip(plan, template_workbook(plan))
    assert found == {key: [] for key in found}
