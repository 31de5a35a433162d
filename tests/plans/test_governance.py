"""The adoption rules in force when a plan is submitted govern its round: the kansli cannot
lower the bar afterwards, and a change of the förbund's rules shows on the plan's page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from finsam import services as finsam_services
from finsam.models import AdoptionRecorder
from plans import workflow
from plans.models import Plan, PlanStatus

pytestmark = pytest.mark.django_db


def test_unticking_the_quorum_after_submission_does_not_let_kansli_adopt_alone(
    clean_plan, personas
):
    kansli = personas["kansli_a"].membership.user
    forbund = clean_plan.forbund
    forbund.adoption_recorder = AdoptionRecorder.ORDFORANDE
    forbund.save()
    workflow.plan_submit(plan=clean_plan, acting_user=kansli)
    finsam_services.forbund_update(
        forbund=forbund,
        acting_user=kansli,
        data={"adoption_requires_quorum": False, "adoption_recorder": AdoptionRecorder.KANSLI},
    )
    with pytest.raises(PermissionDenied):
        workflow.plan_adopt(
            plan=clean_plan, acting_user=kansli, meeting_date=date(2026, 11, 20), paragraph="1"
        )
    chair = personas["styrelse_a"].membership.user
    with pytest.raises(ValidationError, match="0 av 1 ordinarie ledamot närvarande"):
        workflow.plan_adopt(
            plan=clean_plan,
            acting_user=chair,
            meeting_date=date(2026, 11, 20),
            paragraph="1",
            present=[],
        )
    assert Plan.objects.get(pk=clean_plan.pk).status == PlanStatus.INLAMNAD
    page = (
        personas["styrelse_a"]
        .get(reverse("plan_detail", args=[forbund.slug, clean_plan.pk]))
        .content.decode()
    )
    assert "Förbundets regler för antagande har ändrats sedan planen lämnades in" in page


def test_a_new_round_takes_the_rules_that_stand_when_it_is_submitted(clean_plan, personas):
    kansli = personas["kansli_a"].membership.user
    chair = personas["styrelse_a"].membership.user
    workflow.plan_submit(plan=clean_plan, acting_user=kansli)
    workflow.plan_return(plan=clean_plan, acting_user=chair, reason="Mer text.")
    finsam_services.forbund_update(
        forbund=clean_plan.forbund, acting_user=kansli, data={"adoption_requires_quorum": False}
    )
    workflow.plan_submit(plan=clean_plan, acting_user=kansli)
    adopted = workflow.plan_adopt(
        plan=clean_plan, acting_user=chair, meeting_date=date(2026, 11, 20), paragraph="2"
    )
    assert adopted.status == PlanStatus.ANTAGEN
