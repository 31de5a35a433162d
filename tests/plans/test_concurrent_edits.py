"""Two people save the same object at the same moment, from the same version: one save wins,
the other is refused as a conflict, and no update is lost. Real concurrent transactions in
threads, on PostgreSQL (the production database; CI runs the suite there)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from budgets import services as budget_services
from budgets.models import BudgetAmount, BudgetLine, BudgetYear
from finsam import services as finsam_services
from finsam.audit import EditConflict
from finsam.models import Forbund, Medlem
from insatser import services as insats_services
from insatser.models import Insats, Malgrupp
from plans import services as plan_services
from plans.models import Plan, Section

TRIALS = 100

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions are measured on PostgreSQL; SQLite serialises writers",
    ),
]


def _versioned(model, pk, field, save):
    """(read, save) for a Versioned object: save(value, version) through its service."""

    def read():
        obj = model.objects.get(pk=pk)
        return getattr(obj, field), obj.lock_version

    return read, save


def _kinds(world):
    plan = world["plan_a"]
    line = world["line_a"]
    yield (
        "avsnitt",
        _versioned(
            Section,
            world["section_a"].pk,
            "title",
            lambda v, ver: plan_services.section_save(
                section=Section.objects.get(pk=world["section_a"].pk),
                acting_user=None,
                data={"title": v, "lock_version": ver},
            ),
        ),
    )
    yield (
        "insats",
        _versioned(
            Insats,
            world["insats_a"].pk,
            "description",
            lambda v, ver: insats_services.insats_save(
                insats=Insats.objects.get(pk=world["insats_a"].pk),
                acting_user=None,
                data={"description": v, "lock_version": ver},
            ),
        ),
    )
    yield (
        "målgrupp",
        _versioned(
            Malgrupp,
            world["malgrupp_a"].pk,
            "description",
            lambda v, ver: insats_services.malgrupp_save(
                malgrupp=Malgrupp.objects.get(pk=world["malgrupp_a"].pk),
                acting_user=None,
                data={"description": v, "lock_version": ver},
            ),
        ),
    )
    yield (
        "medlem",
        _versioned(
            Medlem,
            world["medlem_a"].pk,
            "name",
            lambda v, ver: finsam_services.medlem_save(
                medlem=Medlem.objects.get(pk=world["medlem_a"].pk),
                acting_user=None,
                data={"name": v, "lock_version": ver},
            ),
        ),
    )
    yield (
        "förbund",
        _versioned(
            Forbund,
            world["forbund_a"].pk,
            "vision",
            lambda v, ver: finsam_services.forbund_update(
                forbund=Forbund.objects.get(pk=world["forbund_a"].pk),
                acting_user=None,
                data={"vision": v, "lock_version": ver},
            ),
        ),
    )
    yield (
        "planens inställningar",
        _versioned(
            Plan,
            plan.pk,
            "deficit_reason",
            lambda v, ver: plan_services.plan_update(
                plan=Plan.objects.get(pk=plan.pk),
                acting_user=None,
                data={"deficit_reason": v, "lock_version": ver},
            ),
        ),
    )
    yield (
        "budgetrad",
        _versioned(
            BudgetLine,
            line.pk,
            "note",
            lambda v, ver: budget_services.budget_line_update(
                line=BudgetLine.objects.select_related("plan").get(pk=line.pk),
                acting_user=None,
                data={"note": v, "lock_version": ver},
            ),
        ),
    )
    row = BudgetYear.objects.get(plan=plan, year=2027, column="budget")
    yield (
        "årsrad",
        _versioned(
            BudgetYear,
            row.pk,
            "min_individ_percent",
            lambda v, ver: budget_services.budget_years_update(
                plan=Plan.objects.get(pk=plan.pk),
                acting_user=None,
                rows={row.pk: {"min_individ_percent": Decimal(len(v)), "lock_version": ver}},
            ),
        ),
    )

    def read_cell():
        amount = BudgetAmount.objects.get(line=line, year=2027, column="budget").amount.amount
        return amount, amount

    def save_cell(value, shown):
        budget_services.budget_figures_set(
            plan=Plan.objects.get(pk=plan.pk),
            acting_user=None,
            amounts={(line.pk, 2027, "budget"): Decimal(len(value) * 1000)},
            shown={(line.pk, 2027, "budget"): shown},
        )

    yield "belopp", (read_cell, save_cell)


def _race(save, values, seen) -> tuple[list[str], list[str]]:
    won, refused, failed = [], [], []
    barrier = threading.Barrier(len(values))

    def client(value):
        try:
            barrier.wait()
            save(value, seen)
            won.append(value)
        except EditConflict:
            refused.append(value)
        except Exception as error:  # anything else is a failure the test reports
            failed.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(v,)) for v in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    return won, refused


def test_no_update_is_lost_when_two_people_save_the_same_object_at_once(world):
    lost = {}
    for kind, (read, save) in _kinds(world):
        lost[kind] = 0
        for trial in range(TRIALS):
            _, seen = read()
            values = [f"a{'x' * (trial % 7 + 1)}", f"b{'y' * (trial % 5 + 9)}"]
            won, refused = _race(save, values, seen)
            stored, _ = read()
            expected_ok = len(won) == 1 and len(refused) == 1
            if kind in ("årsrad", "belopp"):
                kept = stored == (Decimal(len(won[0])) if kind == "årsrad" else len(won[0]) * 1000)
            else:
                kept = stored == won[0] if won else False
            if not (expected_ok and kept):
                lost[kind] += 1
    assert lost == dict.fromkeys(lost, 0)
