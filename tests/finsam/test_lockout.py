"""Login throttling and sessions ([10] items 1 and 5): repeated wrong passwords lock the
username and the address out for a cool-off, with a Swedish message and an unlock for the
system administrator; sessions end after inactivity and a password change ends the others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = "konto/logga-in/"


def attempt(client, username, password, ip="10.0.0.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_repeated_wrong_passwords_lock_the_username_out_even_with_the_right_one():
    user = factories.kansli(factories.complete_forbund()).user
    client = Client()
    for _ in range(4):
        assert attempt(client, user.username, "fel-lösenord").status_code == 200
    # The fifth failure locks; the right password then does not let anyone in.
    assert attempt(client, user.username, "fel-lösenord").status_code == 429
    locked = attempt(client, user.username, factories.PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Inloggningen är tillfälligt låst" in page and "15 minuter" in page
    assert "_auth_user_id" not in client.session
    # From another address too: the username is locked, not only the pair.
    assert attempt(Client(), user.username, factories.PASSWORD, ip="10.0.0.8").status_code == 429


def test_one_address_trying_many_usernames_is_locked_out():
    client = Client()
    for i in range(5):
        attempt(client, f"gissning{i}", "fel", ip="10.9.9.9")
    user = factories.kansli(factories.complete_forbund()).user
    assert attempt(client, user.username, factories.PASSWORD, ip="10.9.9.9").status_code == 429
    assert attempt(Client(), user.username, factories.PASSWORD, ip="10.9.9.10").status_code == 302


def test_the_lock_lifts_after_the_cool_off_or_when_the_administrator_unlocks():
    user = factories.kansli(factories.complete_forbund()).user
    for _ in range(5):
        attempt(Client(), user.username, "fel")
    assert attempt(Client(), user.username, factories.PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(Client(), user.username, factories.PASSWORD).status_code == 302
    for _ in range(5):
        attempt(Client(), user.username, "fel")
    assert attempt(Client(), user.username, factories.PASSWORD).status_code == 429
    call_command("axes_reset_username", user.username)
    assert attempt(Client(), user.username, factories.PASSWORD).status_code == 302


def test_a_session_ends_after_inactivity_and_activity_keeps_it():
    user = factories.kansli(factories.complete_forbund()).user
    client = Client()
    assert attempt(client, user.username, factories.PASSWORD).status_code == 302
    assert client.get(reverse("start")).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date > timezone.now() + timedelta(hours=7)  # a working day ahead
    # A request after more than five quiet minutes moves the end a working day on again.
    store = client.session
    store["_finsam_seen"] = 0
    store.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(hours=1))
    client.get(reverse("start"))
    assert Session.objects.get(pk=session.pk).expire_date > timezone.now() + timedelta(hours=7)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("start"))
    assert response.status_code == 302 and LOGIN in response["Location"]


def test_a_password_change_logs_the_person_out_elsewhere():
    user = factories.kansli(factories.complete_forbund()).user
    here, elsewhere = Client(), Client()
    attempt(here, user.username, factories.PASSWORD)
    attempt(elsewhere, user.username, factories.PASSWORD, ip="10.0.0.9")
    assert elsewhere.get(reverse("start")).status_code == 200
    response = here.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Ett-nytt-langt-losenord-2026",
            "new_password2": "Ett-nytt-langt-losenord-2026",
        },
    )
    assert response.status_code == 302
    assert here.get(reverse("start")).status_code == 200  # this session goes on
    gone = elsewhere.get(reverse("start"))
    assert gone.status_code == 302 and LOGIN in gone["Location"]
