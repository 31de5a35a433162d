"""The member set: exactly one FK, AF and region, kommuner unless the region has their role."""

from __future__ import annotations

import pytest

from finsam.members import member_set_problems
from finsam.models import Fordelningstal, Medlem
from tests.factories import ForbundFactory, MedlemFactory


def test_complete_member_set_has_no_problems():
    assert member_set_problems(["fk", "af", "region", "kommun"], region_has_kommun_role=False) == []


def test_missing_members_are_named():
    problems = member_set_problems(["fk", "region"], region_has_kommun_role=False)
    assert problems == [
        "Arbetsförmedlingen saknas bland medlemmarna.",
        "Minst en kommun saknas bland medlemmarna.",
    ]


def test_gotland_style_needs_no_kommun_and_refuses_one():
    assert member_set_problems(["fk", "af", "region"], region_has_kommun_role=True) == []
    problems = member_set_problems(["fk", "af", "region", "kommun"], region_has_kommun_role=True)
    assert len(problems) == 1 and "Regionen har kommunens roll" in problems[0]


def test_two_of_a_single_kind_is_a_problem():
    problems = member_set_problems(
        ["fk", "fk", "af", "region", "kommun"], region_has_kommun_role=False
    )
    assert problems == ["Förbundet har 2 medlemmar av slaget Försäkringskassan; det ska vara en."]


@pytest.mark.django_db
def test_forbund_page_tells_what_is_missing(personas, forbund_a):
    forbund_a.medlemmar.filter(kind="af").delete()
    response = personas["styrelse_a"].get(f"/f/{forbund_a.slug}/")
    assert "Arbetsförmedlingen saknas bland medlemmarna." in response.content.decode()


@pytest.mark.django_db
def test_forbund_page_lists_members_with_kind_and_population(personas, forbund_a):
    kommun = forbund_a.medlemmar.get(name="Testköping 1")
    Fordelningstal.objects.create(medlem=kommun, year=2022, invanare=12345)
    html = personas["revisor_a"].get(f"/f/{forbund_a.slug}/").content.decode()
    assert "Testköping 1" in html
    assert "12\xa0345 invånare" in html
    assert "Medlemsuppsättningen är inte komplett" not in html


def _medlem_post(name: str, kind: str, rows: list[tuple[str, str, str]] = ()) -> dict:
    data = {
        "name": name,
        "kind": kind,
        "order": "5",
        "fordelning-TOTAL_FORMS": str(max(len(rows), 1)),
        "fordelning-INITIAL_FORMS": "0",
        "fordelning-MIN_NUM_FORMS": "0",
        "fordelning-MAX_NUM_FORMS": "1000",
    }
    for i, (year, inv, andel) in enumerate(rows):
        data[f"fordelning-{i}-year"] = year
        data[f"fordelning-{i}-invanare"] = inv
        data[f"fordelning-{i}-avtalad_andel"] = andel
    return data


@pytest.mark.django_db
def test_kansli_adds_a_kommun_with_population(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/medlemmar/ny/",
        _medlem_post("Nyköping kommun", "kommun", [("2023", "57000", "")]),
    )
    assert response.status_code == 302
    medlem = Medlem.objects.get(forbund=forbund_a, name="Nyköping kommun")
    assert medlem.fordelningstal.get(year=2023).invanare == 57000
    event = forbund_a.audit_events.get(action="medlem.create")
    assert event.actor == kansli_a.membership.user


@pytest.mark.django_db
def test_second_forsakringskassan_is_refused_beside_the_kind_field(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/medlemmar/ny/", _medlem_post("Försäkringskassan 2", "fk")
    )
    assert response.status_code == 200
    assert "det ska vara en" in response.context["form"].errors["kind"][0]
    assert forbund_a.medlemmar.filter(kind="fk").count() == 1
    assert not forbund_a.audit_events.exists()


@pytest.mark.django_db
def test_negative_population_is_refused_and_nothing_is_saved(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/medlemmar/ny/",
        _medlem_post("Minusköping", "kommun", [("2023", "-5", "")]),
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert errors["invanare"] == ["Antalet invånare kan inte vara negativt."]
    assert not Medlem.objects.filter(name="Minusköping").exists()


@pytest.mark.django_db
def test_both_population_and_agreed_share_is_refused(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/medlemmar/ny/",
        _medlem_post("Dubbelköping", "kommun", [("2023", "100", "3")]),
    )
    assert response.status_code == 200
    assert "inte båda" in str(response.context["formset"].forms[0].errors)
    assert not Medlem.objects.filter(name="Dubbelköping").exists()


@pytest.mark.django_db
def test_population_for_a_region_is_refused(kansli_a, forbund_b):
    forbund_b.medlemmar.filter(kind="region").delete()
    client = kansli_a
    # kansli A has no role in B: 404, and nothing is created there
    response = client.post(
        f"/f/{forbund_b.slug}/medlemmar/ny/",
        _medlem_post("Region X", "region", [("2023", "5", "")]),
    )
    assert response.status_code == 404
    assert not forbund_b.medlemmar.filter(kind="region").exists()


@pytest.mark.django_db
def test_fordelningstal_only_for_kommuner(kansli_a, forbund_a):
    forbund_a.medlemmar.filter(kind="region").delete()
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/medlemmar/ny/",
        _medlem_post("Region Ny", "region", [("2023", "5", "")]),
    )
    assert response.status_code == 200
    assert "bara för kommuner" in response.context["form"].errors["kind"][0]
    assert not forbund_a.medlemmar.filter(kind="region").exists()


@pytest.mark.django_db
def test_kommun_refused_when_region_has_the_kommun_role(kansli_a):
    forbund = kansli_a.membership.forbund
    forbund.medlemmar.filter(kind="kommun").delete()
    forbund.region_has_kommun_role = True
    forbund.save()
    response = kansli_a.post(f"/f/{forbund.slug}/medlemmar/ny/", _medlem_post("Visby", "kommun"))
    assert response.status_code == 200
    assert "Regionen har kommunens roll" in response.context["form"].errors["kind"][0]


@pytest.mark.django_db
def test_editing_another_forbunds_member_answers_404(personas, forbund_a, forbund_b):
    medlem_b = forbund_b.medlemmar.first()
    client = personas["kansli_a"]
    assert client.get(f"/f/{forbund_a.slug}/medlemmar/{medlem_b.pk}/").status_code == 404
    response = client.post(
        f"/f/{forbund_a.slug}/medlemmar/{medlem_b.pk}/", _medlem_post("Kapad", medlem_b.kind)
    )
    assert response.status_code == 404
    medlem_b.refresh_from_db()
    assert medlem_b.name != "Kapad"


@pytest.mark.django_db
def test_styrelse_cannot_change_a_member(personas, forbund_a):
    medlem = forbund_a.medlemmar.get(kind="region")
    response = personas["styrelse_a"].post(
        f"/f/{forbund_a.slug}/medlemmar/{medlem.pk}/", _medlem_post("Ändrad region", "region")
    )
    assert response.status_code == 403
    medlem.refresh_from_db()
    assert medlem.name == "Region Testlän"


@pytest.mark.django_db
def test_database_refuses_a_second_region_even_without_the_form():
    from django.db import IntegrityError, transaction

    forbund = ForbundFactory()
    MedlemFactory(forbund=forbund, kind="region", name="R1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Medlem.objects.create(forbund=forbund, kind="region", name="R2")


@pytest.mark.django_db
def test_a_second_member_with_the_same_name_is_refused_beside_the_name(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/medlemmar/ny/", _medlem_post("Testköping 1", "kommun")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Förbundet har redan en medlem med detta namn."
    ]
    assert forbund_a.medlemmar.filter(name="Testköping 1").count() == 1
