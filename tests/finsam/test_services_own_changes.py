"""A service reads the stored row, saves only what changed and records old -> new; the rules
that lived only in forms or views now hold for every caller."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets import services as budget_services
from budgets.models import BudgetGroup, BudgetYear, ColumnKind, Side
from finsam import services
from finsam.models import AuditEvent, Fordelningstal, Medlem
from insatser import rules
from plans import workflow
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_stale_object_saves_only_the_field_that_changed(forbund_a):
    medlem = forbund_a.medlemmar.get(name="Testköping 1")
    stale = Medlem.objects.get(pk=medlem.pk)
    services.medlem_save(medlem=medlem, acting_user=None, data={"name": "Nya Testköping"})
    # A second caller still holding the old object changes only the order.
    services.medlem_save(medlem=stale, acting_user=None, data={"name": "Testköping 1", "order": 7})
    medlem.refresh_from_db()
    assert (medlem.name, medlem.order) == ("Testköping 1", 7)
    event = AuditEvent.objects.filter(action="medlem.update").latest("id")
    assert event.changes == {"name": ["Nya Testköping", "Testköping 1"], "order": [10, 7]}


def test_saving_unchanged_values_records_nothing(forbund_a):
    medlem = forbund_a.medlemmar.get(name="Testköping 1")
    services.medlem_save(medlem=medlem, acting_user=None, data={"name": medlem.name})
    assert not AuditEvent.objects.filter(action="medlem.update").exists()


def test_only_a_kommun_gets_fordelningstal_whoever_saves_it(forbund_a):
    region = forbund_a.medlemmar.get(kind="region")
    with pytest.raises(ValidationError) as error:
        services.medlem_save(
            medlem=region,
            acting_user=None,
            data={"name": region.name},
            fordelningstal=[Fordelningstal(year=2027, invanare=1000)],
        )
    assert "bara för kommuner" in error.value.message_dict["kind"][0]
    assert not Fordelningstal.objects.filter(medlem=region).exists()


def test_a_medlemsbidrag_the_rounding_unit_does_not_divide_is_refused_by_the_service(forbund_a):
    forbund_a.rounding_unit = 100
    forbund_a.save()
    plan = factories.plan(forbund_a)
    with pytest.raises(ValidationError) as error:
        budget_services.budget_figures_set(
            plan=plan, acting_user=None, medlemsbidrag={(2027, ColumnKind.BUDGET): Decimal(150)}
        )
    assert "avrundning till 100 kr" in str(error.value)
    row = BudgetYear.objects.get(plan=plan, year=2027, column=ColumnKind.BUDGET)
    assert row.medlemsbidrag.amount == 0


def test_an_income_group_counts_in_no_share_of_costs_whoever_saves_it(forbund_a):
    group = BudgetGroup(forbund=forbund_a, name="Bidrag", side=Side.INTAKT, share_kind="individ")
    with pytest.raises(ValidationError) as error:
        budget_services.budget_structure_save(obj=group, acting_user=None)
    assert "Bara kostnadsgrupper" in error.value.message_dict["share_kind"][0]


def test_revisor_may_neither_return_nor_comment_on_a_plan_through_the_services(forbund_a):
    plan = factories.plan(forbund_a)
    revisor = factories.revisor(forbund_a).user
    with pytest.raises(PermissionDenied):
        workflow.comment_add(doc=plan, acting_user=revisor, text="Synpunkt")
    with pytest.raises(PermissionDenied):
        workflow.plan_return(plan=plan, acting_user=revisor, reason="Nej")
    assert not plan.comments.exists()


@pytest.mark.parametrize(
    ("individ", "struktur", "fields"),
    [
        (50, 50, []),
        (60, 30, ["individ_percent", "struktur_percent"]),
        (100, 0, ["individ_percent"]),
        (None, 40, ["individ_percent", "struktur_percent"]),
    ],
)
def test_a_mixed_insats_split_is_checked_in_one_place(individ, struktur, fields):
    form_problems = rules.mix_problems(rules.BLANDAD, individ, struktur, both_asked=True)
    assert sorted(form_problems) == fields
    model_problems = rules.mix_problems(rules.BLANDAD, individ)
    assert bool(model_problems) == (individ is None or not 1 <= individ <= 99)
