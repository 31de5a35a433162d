"""The health checks a load balancer asks (docs/scaling.md)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError


@pytest.mark.django_db
def test_the_app_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/halsa/")
    assert response.status_code == 200 and response.content == b"ok\n"


@pytest.mark.django_db
def test_the_database_check_says_when_the_database_does_not_answer(client, monkeypatch):
    assert client.get("/halsa/databas/").status_code == 200

    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/halsa/databas/")
    assert response.status_code == 503
    assert "databasen svarar inte" in response.content.decode()
