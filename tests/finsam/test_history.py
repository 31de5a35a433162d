"""The plan history and the förbund's log read as a person writes: field names as the forms
name them, amounts in the förbund's unit, lists as text, no empty rows, and every write in it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from budgets.models import BudgetGroup
from finsam.models import AuditEvent, Membership
from plans import services as plan_services
from plans import workflow
from tests import factories

pytestmark = pytest.mark.django_db


def _history(client, plan) -> str:
    return client.get(reverse("plan_history", args=[plan.forbund.slug, plan.pk])).content.decode()


def test_plan_history_names_fields_and_shows_amounts_in_the_unit(personas, forbund_a):
    forbund_a.amount_unit = "tkr"
    forbund_a.save()
    plan = factories.plan(forbund_a, opening_equity=Decimal(15_000_000))
    plan_services.plan_update(
        plan=plan,
        acting_user=None,
        data={"opening_equity": Decimal(12_000_000), "deficit_reason": "Vi förbrukar sparat."},
    )
    html = _history(personas["styrelse_a"], plan)
    assert "Motivering till planerat underskott" in html and "deficit_reason" not in html
    assert "15\xa0000\xa0tkr → 12\xa0000\xa0tkr" in html
    assert "15000000" not in html
    assert "– → –" not in html


def test_lists_read_as_text_and_choices_by_their_label(personas, world):
    plan, insats = world["plan_a"], world["insats_a"]
    af = plan.forbund.medlemmar.get(kind="af")
    from insatser import services as insats_services

    insats_services.insats_save(
        insats=insats, acting_user=None, data={"parter": [af], "kind": "struktur"}
    )
    html = _history(personas["styrelse_a"], plan)
    assert "Arbetsförmedlingen" in html and "['" not in html
    assert "Individinriktad → Strukturinriktad" in html


def test_a_comment_is_logged_with_its_text(personas, world):
    plan = world["plan_a"]
    workflow.comment_add(
        doc=plan, acting_user=personas["styrelse_a"].membership.user, text="Förtydliga målen."
    )
    assert "Förtydliga målen." in _history(personas["kansli_a"], plan)


def test_opening_the_categories_page_writes_nothing(personas, forbund_a):
    BudgetGroup.objects.filter(forbund=forbund_a).delete()
    events = AuditEvent.objects.count()
    page = personas["kansli_a"].get(reverse("budget_categories", args=[forbund_a.slug]))
    assert "Lägg till standardgrupperna" in page.content.decode()
    assert not BudgetGroup.objects.filter(forbund=forbund_a).exists()
    assert AuditEvent.objects.count() == events
    personas["kansli_a"].post(
        reverse("budget_categories", args=[forbund_a.slug]), {"which": "defaults"}
    )
    assert BudgetGroup.objects.filter(forbund=forbund_a).count() == 8
    assert AuditEvent.objects.filter(action="budgetgroup.defaults").count() == 1


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(factories.UserFactory(username="root3", is_staff=True, is_superuser=True))
    return client


def test_the_admins_bulk_delete_is_in_the_log(superuser_client, forbund_a):
    roles = [factories.revisor(forbund_a), factories.revisor(forbund_a)]
    response = superuser_client.post(
        "/admin/finsam/membership/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in roles], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=[r.pk for r in roles]).exists()
    assert AuditEvent.objects.filter(action="admin.membership.delete").count() == 2


def test_a_role_changed_in_the_admin_keeps_its_old_value_in_the_log(superuser_client, forbund_a):
    role = factories.revisor(forbund_a, title="Revisor")
    response = superuser_client.post(
        f"/admin/finsam/membership/{role.pk}/change/",
        {
            "user": role.user.pk,
            "forbund": forbund_a.pk,
            "role": "revisor",
            "seat": "",
            "title": "Sakkunnig revisor",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.membership.update")
    assert event.changes["title"] == ["Revisor", "Sakkunnig revisor"]


def test_an_insats_and_its_mal_read_as_text_in_the_history(personas, world):
    from insatser import services as insats_services
    from insatser.models_mal import Indikator, Mal
    from insatser.services_mal import mal_save

    plan, insats = world["plan_a"], world["insats_a"]
    fk = plan.forbund.medlemmar.get(kind="fk")
    insats_services.insats_save(
        insats=insats,
        acting_user=None,
        data={"agenda2030": [8], "gender_balance": True},
        money={
            2027: insats_services.YearMoney(
                beviljat=Decimal(400_000),
                esf_percent=Decimal("12.5"),
                medfinansiar=fk,
                medfinansiering=Decimal(50_000),
            )
        },
    )
    mal_save(
        mal=Mal(plan=plan, level="verksamhet", text="Fler i arbete."),
        acting_user=None,
        indikatorer=[
            Indikator(
                description="Deltagare till arbete", kind="andel", target_value=40, source="sus"
            )
        ],
    )
    html = _history(personas["styrelse_a"], plan)
    labels = re.findall(r'<span class="field-name">([^<]*)</span>', html)
    assert not [label for label in labels if re.fullmatch(r"[a-z0-9_]+", label)]
    changes = " ".join(re.findall(r'<ul class="changes">.*?</ul>', html, re.S))
    for raw in ("description:", "kind:", "{", "12.50", "[", "50000"):
        assert raw not in changes
    assert "Standardmål om jämn könsfördelning" in html and "nej → ja" in html
    assert "8. Anständiga arbetsvillkor och ekonomisk tillväxt" in html
    assert "ESF 12,5\xa0%" in html and "Försäkringskassan 50\xa0000\xa0kr" in html
    assert "Deltagare till arbete (andel (procent), mål minst 40\xa0%" in html
