"""Logging in: password, a code by e-mail where the förbund allows it, Glömt lösenord?, the
second factor (an authenticator app's codes, recovery codes) and where it is required, one's
sessions, and every step of it in the log. No page tells whether an address has an account."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.test import Client

from finsam.models import AccessGroup, AuditEvent
from tests import factories

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LOGIN = "/konto/logga-in/"
CODE = r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # allauth's rate limits and used TOTP codes live there
    yield
    cache.clear()


def login(client: Client, name: str, password: str = factories.PASSWORD):
    return client.post(LOGIN, {"login": name, "password": password})


def totp_code(secret: str, at: datetime) -> str:
    return format_hotp_value(hotp_value(secret, int(at.timestamp()) // 30))


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.django_db
def test_a_person_logs_in_with_username_or_email_address_and_it_is_logged():
    member = factories.ledamot(factories.complete_forbund())
    member.user.email = "anna.ek@kommun.se"
    member.user.save()
    assert login(Client(), member.user.username).status_code == 302
    client = Client(HTTP_USER_AGENT="Testwebbläsare/1.0")
    assert login(client, "Anna.Ek@kommun.se").status_code == 302
    # The welcome names the person, not their username.
    welcome = client.get("/").content.decode()
    assert f"loggat in som {member.user.get_full_name()}" in welcome
    assert client.get(f"/f/{member.forbund.slug}/").status_code == 200
    event = AuditEvent.objects.filter(action="account.login", actor=member.user).first()
    assert event.changes["webbläsare"][1] == "Testwebbläsare/1.0"
    page = client.get("/konto/sakerhet/").content.decode()
    assert "Loggade in" in page and "127.0.0.1" in page


@pytest.mark.django_db
def test_a_failed_login_is_logged_and_says_nothing_about_the_account():
    member = factories.ledamot(factories.complete_forbund())
    wrong = login(Client(), member.user.username, "fel").content.decode()
    nobody = login(Client(), "ingen-sadan-person", "fel").content.decode()
    message = "Användarnamnet och/eller lösenordet är felaktigt"
    assert message in wrong and message in nobody
    assert AuditEvent.objects.filter(action="account.login_failed", actor=member.user).exists()
    # A login is no change to the förbund: its log of changes stays as it was.
    assert not member.forbund.audit_events.filter(action__startswith="account.").exists()


@pytest.mark.django_db
def test_forgotten_password_link_works_once_and_the_page_never_tells_whether_the_address_exists():
    member = factories.ledamot(factories.complete_forbund())
    member.user.email = "anna.ek@kommun.se"
    member.user.save()
    known = Client().post("/konto/password/reset/", {"email": "anna.ek@kommun.se"})
    unknown = Client().post("/konto/password/reset/", {"email": "okand@kommun.se"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1  # none to an unknown address
    url = path_of(link_in(mail.outbox[0]))
    client = Client()
    form = client.get(url, follow=True)
    assert form.status_code == 200
    new = "ett-nytt-langt-losenord-42"
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else url,
        {"password1": new, "password2": new},
    )
    assert done.status_code == 302
    assert login(Client(), member.user.username, new).status_code == 302
    # The same link again: refused, the password stays.
    again = Client().get(url, follow=True).content.decode()
    assert "ogiltig" in again.lower() or "använts" in again
    assert AuditEvent.objects.filter(action="account.password_reset", actor=member.user).exists()


@pytest.mark.django_db
def test_a_board_member_logs_in_with_a_code_by_email():
    member = factories.ledamot(factories.complete_forbund())
    member.user.email = "anna.ek@kommun.se"
    member.user.save()
    client = Client()
    asked = client.post("/konto/login/code/", {"email": "anna.ek@kommun.se"})
    assert asked.status_code == 302
    code = re.search(CODE, mail.outbox[0].body, re.M).group(1)
    done = client.post("/konto/login/code/confirm/", {"code": code})
    assert done.status_code == 302
    assert client.get(f"/f/{member.forbund.slug}/").status_code == 200


@pytest.mark.django_db
def test_a_role_the_forbund_does_not_allow_codes_for_gets_no_code_and_the_page_looks_the_same():
    forbund = factories.complete_forbund()
    forbund.code_login_for = [AccessGroup.STYRELSE.value]  # not the kansli
    forbund.save()
    kansli = factories.kansli(forbund)
    kansli.user.email = "kansli@forbund.se"
    kansli.user.save()
    client = Client()
    asked = client.post("/konto/login/code/", {"email": "kansli@forbund.se"})
    unknown = Client().post("/konto/login/code/", {"email": "okand@forbund.se"})
    assert asked.status_code == unknown.status_code == 302
    assert len(mail.outbox) == 1
    assert "tillåter inte inloggning med kod" in mail.outbox[0].body
    assert not re.search(CODE, mail.outbox[0].body, re.M)
    assert AuditEvent.objects.filter(action="account.code_refused", actor=kansli.user).exists()


def activate_totp(client: Client, at: datetime, on_commit) -> str:
    # allauth asks for the password again before a second factor is added.
    client.post("/konto/reauthenticate/", {"password": factories.PASSWORD})
    page = client.get("/konto/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    with on_commit(execute=True):  # allauth announces the new factor once it is committed
        done = client.post("/konto/2fa/totp/activate/", {"code": totp_code(secret, at)})
    assert done.status_code == 302, done.content.decode()[:2000]
    return secret


@pytest.mark.django_db
def test_a_second_factor_is_asked_at_login_and_a_replayed_code_is_refused(
    django_capture_on_commit_callbacks,
):
    member = factories.ledamot(factories.complete_forbund())
    with time_machine.travel(NOW, tick=False):
        client = Client()
        assert login(client, member.user.username).status_code == 302
        secret = activate_totp(client, NOW, django_capture_on_commit_callbacks)
    assert AuditEvent.objects.filter(action="account.mfa_added", actor=member.user).exists()
    later = NOW + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        client = Client()
        asked = login(client, member.user.username)
        assert asked["Location"].startswith("/konto/2fa/authenticate/")
        # Without the code the person is not logged in.
        assert client.get(f"/f/{member.forbund.slug}/").status_code == 302
        code = totp_code(secret, later)
        assert client.post("/konto/2fa/authenticate/", {"code": code}).status_code == 302
        assert client.get(f"/f/{member.forbund.slug}/").status_code == 200
        # The same code, within its window, from another browser: refused.
        other = Client()
        login(other, member.user.username)
        replay = other.post("/konto/2fa/authenticate/", {"code": code})
        assert replay.status_code == 200
        assert other.get(f"/f/{member.forbund.slug}/").status_code == 302


@pytest.mark.django_db
def test_a_recovery_code_works_once(django_capture_on_commit_callbacks):
    member = factories.ledamot(factories.complete_forbund())
    with time_machine.travel(NOW, tick=False):
        client = Client()
        login(client, member.user.username)
        activate_totp(client, NOW, django_capture_on_commit_callbacks)
        codes = (
            Authenticator.objects.get(user=member.user, type=Authenticator.Type.RECOVERY_CODES)
            .wrap()
            .get_unused_codes()
        )
    first = Client()
    login(first, member.user.username)
    assert first.post("/konto/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    second = Client()
    login(second, member.user.username)
    assert second.post("/konto/2fa/authenticate/", {"code": codes[0]}).status_code == 200
    assert second.get(f"/f/{member.forbund.slug}/").status_code == 302


@pytest.mark.django_db
def test_a_role_the_forbund_requires_a_second_factor_for_must_add_one_first(
    django_capture_on_commit_callbacks,
):
    forbund = factories.complete_forbund()
    forbund.mfa_required_for = [AccessGroup.KANSLI.value, AccessGroup.ORDFORANDE.value]
    forbund.save()
    kansli = factories.kansli(forbund)
    revisor = factories.revisor(forbund)
    with time_machine.travel(NOW, tick=False):
        client = Client()
        login(client, kansli.user.username)
        page = client.get(f"/f/{forbund.slug}/", follow=True)
        assert page.redirect_chain[-1][0] == "/konto/2fa/"
        assert "kräver tvåstegsverifiering" in page.content.decode()
        activate_totp(client, NOW, django_capture_on_commit_callbacks)
        assert client.get(f"/f/{forbund.slug}/").status_code == 200
    # A role the policy does not name is let through.
    other = Client()
    login(other, revisor.user.username)
    assert other.get(f"/f/{forbund.slug}/").status_code == 200


@pytest.mark.django_db
def test_a_person_sees_their_sessions_and_logs_out_everywhere_else():
    member = factories.ledamot(factories.complete_forbund())
    phone = Client(
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36"
    )
    laptop = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; rv:133.0) Firefox/133.0")
    login(phone, member.user.username)
    login(laptop, member.user.username)
    page = laptop.get("/konto/sakerhet/").content.decode()
    assert "Chrome på Android" in page and "Firefox på Windows" in page and "(den här)" in page
    laptop.post("/konto/sakerhet/", {"action": "logout_others"})
    assert (
        "Loggade ut på alla andra enheter (en inloggning)"
        in laptop.get("/konto/sakerhet/").content.decode()
    )
    assert phone.get(f"/f/{member.forbund.slug}/").status_code == 302
    assert laptop.get(f"/f/{member.forbund.slug}/").status_code == 200


@pytest.mark.django_db
def test_nobody_signs_up_without_an_invitation():
    page = Client().get("/konto/signup/").content.decode()
    Client().post(
        "/konto/signup/",
        {
            "email": "ny@x.se",
            "username": "ny",
            "password1": "x-langt-42-a",
            "password2": "x-langt-42-a",
        },
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="ny").exists()
    assert "stängd" in page.lower() or "inte öppen" in page.lower() or "closed" not in page


@pytest.mark.django_db
def test_a_board_member_of_the_coming_period_may_log_in_by_code_and_a_past_one_may_not():
    from datetime import date

    forbund = factories.complete_forbund()
    coming = factories.ledamot(forbund, starts_on=date(2027, 1, 1), ends_on=date(2030, 12, 31))
    past = factories.ledamot(forbund, starts_on=date(2019, 1, 1), ends_on=date(2022, 12, 31))
    for member, address in ((coming, "ny@kommun.se"), (past, "gammal@kommun.se")):
        member.user.email = address
        member.user.save()
    with time_machine.travel(datetime(2026, 12, 10, 9, 0, tzinfo=UTC), tick=False):
        Client().post("/konto/login/code/", {"email": "ny@kommun.se"})
        Client().post("/konto/login/code/", {"email": "gammal@kommun.se"})
    coming_mail, past_mail = mail.outbox
    assert re.search(CODE, coming_mail.body, re.M)
    assert "tillåter inte inloggning med kod" in past_mail.body


def test_a_device_is_named_as_its_owner_knows_it():
    from finsam.accounts import device_label

    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
    )
    edge = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
    )
    assert device_label(firefox) == "Firefox på Windows"
    assert device_label(iphone) == "Safari på iPhone"
    assert device_label(edge) == "Edge på Windows"
    assert device_label("") == "Okänd webbläsare"


@pytest.mark.django_db
def test_a_role_that_comes_to_require_a_second_factor_during_a_session_is_sent_to_add_one():
    forbund = factories.complete_forbund()
    forbund.mfa_required_for = [AccessGroup.ORDFORANDE.value]
    forbund.save()
    member = factories.ledamot(forbund)
    with time_machine.travel(NOW, tick=False):
        client = Client()
        login(client, member.user.username)
        assert client.get(f"/f/{forbund.slug}/").status_code == 200
        member.is_chair = True  # the kansli makes them chair while they are logged in
        member.save()
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        page = client.get(f"/f/{forbund.slug}/")
        assert page.status_code == 302 and page["Location"] == "/konto/2fa/"


@pytest.mark.django_db
def test_nobody_claims_another_persons_address():
    member = factories.ledamot(factories.complete_forbund())
    client = Client()
    client.force_login(member.user)
    response = client.post("/konto/email/", {"action_add": "", "email": "someone.else@kommun.se"})
    assert response.status_code == 404
    member.user.refresh_from_db()
    assert member.user.email != "someone.else@kommun.se"


@pytest.mark.django_db
def test_an_address_locked_out_of_the_login_gets_no_reset_link_and_no_code():
    from django.conf import settings

    member = factories.ledamot(factories.complete_forbund())
    member.user.email = "anna.ek@kommun.se"
    member.user.save()
    for i in range(settings.LOGIN_FAILURE_LIMITS["ip_address",]):
        Client(REMOTE_ADDR="10.7.7.7").post(LOGIN, {"login": f"gissning{i}", "password": "fel"})
    locked = Client(REMOTE_ADDR="10.7.7.7")
    reset = locked.post("/konto/password/reset/", {"email": "anna.ek@kommun.se"})
    code = locked.post("/konto/login/code/", {"email": "anna.ek@kommun.se"})
    assert reset.status_code == code.status_code == 429
    assert "Inloggningen är låst" in reset.content.decode() or "låst" in reset.content.decode()
    assert mail.outbox == []
    # From another address the person still gets their link.
    Client(REMOTE_ADDR="10.7.7.8").post("/konto/password/reset/", {"email": "anna.ek@kommun.se"})
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_address_with_a_nul_character_gets_a_message_not_a_server_error():
    for url in ("/konto/password/reset/", "/konto/login/code/"):
        response = Client().post(url, {"email": "anna\x00@kommun.se"})
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert mail.outbox == []
