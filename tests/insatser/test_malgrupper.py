"""Målgrupper of the plan period, linked to insatser, and the table målgrupp × insatser."""

from __future__ import annotations

import pytest

from finsam.models import AuditEvent
from insatser.models import Malgrupp
from insatser.tables import malgrupp_table
from tests import factories
from tests.helpers import url

pytestmark = pytest.mark.django_db


def test_kansli_adds_edits_and_removes_a_malgrupp(personas, world):
    plan = world["plan_a"]
    client = personas["kansli_a"]
    response = client.post(
        url("malgrupp_create", plan),
        {"name": "Utrikesfödda kvinnor", "description": "", "order": ""},
    )
    assert response["Location"] == url("malgrupp_list", plan)
    malgrupp = Malgrupp.objects.get(plan=plan, name="Utrikesfödda kvinnor")
    client.post(
        url("malgrupp_edit", plan, malgrupp.pk),
        {"name": "Utrikesfödda, särskilt kvinnor", "description": "", "order": "2"},
    )
    malgrupp.refresh_from_db()
    assert (malgrupp.name, malgrupp.order) == ("Utrikesfödda, särskilt kvinnor", 2)
    client.post(url("malgrupp_delete", plan, malgrupp.pk))
    assert not Malgrupp.objects.filter(pk=malgrupp.pk).exists()
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="malgrupp.")] == [
        "malgrupp.delete",
        "malgrupp.update",
        "malgrupp.create",
        "malgrupp.create",  # the world's
    ]


def test_a_duplicate_name_is_refused_beside_nothing_saved(personas, world):
    plan = world["plan_a"]
    response = personas["kansli_a"].post(
        url("malgrupp_create", plan),
        {"name": "Unga vuxna 16–29 år", "description": "", "order": ""},
    )
    assert response.status_code == 400
    assert "redan en målgrupp med detta namn" in response.content.decode()
    assert Malgrupp.objects.filter(plan=plan).count() == 1


def test_the_table_marks_which_insatser_serve_which_malgrupp(world):
    plan = world["plan_a"]
    unga = world["malgrupp_a"]
    kvinnor = factories.malgrupp(plan, name="Utrikesfödda kvinnor")
    factories.insats(plan, name="ESF Nordost", kind="esf", malgrupper=[kvinnor])
    factories.insats(plan, name="Analys", kind="struktur", malgrupper=[unga, kvinnor])
    factories.insats(plan, name="Gammal", status="avslutad", malgrupper=[unga])
    insatser = list(plan.insatser.active().prefetch_related("malgrupper"))
    table = malgrupp_table([unga, kvinnor], insatser)
    assert [(label, [i.name for i in group]) for label, group in table.groups] == [
        ("Individinriktade insatser", ["Finsam-team"]),
        ("ESF-projekt", ["ESF Nordost"]),
        ("Utvecklingsområden och strukturinriktade insatser", ["Analys"]),
    ]
    assert table.rows == [(unga, [True, False, True]), (kvinnor, [False, True, True])]


def test_the_malgrupp_page_shows_the_table_to_everyone_in_the_forbund(personas, world):
    plan = world["plan_a"]
    page = personas["revisor_a"].get(url("malgrupp_list", plan)).content.decode()
    assert "Målgrupper och de insatser och utvecklingsområden som riktar sig till dem" in page
    assert "Unga vuxna 16–29 år" in page and ">Finsam-team</a>" in page
    assert "Ny målgrupp" not in page


def test_a_table_of_more_insatser_than_a_page_holds_is_turned_an_insats_per_row(personas, world):
    """Labels are never hyphenated, so eight insatser do not fit as columns of whole words: the
    table turns, an insats per row under its kind and a målgrupp per column, marks kept."""
    plan = world["plan_a"]
    unga = world["malgrupp_a"]
    kvinnor = factories.malgrupp(plan, name="Utrikesfödda kvinnor")
    for n in range(6):
        factories.insats(plan, name=f"Arbetslivsinriktad samverkan {n}", malgrupper=[kvinnor])
    factories.insats(plan, name="Analys", kind="struktur", malgrupper=[unga, kvinnor])
    insatser = list(plan.insatser.active().prefetch_related("malgrupper"))
    table = malgrupp_table([unga, kvinnor], insatser)
    assert table.turned and table.malgrupper == [unga, kvinnor]
    assert [
        (label, [(i.name, marks) for i, marks in rows]) for label, rows in table.turned_groups
    ] == [
        (
            "Individinriktade insatser",
            [(f"Arbetslivsinriktad samverkan {n}", [False, True]) for n in range(6)]
            + [("Finsam-team", [True, False])],
        ),
        ("Utvecklingsområden och strukturinriktade insatser", [("Analys", [True, True])]),
    ]
    page = personas["revisor_a"].get(url("malgrupp_list", plan)).content.decode()
    assert '<th scope="col">Insats</th>' in page
    assert '<th scope="rowgroup" colspan="3">Individinriktade insatser</th>' in page
    # Seven insatser still fit as columns: the table keeps the förbund's shape.
    plan.insatser.get(name="Analys").delete()
    fewer = malgrupp_table(
        [unga, kvinnor], list(plan.insatser.active().prefetch_related("malgrupper"))
    )
    assert not fewer.turned
