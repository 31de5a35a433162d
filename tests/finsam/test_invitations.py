"""Invitations by e-mail: a single-use link that gives a role, to a new person or an account."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from finsam.models import Membership, Role, Seat

NOW = "2026-03-02 10:00 +01:00"
PASSWORD = "Kvittra-Lingon-37"


def _link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/inbjudan/[^\s]+/)", message.body).group(1)


def _invite(kansli_a, forbund_a, capture, email="ny.person@example.se", **over) -> str:
    """The kansli invites through the page; the link in the e-mail sent on commit."""
    data = {
        "email": email,
        "role": Role.STYRELSE,
        "seat": Seat.LEDAMOT,
        "medlem": str(forbund_a.medlemmar.get(kind="fk").pk),
        "title": "",
        "starts_on": "",
        "ends_on": "",
    }
    data.update(over)
    with capture(execute=True):
        response = kansli_a.post(f"/f/{forbund_a.slug}/personer/bjud-in/", data)
    assert response.status_code == 302, response.content.decode()
    return _link_path(mail.outbox[-1])


def _new_account(client, path, **over):
    data = {
        "first_name": "Nora",
        "last_name": "Nyberg",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(over)
    return client.post(path, data)


@pytest.mark.django_db(transaction=False)
@time_machine.travel(NOW, tick=False)
def test_a_new_person_accepts_chooses_a_password_and_lands_in_the_forbund(
    kansli_a, forbund_a, client, django_capture_on_commit_callbacks
):
    path = _invite(
        kansli_a, forbund_a, django_capture_on_commit_callbacks, email="Ny.Person@Example.se"
    )
    body = mail.outbox[-1].body
    assert "Välj ett lösenord" in body and "Du har redan ett konto" not in body
    assert forbund_a.name in body and "Styrelseledamot" in body
    assert "2023-01-01 – 2026-12-31" in body  # the current mandate period by default
    assert mail.outbox[-1].to == ["ny.person@example.se"]

    page = client.get(path)
    assert "Välj ett lösenord" in page.content.decode()
    response = _new_account(client, path)
    assert response.status_code == 302
    assert response["Location"] == f"/f/{forbund_a.slug}/"
    user = get_user_model().objects.get(username="ny.person@example.se")
    assert user.get_full_name() == "Nora Nyberg"
    role = Membership.objects.get(user=user, forbund=forbund_a)
    assert (role.role, role.seat, role.starts_on, role.ends_on) == (
        Role.STYRELSE,
        Seat.LEDAMOT,
        date(2023, 1, 1),
        date(2026, 12, 31),
    )
    assert role.medlem.kind == "fk"
    assert client.get(f"/f/{forbund_a.slug}/").status_code == 200  # logged in
    assert forbund_a.audit_events.filter(action="invitation.accept").exists()


@pytest.mark.django_db
def test_the_link_works_once(kansli_a, forbund_a, client, django_capture_on_commit_callbacks):
    path = _invite(kansli_a, forbund_a, django_capture_on_commit_callbacks)
    assert _new_account(client, path).status_code == 302
    again = Client().get(path)
    assert again.status_code == 410
    assert "Inbjudan har redan använts." in again.content.decode()
    assert Membership.objects.filter(user__username="ny.person@example.se").count() == 1
