"""A förbund's year after adoption comes back from its backup: the konto map, the utfall, the
prognoses and their explanations, with the same follow-up figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets import services as budget_services
from budgets.models import BudgetCategory
from finsam.models import Forbund
from followup import selectors, services
from followup.models import KontoMapping, Prognos
from plans.backup import export_forbund, import_forbund
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, make_plan

pytestmark = pytest.mark.django_db


def figures(forbund: Forbund) -> dict:
    plan = selectors.followed_plan(forbund, 2027)
    follow = selectors.follow_up(plan)
    return {
        "rows": [
            (r.label, r.utfall, r.budget_so_far, r.prognos, r.explanation) for r in follow.rows
        ],
        "unmapped": [(a.konto, a.total) for a in follow.utfall.unmapped],
        "ub": follow.forecast.first.ub,
        "prognoses": [(p.month, p.reported_at is not None) for p in follow.prognoses],
    }


def test_the_year_after_adoption_survives_a_backup_and_restore():
    forbund, plan = make_plan("uppf-backup")
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Lokaler",
        amounts={(y, "budget"): Decimal(240_000) for y in plan.years},
    )
    adopt_plan(plan)
    refs = selectors.line_refs(selectors.plan_figures(plan))
    text = "konto;budgetrad\n3010;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n"
    services.mapping_set(
        forbund=forbund,
        rows=services.mapping_read("k.csv", text.encode(), refs),
        refs=refs,
        acting_user=None,
    )
    months = {}
    for month in range(1, 7):
        months[("3010", 2027, month)] = Decimal("-333333.33")
        months[("5010", 2027, month)] = Decimal("31000.00")
        months[("7010", 2027, month)] = Decimal("70000.25")
        months[("6110", 2027, month)] = Decimal("99.90")
    accounts = {"3010": "Medlemsbidrag", "5010": "Lokalhyra", "7010": "Löner", "6110": "Kontor"}
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund,
            year=2027,
            file_name="bok.se",
            data=sie_text(accounts, months, year=2027),
            refs=refs,
        ),
        acting_user=None,
    )
    prognos = services.prognos_create(
        forbund=forbund,
        year=2027,
        month=6,
        follow=selectors.follow_up(plan),
        acting_user=None,
    )
    line = prognos.lines.get(line_name="Lokaler")
    services.prognos_lines_set(
        prognos=prognos,
        values={line.pk: {"amount": Decimal(372_000), "explanation": "Ny lokal från mars."}},
        lock_version=prognos.lock_version,
        acting_user=None,
    )
    before = figures(forbund)

    exported = export_forbund(forbund)
    Forbund.objects.filter(pk=forbund.pk).update(
        slug="uppf-backup-original", organisationsnummer="222222-2222"
    )
    copy = import_forbund(exported.content).forbund

    assert figures(copy) == before
    assert KontoMapping.objects.filter(forbund=copy).count() == 3
    assert (
        Prognos.objects.filter(forbund=copy).get().lines.get(line_name="Lokaler").explanation
        == "Ny lokal från mars."
    )
