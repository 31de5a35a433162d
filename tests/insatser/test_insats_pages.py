"""Creating and editing insatser through the pages; bad input gets a Swedish message, saves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets.models import BudgetAmount, BudgetLine
from finsam.models import AuditEvent
from insatser.models import Insats, InsatsAr, Mal
from tests.helpers import insats_post, member, url

pytestmark = pytest.mark.django_db


def test_kansli_creates_an_insats_and_its_grant_becomes_its_budget_line(personas, plan):
    response = personas["kansli_a"].post(
        url("insats_create", plan),
        insats_post(plan, beviljat_2027="1 000 000", beviljat_2028="900 000"),
    )
    insats = Insats.objects.get(plan=plan, name="Unga till arbete")
    assert response["Location"] == url("insats_detail", plan, insats.pk)
    line = BudgetLine.objects.select_related("category__group").get(insats=insats)
    assert line.name == "Unga till arbete"
    assert line.category.group.name == "Individinriktade insatser"
    # A year left at 0 stores no amount; the budget reads it as 0.
    assert {(a.year, a.amount.amount) for a in line.amounts.all()} == {
        (2027, 1_000_000),
        (2028, 900_000),
    }
    assert AuditEvent.objects.filter(action="insats.create", object_id=str(insats.pk)).exists()


@pytest.mark.parametrize(
    ("kind", "extra", "group"),
    [
        ("struktur", {}, "Strukturövergripande insatser"),
        ("esf", {}, "ESF-projekt"),
        (
            "blandad",
            {"individ_percent": "30", "struktur_percent": "70"},
            "Strukturövergripande insatser",
        ),
        (
            "blandad",
            {"individ_percent": "50", "struktur_percent": "50"},
            "Individinriktade insatser",
        ),
    ],
)
def test_the_line_stands_under_the_group_of_the_insats_kind(personas, plan, kind, extra, group):
    personas["kansli_a"].post(url("insats_create", plan), insats_post(plan, kind=kind, **extra))
    line = BudgetLine.objects.select_related("category__group").get(insats__name="Unga till arbete")
    assert line.category.group.name == group


def test_the_detail_page_shows_the_granted_and_budgeted_amounts_and_the_group(personas, plan):
    plan.under_use_percent = Decimal(5)
    plan.save()
    personas["kansli_a"].post(
        url("insats_create", plan), insats_post(plan, beviljat_2027="600 000")
    )
    insats = Insats.objects.get(name="Unga till arbete")
    page = personas["revisor_a"].get(url("insats_detail", plan, insats.pk)).content.decode()
    assert "Individinriktade insatser" in page
    assert "600\xa0000" in page and "570\xa0000" in page  # beviljat, and 5 % less budgeted


def test_other_financing_is_kept_per_year_as_information(personas, plan):
    fk = member(plan, "fk")
    personas["kansli_a"].post(
        url("insats_create", plan),
        insats_post(
            plan,
            kind="esf",
            beviljat_2027="500 000",
            esf_percent_2027="47",
            medfinansiar_2028=str(fk.pk),
            medfinansiering_2028="250 000",
        ),
    )
    rows = {r.year: r for r in InsatsAr.objects.filter(insats__name="Unga till arbete")}
    assert rows[2027].esf_percent == Decimal(47)
    assert rows[2028].medfinansiar == fk and rows[2028].medfinansiering.amount == 250_000
    assert 2029 not in rows


def _posted_nothing(plan, before_audit):
    assert not Insats.objects.filter(name="Unga till arbete").exists()
    assert AuditEvent.objects.count() == before_audit


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        (
            {"start": "2027-06-01", "end": "2027-01-31"},
            "end",
            "Slutdatum kan inte vara före startdatum.",
        ),
        (
            {"kind": "blandad", "individ_percent": "60", "struktur_percent": "30"},
            "struktur_percent",
            "Andelarna individ och struktur ska tillsammans vara 100 %.",
        ),
        (
            {"kind": "blandad", "individ_percent": "60"},
            "individ_percent",
            "Andelarna individ och struktur ska tillsammans vara 100 %.",
        ),
        ({"age_min": "30", "age_max": "16"}, "age_max", "kan inte vara lägre"),
        ({"start": "1 januari"}, "start", "Ange ett datum"),
        ({"contact_email": "inte en adress"}, "contact_email", "Ange en e-postadress"),
    ],
)
def test_bad_insats_input_is_explained_beside_the_field_and_nothing_is_saved(
    personas, plan, override, field, message
):
    before = AuditEvent.objects.count()
    response = personas["kansli_a"].post(url("insats_create", plan), insats_post(plan, **override))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[field] == [message] if message.endswith(".") else message in errors[field][0]
    assert not errors.get("__all__")  # each message stands beside its field, once
    assert "Insatsen sparades inte" in response.content.decode()
    _posted_nothing(plan, before)


def test_a_negative_grant_is_refused_beside_its_year(personas, plan):
    before = AuditEvent.objects.count()
    response = personas["kansli_a"].post(
        url("insats_create", plan), insats_post(plan, beviljat_2028="-100")
    )
    assert response.status_code == 400
    year_form = next(f for f in response.context["money_forms"] if f.year == 2028)
    assert year_form.errors["beviljat"] == ["Beloppet kan inte vara negativt."]
    _posted_nothing(plan, before)
    assert not BudgetAmount.objects.filter(line__plan=plan, year=2028).exists()


def test_esf_in_both_percent_and_amount_is_refused(personas, plan):
    response = personas["kansli_a"].post(
        url("insats_create", plan),
        insats_post(plan, esf_percent_2027="40", esf_amount_2027="100000"),
    )
    year_form = response.context["money_forms"][0]
    assert "antingen i procent eller som belopp" in year_form.errors["esf_amount"][0]


def test_another_forbunds_member_is_not_even_offered_and_cannot_be_posted(
    personas, plan, forbund_b
):
    response = personas["kansli_a"].get(url("insats_create", plan))
    page = response.content.decode()
    other = forbund_b.medlemmar.get(kind="region")
    own = member(plan, "region")
    assert f'<option value="{other.pk}"' not in page
    assert f'name="parter" value="{other.pk}"' not in page
    assert f'<option value="{own.pk}"' in page and f'name="parter" value="{own.pk}"' in page
    offered = {m.pk for m in response.context["form"].fields["agare"].queryset}
    assert offered == {m.pk for m in plan.forbund.medlemmar.all()}
    before = AuditEvent.objects.count()
    response = personas["kansli_a"].post(
        url("insats_create", plan), insats_post(plan, agare=str(other.pk), parter=[str(other.pk)])
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["agare"] == ["Välj en av förbundets medlemmar."]
    assert errors["parter"]
    _posted_nothing(plan, before)


def test_an_individinriktad_insats_with_one_member_saves_with_a_warning(personas, plan):
    response = personas["kansli_a"].post(
        url("insats_create", plan), insats_post(plan, parter=[]), follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "bara en medlem" in page and "minst två av medlemmarna" in page
    assert Insats.objects.filter(name="Unga till arbete").exists()


def test_a_structural_insats_with_one_member_is_fine(personas, plan):
    response = personas["kansli_a"].post(
        url("insats_create", plan), insats_post(plan, kind="struktur", parter=[]), follow=True
    )
    assert "bara en medlem" not in response.content.decode()


def test_editing_the_kind_moves_the_line_and_renaming_renames_it(personas, plan, world):
    insats = world["insats_a"]
    data = insats_post(plan, name="Finsam-team Nord", kind="struktur")
    data["malgrupper"] = [str(world["malgrupp_a"].pk)]
    response = personas["kansli_a"].post(url("insats_edit", plan, insats.pk), data)
    assert response.status_code == 302
    line = BudgetLine.objects.select_related("category__group").get(insats=insats)
    assert line.name == "Finsam-team Nord"
    assert line.category.group.name == "Strukturövergripande insatser"
    event = AuditEvent.objects.filter(action="insats.update").latest("at")
    assert event.changes["kind"] == ["individ", "struktur"]


def test_gender_balance_switches_the_standard_indikator_on_and_off(personas, plan, world):
    insats = world["insats_a"]
    data = insats_post(plan, name="Finsam-team", gender_balance="on")
    personas["kansli_a"].post(url("insats_edit", plan, insats.pk), data)
    mal = Mal.objects.get(insats=insats, standard="konsfordelning")
    indikator = mal.indikatorer.get()
    assert (indikator.kind, indikator.target_value, indikator.direction) == ("andel", 40, "minst")
    assert indikator.target_label == "minst 40\xa0%"
    page = personas["styrelse_a"].get(url("insats_detail", plan, insats.pk)).content.decode()
    assert "40–60 %" in page
    del data["gender_balance"]
    personas["kansli_a"].post(url("insats_edit", plan, insats.pk), data)
    assert not Mal.objects.filter(insats=insats, standard="konsfordelning").exists()


def test_agenda_2030_goals_tag_an_insats(personas, plan, world):
    insats = world["insats_a"]
    data = insats_post(plan, name="Finsam-team", agenda2030=["3", "10"])
    personas["kansli_a"].post(url("insats_edit", plan, insats.pk), data)
    assert sorted(t.goal for t in insats.agenda2030_tags.all()) == [3, 10]
    page = personas["revisor_a"].get(url("insats_detail", plan, insats.pk)).content.decode()
    assert "10. Minskad ojämlikhet" in page


def test_board_and_auditor_read_but_get_no_forms_or_buttons(personas, plan, world):
    insats = world["insats_a"]
    for persona in ("styrelse_a", "revisor_a"):
        client = personas[persona]
        listing = client.get(url("insats_list", plan)).content.decode()
        detail = client.get(url("insats_detail", plan, insats.pk)).content.decode()
        assert "Finsam-team" in listing and "Ny insats" not in listing
        assert "Ändra insatsen" not in detail and "Ta bort" not in detail
        response = client.post(url("insats_edit", plan, insats.pk), insats_post(plan))
        assert response.status_code == 403


def test_deleting_an_insats_removes_its_budget_line(personas, plan):
    personas["kansli_a"].post(url("insats_create", plan), insats_post(plan, beviljat_2027="1000"))
    insats = Insats.objects.get(name="Unga till arbete")
    response = personas["kansli_a"].post(url("insats_delete", plan, insats.pk))
    assert response.status_code == 302
    assert not BudgetLine.objects.filter(name="Unga till arbete").exists()
    assert AuditEvent.objects.filter(action="insats.delete").get().changes["beviljat"] == {
        "2027 budget": {"kr": "1000"}
    }


def test_the_list_filters_by_kind_status_owner_and_malgrupp(personas, plan, world):
    from tests import factories

    fk = member(plan, "fk")
    factories.insats(plan, name="Strukturen", kind="struktur", status="ny")
    factories.insats(plan, name="FK:s team", agare=fk, parter=[member(plan, "af")])
    client = personas["styrelse_a"]

    def names(**params):
        response = client.get(url("insats_list", plan), params)
        return [row["insats"].name for row in response.context["rows"]]

    assert names() == ["FK:s team", "Finsam-team", "Strukturen"]  # individ first, as in the budget
    assert names(kind="struktur") == ["Strukturen"]
    assert names(status="ny") == ["Strukturen"]
    assert names(agare=fk.pk) == ["FK:s team"]
    assert names(malgrupp=world["malgrupp_a"].pk) == ["Finsam-team"]
    assert names(kind="okänt") == [
        "FK:s team",
        "Finsam-team",
        "Strukturen",
    ]  # a bad filter filters nothing


def test_the_list_shows_money_per_year_and_totals(personas, plan):
    from tests import factories

    plan.under_use_percent = Decimal(10)
    plan.save()
    factories.insats(plan, name="A", money={2027: 100_000, 2028: 50_000})
    factories.insats(plan, name="B", money={2027: 300_000})
    response = personas["revisor_a"].get(url("insats_list", plan))
    rows = {row["insats"].name: row["amounts"] for row in response.context["rows"]}
    assert rows["A"] == [(100_000, 90_000), (50_000, 45_000), (0, 0)]
    assert response.context["totals"][0] == [400_000, 360_000]
    assert "360\xa0000" in response.content.decode()
