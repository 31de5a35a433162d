"""Every URL answers every persona as designed; other förbund's objects answer 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access import ANY_ROLE_IN_A, ANY_USER, KANSLI_OF_A, PERSONAS, all_url_names
from tests.matrix_rows import ROWS


def test_every_url_is_classified():
    unclassified = all_url_names() - set(ROWS)
    assert not unclassified, f"URLs without a row in tests/matrix_rows.py: {sorted(unclassified)}"


def test_matrix_has_no_stale_rows():
    assert set(ROWS) <= all_url_names()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROWS))
def test_url_answers_each_persona_as_designed(name, personas, world):
    row = ROWS[name]
    url = reverse(name, kwargs=row.kwargs(world))
    for persona in PERSONAS:
        response = personas[persona].get(url)
        expected = row.expect[persona]
        assert response.status_code == expected, (
            f"{name} as {persona}: {response.status_code}, expected {expected}"
        )
        if persona == "anonymous" and expected == 302:
            assert response["Location"].startswith(row.anonymous_to or reverse("login"))


def test_shorthands_cover_every_persona():
    for row in (ANY_ROLE_IN_A, ANY_USER, KANSLI_OF_A):
        assert set(row) == set(PERSONAS)


WRITE_EXPECT = {"styrelse_a": 403, "revisor_a": 403, "kansli_b": 404, "anonymous": 302}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, r in ROWS.items() if r.writes))
def test_a_post_by_the_wrong_persona_changes_nothing(name, personas, world):
    from finsam.models import AuditEvent

    url = reverse(name, kwargs=ROWS[name].kwargs(world))
    before = AuditEvent.objects.count()
    for persona, expected in WRITE_EXPECT.items():
        response = personas[persona].post(url, {"name": "Kapad", "which": "group"})
        assert response.status_code == expected, f"POST {name} as {persona}: {response.status_code}"
    assert AuditEvent.objects.count() == before
