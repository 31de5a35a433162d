"""Login throttling and sessions ([10] items 1 and 5, [12] item 3): repeated wrong passwords
lock out the person, at the address they come from and (at a higher limit) from anywhere, and an
address that fails for many usernames, each for a cool-off, with a Swedish page saying what is
locked and when it lifts, and an unlock for the system administrator; the client's address is
read from X-Forwarded-For only when it comes from a named proxy. Sessions end after inactivity
and a password change ends the others."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
LOGIN = "konto/logga-in/"
PROXY = "10.1.0.2"
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def attempt(client, username, password, ip="10.0.0.7", forwarded_for=None):
    headers = {"REMOTE_ADDR": ip}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"login": username, "password": password}, **headers)


def limit(*parameters: str) -> int:
    """The configured number of failures that locks what `parameters` count."""
    return settings.LOGIN_FAILURE_LIMITS[parameters]


def fail(username, times, ip="10.0.0.7", forwarded_for=None):
    for _ in range(times):
        response = attempt(Client(), username, "fel-lösenord", ip, forwarded_for)
        assert response.status_code in (200, 429)


def logs_in(username, ip="10.0.0.7", forwarded_for=None) -> bool:
    response = attempt(Client(), username, factories.PASSWORD, ip, forwarded_for)
    assert response.status_code in (302, 429)
    return response.status_code == 302


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def test_an_attacker_guessing_one_persons_password_is_stopped_even_with_the_right_one():
    user = factories.kansli(factories.complete_forbund()).user
    client = Client()
    for _ in range(limit("username", "ip_address") - 1):
        assert attempt(client, user.username, "fel-lösenord").status_code == 200
    # The failure at the limit locks; the right password then does not let anyone in.
    assert attempt(client, user.username, "fel-lösenord").status_code == 429
    locked = attempt(client, user.username, factories.PASSWORD)
    assert locked.status_code == 429
    page = page_text(locked)
    assert "Inloggningen är tillfälligt låst" in page and "15 minuter" in page
    assert f"inte att logga in som {user.username} härifrån" in page
    assert "från den här adressen" not in page
    assert "_auth_user_id" not in client.session


def test_another_person_at_the_same_address_can_still_log_in():
    forbund = factories.complete_forbund()
    target, colleague = factories.kansli(forbund).user, factories.kansli(forbund).user
    # One person's twenty typos (or an attacker's guesses) at an office's one public address.
    fail(target.username, 20, ip="127.0.0.1")
    assert not logs_in(target.username, ip="127.0.0.1")
    assert logs_in(colleague.username, ip="127.0.0.1")


def test_the_same_person_elsewhere_gets_in_until_the_person_limit_and_again_after_the_cool_off():
    user = factories.kansli(factories.complete_forbund()).user
    pair, person = limit("username", "ip_address"), limit("username")
    with time_machine.travel(START, tick=False) as clock:
        fail(user.username, pair, ip="10.0.0.7")
        assert not logs_in(user.username, ip="10.0.0.7")
        assert logs_in(user.username, ip="10.0.0.8")  # at home, say
        # A guess from each of many addresses: the person's failures add up wherever they come from.
        for i in range(person - pair - 1):
            fail(user.username, 1, ip=f"192.0.2.{i + 1}")
        assert logs_in(user.username, ip="10.0.0.8")
        fail(user.username, 1, ip="192.0.2.200")
        locked = attempt(Client(), user.username, factories.PASSWORD, ip="10.0.0.9")
        assert locked.status_code == 429
        assert f"inte att logga in som {user.username} härifrån" in page_text(locked)
        clock.shift(timedelta(minutes=14, seconds=59))
        assert not logs_in(user.username, ip="10.0.0.9")
        clock.shift(timedelta(seconds=2))
        assert logs_in(user.username, ip="10.0.0.9")
        assert logs_in(user.username, ip="10.0.0.7")


def test_the_page_says_when_the_lock_lifts_and_trying_again_does_not_move_it():
    user = factories.kansli(factories.complete_forbund()).user
    with time_machine.travel(START, tick=False) as clock:
        fail(user.username, limit("username", "ip_address"))
        clock.shift(timedelta(minutes=10, seconds=30))
        locked = attempt(Client(), user.username, factories.PASSWORD)
        assert locked.status_code == 429
        assert "förrän om 5 minuter" in page_text(locked)
        assert locked["Retry-After"] == str(4 * 60 + 30)
        clock.shift(timedelta(minutes=4))
        assert "förrän om 1 minut." in page_text(attempt(Client(), user.username, "fel"))
        clock.shift(timedelta(seconds=31))
        assert logs_in(user.username)


def test_a_spray_of_one_guess_over_many_usernames_is_stopped_at_the_address_limit():
    forbund = factories.complete_forbund()
    colleague, other = factories.kansli(forbund).user, factories.kansli(forbund).user
    for i in range(limit("ip_address") - 1):
        assert attempt(Client(), f"gissning{i}", "fel", ip="10.9.9.9").status_code == 200
    # A colleague's login at the same address does not wipe the count of others' failures.
    assert logs_in(colleague.username, ip="10.9.9.9")
    assert attempt(Client(), "gissning-sista", "fel", ip="10.9.9.9").status_code == 429
    locked = attempt(Client(), other.username, factories.PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429
    page = page_text(locked)
    assert "från den här adressen" in page and other.username not in page
    assert logs_in(other.username, ip="10.9.9.10")


def test_a_forged_forwarded_for_does_not_dodge_the_limits_without_named_proxies():
    forbund = factories.complete_forbund()
    user, colleague = factories.kansli(forbund).user, factories.kansli(forbund).user
    for i in range(limit("username", "ip_address")):
        fail(user.username, 1, ip="10.9.9.9", forwarded_for=f"203.0.113.{i + 1}")
    assert not logs_in(user.username, ip="10.9.9.9", forwarded_for="203.0.113.250")
    # The address has those failures; a spray over usernames fills it up to the limit.
    for i in range(limit("ip_address") - limit("username", "ip_address") - 1):
        fail(f"gissning{i}", 1, ip="10.9.9.9", forwarded_for=f"198.51.100.{i + 1}")
    assert logs_in(colleague.username, ip="10.9.9.9", forwarded_for="198.51.100.250")
    fail("gissning-sista", 1, ip="10.9.9.9", forwarded_for="198.51.100.251")
    assert not logs_in(colleague.username, ip="10.9.9.9", forwarded_for="198.51.100.252")


@override_settings(TRUSTED_PROXIES=[ip_network(PROXY)])
def test_named_proxies_tell_the_clients_behind_them_apart_by_forwarded_for():
    user = factories.kansli(factories.complete_forbund()).user
    # The proxy appends the address it saw to whatever the client sent; the left part is forged.
    for i in range(limit("username", "ip_address")):
        fail(user.username, 1, ip=PROXY, forwarded_for=f"192.0.2.{i + 1}, 203.0.113.5")
    assert not logs_in(user.username, ip=PROXY, forwarded_for="203.0.113.5")
    assert logs_in(user.username, ip=PROXY, forwarded_for="203.0.113.6")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


@override_settings(TRUSTED_PROXIES=[ip_network(PROXY)])
def test_a_forwarded_for_from_an_address_that_is_not_a_named_proxy_is_ignored():
    user = factories.kansli(factories.complete_forbund()).user
    for i in range(limit("username", "ip_address")):
        fail(user.username, 1, ip="198.51.100.7", forwarded_for=f"203.0.113.{i + 1}")
    assert not logs_in(user.username, ip="198.51.100.7", forwarded_for="203.0.113.250")
    assert logs_in(user.username, ip=PROXY, forwarded_for="203.0.113.250")


def test_a_proxy_that_is_not_an_address_stops_the_start():
    env = {**os.environ, "FINSAM_TRUSTED_PROXIES": f"{PROXY}, proxy.example.se"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "FINSAM_TRUSTED_PROXIES: 'proxy.example.se'" in result.stderr


def test_the_administrator_unlocks_a_person_or_an_address():
    forbund = factories.complete_forbund()
    user, colleague = factories.kansli(forbund).user, factories.kansli(forbund).user
    fail(user.username, limit("username", "ip_address"))
    assert not logs_in(user.username)
    call_command("axes_reset_username", user.username)
    assert logs_in(user.username)
    for i in range(limit("ip_address")):
        fail(f"gissning{i}", 1, ip="10.9.9.9")
    assert not logs_in(colleague.username, ip="10.9.9.9")
    call_command("axes_reset_ip", "10.9.9.9")
    assert logs_in(colleague.username, ip="10.9.9.9")


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
