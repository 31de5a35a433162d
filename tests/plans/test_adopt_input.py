"""What the recorder types when the board's decision is registered: dates and numbers that
would be frozen on the archived PDF's title page are checked first."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from insatser.models import Insats
from plans import workflow
from plans.models import Plan, PlanStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(clean_plan, personas):
    chair = personas["styrelse_a"].membership.user
    workflow.plan_submit(plan=clean_plan, acting_user=personas["kansli_a"].membership.user)
    workflow.plan_review(plan=clean_plan, acting_user=chair, decision="godkand")
    return clean_plan, chair


@pytest.mark.parametrize("meeting_date", [date(1, 1, 1), date(2024, 12, 31)])
def test_an_implausible_meeting_date_is_refused_and_nothing_is_adopted(submitted, meeting_date):
    plan, chair = submitted
    with pytest.raises(ValidationError) as error:
        workflow.plan_adopt(
            plan=plan,
            acting_user=chair,
            meeting_date=meeting_date,
            paragraph="12",
            present=factories.everyone_present(plan),
        )
    assert "tidigast 2025" in error.value.message_dict["meeting_date"][0]
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.INLAMNAD


@pytest.mark.parametrize("typed", ["Dnr 70/21", "dnr. 70/21", "70/21", "Diarienummer: 70/21"])
def test_a_typed_dnr_prefix_is_not_doubled_in_the_decision(submitted, typed):
    plan, chair = submitted
    adopted = workflow.plan_adopt(
        plan=plan,
        acting_user=chair,
        meeting_date=date(2026, 11, 20),
        paragraph="12",
        diarienummer=typed,
        present=factories.everyone_present(plan),
    )
    assert adopted.diarienummer == "70/21"
    assert adopted.decision_text.endswith("§12, Dnr 70/21")


@pytest.mark.parametrize("model", [Plan, Insats])
def test_constraint_messages_with_a_percent_sign_can_be_shown(model):
    messages = [c.get_violation_error_message() for c in model._meta.constraints]
    assert any("100 %" in m for m in messages)
    assert not any("%%" in m for m in messages)
