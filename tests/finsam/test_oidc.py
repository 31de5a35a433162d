"""Login with a member organisation's own identity provider (OpenID Connect).

The provider is real: allauth's OpenID Connect identity provider in a small Django project of
its own (tests/oidc_provider/), started as another process on a free loopback port with its own
SQLite file and signing key. The product runs in pytest-django's live server; a
requests.Session walks between the two as a browser would (cookies, redirects, CSRF tokens)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import jwt
import pytest
import requests
import time_machine
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import RequestFactory

from finsam import people
from finsam.models import AuditEvent, Invitation, Membership, Role, Seat
from finsam.oidc_config import parse_providers, socialaccount_providers
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
IDP_PASSWORD = "provider-lösen-42"
PEOPLE = [
    {"email": "anna@regionx.se", "first_name": "Anna", "last_name": "Ek"},
    {"email": "bertil@regionx.se", "first_name": "Bertil", "last_name": "Berg"},
    {"email": "mallory@regionx.se", "first_name": "Mallory", "last_name": "Mask"},
]
OTHER_CLIENT_REDIRECT = "http://127.0.0.1:9/other-app/callback"
DOWN = "Region X:s inloggning svarar inte just nu. Logga in med lösenord eller kod i stället."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """Region X's identity provider, with a client for the product (redirect URI: the live
    server's callback) and one for another application, and three people."""
    port = _free_port()
    callback = f"{live_server.url}/konto/oidc/region-x/login/callback/"
    setup = {
        "clients": [
            {"id": "finsam", "secret": "finsam-hemlighet", "redirect_uris": [callback]},
            {
                "id": "other-app",
                "secret": "annan-hemlighet",
                "redirect_uris": [OTHER_CLIENT_REDIRECT],
            },
        ],
        "people": [{**p, "password": IDP_PASSWORD} for p in PEOPLE],
    }
    directory = tmp_path_factory.mktemp("oidc-provider")
    log = (directory / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.oidc_provider.serve",
            str(directory),
            str(port),
            json.dumps(setup),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        # The provider keeps the suite's time (FINSAM_TEST_CLOCK moves it), not the machine's.
        env={**os.environ, "OIDC_PROVIDER_CLOCK": datetime.now(UTC).isoformat()},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"The test provider did not start:\n{(directory / 'server.log').read_text()}"
                )
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _configure(settings, server_url: str, *, provider_id="region-x", name="Region X") -> None:
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        parse_providers(
            json.dumps(
                [
                    {
                        "id": provider_id,
                        "name": name,
                        "server_url": server_url,
                        "client_id": "finsam",
                        "secret": "finsam-hemlighet",
                        "domains": ["regionx.se"],
                    }
                ]
            ),
            allow_http=True,
        )
    )


@pytest.fixture
def region_x(settings, provider):
    _configure(settings, provider)
    # The live server is plain http; a browser on localhost would send secure cookies anyway.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    return provider


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _post_form(session, page, data, action=None):
    """Post data with the page's CSRF token to action (the page's own address by default)."""
    return session.post(
        urljoin(page.url, action or page.url),
        data={"csrfmiddlewaretoken": _csrf(page.text), **data},
    )


def _at_provider(session, page, email):
    """On the provider's login page: log in as email; the redirects lead back to the product."""
    assert "/accounts/login/" in page.url, page.url
    return _post_form(session, page, {"login": email, "password": IDP_PASSWORD})


def _password_login(session, live_server, username, password=factories.PASSWORD):
    page = session.get(f"{live_server.url}/konto/logga-in/")
    return _post_form(session, page, {"login": username, "password": password})


def _messages(response) -> str:
    return re.sub(r"\s+", " ", response.text)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_person_links_region_x_and_then_logs_in_with_it_but_never_by_address_alone(
    region_x, live_server, forbund_a
):
    anna = factories.ledamot(
        forbund_a, user=factories.UserFactory(username="anna", email="anna@regionx.se")
    ).user
    browser = requests.Session()

    # Not linked: the provider's address is Anna's, and still it does not log her in.
    page = browser.get(f"{live_server.url}/konto/logga-in/")
    assert "Logga in med Region X" in page.text
    refused = _at_provider(
        browser, _post_form(browser, page, {}, "/konto/oidc/region-x/login/"), "anna@regionx.se"
    )
    assert refused.url == f"{live_server.url}/konto/logga-in/"
    assert "inte kopplat till något konto i Finsam Plan" in _messages(refused)
    assert browser.get(f"{live_server.url}/").url.startswith(f"{live_server.url}/konto/logga-in/")
    assert not SocialAccount.objects.exists()

    # Logged in with her password, Anna links Region X on the connections page.
    assert _password_login(browser, live_server, "anna").url == f"{live_server.url}/"
    connections = browser.get(f"{live_server.url}/konto/3rdparty/")
    assert (
        "Inloggning via din organisation" in connections.text
        and "Koppla Region X" in connections.text
    )
    linked = _post_form(browser, connections, {}, "/konto/oidc/region-x/login/?process=connect")
    assert linked.url == f"{live_server.url}/konto/3rdparty/"  # already logged in at the provider
    assert SocialAccount.objects.get(provider="region-x").user == anna
    assert "Ta bort kopplingen" in linked.text

    # Logged out, and logged out at the provider too: Region X's login logs her in.
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/konto/logga-in/")
    landed = _at_provider(
        browser, _post_form(browser, page, {}, "/konto/oidc/region-x/login/"), "anna@regionx.se"
    )
    assert landed.url == f"{live_server.url}/", landed.url
    assert forbund_a.name in landed.text
    assert AuditEvent.objects.filter(actor=anna, action="account.login").count() == 2


def _invitation_link(forbund, email, capture) -> str:
    """An invitation's link, from the e-mail sent when it is committed."""
    with capture(execute=True):
        people.invitation_create(
            forbund=forbund,
            email=email,
            role=Role.STYRELSE,
            seat=Seat.LEDAMOT,
            medlem=forbund.medlemmar.get(kind="fk"),
            acting_user=None,
        )
    return re.search(r"(/inbjudan/[^\s]+/)", mail.outbox[-1].body).group(1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_invited_person_comes_in_through_region_x_and_gets_the_role(
    region_x, live_server, forbund_a, django_capture_on_commit_callbacks
):
    link = _invitation_link(forbund_a, "Bertil@RegionX.se", django_capture_on_commit_callbacks)
    browser = requests.Session()
    page = browser.get(live_server.url + link)
    assert "Fortsätt med Region X:s inloggning" in page.text
    assert "Välj ett lösenord" in page.text  # the password stays a choice

    landed = _at_provider(
        browser, _post_form(browser, page, {"provider": "region-x"}), "bertil@regionx.se"
    )

    assert landed.url == f"{live_server.url}/f/{forbund_a.slug}/", landed.url
    assert "Välkommen! Du är nu styrelseledamot i Samordningsförbundet A." in _messages(landed)
    bertil = get_user_model().objects.get(username="bertil@regionx.se")
    assert bertil.email == "bertil@regionx.se" and not bertil.has_usable_password()
    assert (bertil.first_name, bertil.last_name) == ("Bertil", "Berg")
    assert SocialAccount.objects.get(user=bertil).provider == "region-x"
    membership = Membership.objects.get(user=bertil)
    assert (membership.forbund, membership.role, membership.seat) == (
        forbund_a,
        Role.STYRELSE,
        Seat.LEDAMOT,
    )
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == bertil and invitation.membership == membership
    assert AuditEvent.objects.filter(forbund=forbund_a, action="invitation.accept").count() == 1
    # Single use, as with a password.
    again = browser.get(live_server.url + link)
    assert again.status_code == 410 and "redan använts" in again.text


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_another_address_at_the_provider_creates_nothing_and_leaves_the_invitation_open(
    region_x, live_server, forbund_a, django_capture_on_commit_callbacks
):
    link = _invitation_link(forbund_a, "cecilia@regionx.se", django_capture_on_commit_callbacks)
    browser = requests.Session()
    page = browser.get(live_server.url + link)

    back = _at_provider(
        browser, _post_form(browser, page, {"provider": "region-x"}), "mallory@regionx.se"
    )

    assert back.url == live_server.url + link
    assert (
        "Inbjudan gäller cecilia@regionx.se, men Region X:s inloggning gav en annan adress. "
        "Inget konto skapades och inbjudan gäller fortfarande" in _messages(back)
    )
    assert "Fortsätt med Region X:s inloggning" in back.text  # still open, both ways
    assert not get_user_model().objects.filter(email__iendswith="regionx.se").exists()
    assert not SocialAccount.objects.exists()
    assert Invitation.objects.get().accepted_at is None
    assert not Membership.objects.filter(user__username__icontains="regionx").exists()


def _id_token(provider_url, client_id, secret, redirect_uri, email) -> str:
    """A real ID token from the provider for client_id (authorization code flow)."""
    browser = requests.Session()
    page = browser.get(
        f"{provider_url}/identity/o/authorize",
        params={
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid email profile",
            "redirect_uri": redirect_uri,
            "state": "s",
        },
    )
    answer = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": _csrf(page.text), "login": email, "password": IDP_PASSWORD},
        allow_redirects=False,
    )
    while not answer.headers["Location"].startswith(redirect_uri):
        answer = browser.get(
            urljoin(provider_url, answer.headers["Location"]), allow_redirects=False
        )
    code = re.search(r"[?&]code=([^&]+)", answer.headers["Location"]).group(1)
    tokens = requests.post(
        f"{provider_url}/identity/o/api/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": secret,
        },
        timeout=5,
    )
    tokens.raise_for_status()
    return tokens.json()["id_token"]


def _verify(token: str):
    """The verification allauth's OpenID Connect provider applies to an ID token."""
    request = RequestFactory().get("/")
    return (
        get_adapter(request)
        .get_provider(request, "region-x")
        .verify_token(request, {"id_token": token})
    )


def _refusal(token: str) -> Exception:
    with pytest.raises(ValidationError) as refused:
        _verify(token)
    cause = refused.value.__cause__
    return cause.__cause__ if cause is not None else None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_id_token_for_another_client_is_refused(region_x, live_server):
    other = _id_token(
        region_x, "other-app", "annan-hemlighet", OTHER_CLIENT_REDIRECT, "anna@regionx.se"
    )
    ours = _id_token(
        region_x,
        "finsam",
        "finsam-hemlighet",
        f"{live_server.url}/konto/oidc/region-x/login/callback/",
        "anna@regionx.se",
    )
    assert isinstance(_refusal(other), jwt.InvalidAudienceError)
    assert _verify(ours).user.email == "anna@regionx.se"  # the same provider's token for us


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_expired_id_token_is_refused(region_x, live_server):
    callback = f"{live_server.url}/konto/oidc/region-x/login/callback/"
    token = _id_token(region_x, "finsam", "finsam-hemlighet", callback, "anna@regionx.se")
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    with time_machine.travel(expires + 1):
        assert isinstance(_refusal(token), jwt.ExpiredSignatureError)
    with time_machine.travel(expires - 60):
        assert _verify(token).user.email == "anna@regionx.se"


@pytest.fixture
def stopped_provider(settings):
    """Region X named, but nothing answers at its address: a provider that is down."""
    _configure(settings, f"http://127.0.0.1:{_free_port()}")


@pytest.fixture
def silent_provider(settings):
    """Region X takes the connection and never answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        _configure(settings, f"http://127.0.0.1:{listening.getsockname()[1]}")
        settings.SOCIALACCOUNT_REQUESTS_TIMEOUT = 1
        yield


@pytest.mark.parametrize("down", ["stopped_provider", "silent_provider"])
def test_a_provider_that_is_down_is_named_and_the_password_still_works(
    down, request, client, forbund_a
):
    request.getfixturevalue(down)
    person = factories.ledamot(forbund_a).user
    started = time.monotonic()
    response = client.post("/konto/oidc/region-x/login/", follow=True)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/konto/logga-in/"
    assert DOWN in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated

    logged_in = client.post(
        "/konto/logga-in/", {"login": person.username, "password": factories.PASSWORD}
    )
    assert logged_in.status_code == 302 and logged_in.url == "/"


@pytest.mark.django_db
def test_the_invitation_offers_a_provider_that_is_down_and_says_so_instead_of_failing(
    client, forbund_a, settings, stopped_provider, django_capture_on_commit_callbacks
):
    link = _invitation_link(forbund_a, "dora@regionx.se", django_capture_on_commit_callbacks)
    response = client.post(link, {"provider": "region-x"}, follow=True)
    assert response.redirect_chain[-1][0] == link
    assert (
        "Region X:s inloggning svarar inte just nu. Välj ett lösenord i stället."
        in response.content.decode()
    )
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_the_invitation_offers_only_the_provider_of_its_domain(
    client, forbund_a, stopped_provider, django_capture_on_commit_callbacks
):
    other = client.get(
        _invitation_link(forbund_a, "erik@kommunen.se", django_capture_on_commit_callbacks)
    )
    assert "Fortsätt med" not in other.content.decode()
    refused = client.post(
        _invitation_link(forbund_a, "fia@kommunen.se", django_capture_on_commit_callbacks),
        {"provider": "region-x"},
        follow=True,
    )
    assert "Den inloggningen gäller inte den här inbjudan." in refused.content.decode()
    assert not get_user_model().objects.filter(username="fia@kommunen.se").exists()


@pytest.mark.django_db
def test_the_login_page_offers_each_named_provider_by_post_and_none_when_unset(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "Logga in via din organisation" not in client.get("/konto/logga-in/").content.decode()
    _configure(settings, "https://login.regionx.se")
    page = client.get("/konto/logga-in/").content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+)">\s*<input[^>]+csrfmiddlewaretoken[^>]+>\s*<button type="submit"[^>]*>Logga in med Region X</button>',
        page,
    )
    assert form and form.group(1) == "/konto/oidc/region-x/login/?process=login"
    # A link alone starts nothing (a page asks to continue), so no other site can start it.
    assert client.get("/konto/oidc/region-x/login/").status_code == 200


@pytest.mark.parametrize(
    "value, says",
    [
        ("{", "is not JSON"),
        ('{"id": "x"}', "must be a JSON list"),
        ('[{"id": "region-x", "name": "Region X"}]', "lacks server_url, client_id, secret"),
        (
            '[{"id": "Region X", "name": "R", "server_url": "https://a.se", "client_id": "c", "secret": "s"}]',
            "lower-case",
        ),
        (
            '[{"id": "r", "name": "R", "server_url": "http://a.se", "client_id": "c", "secret": "s"}]',
            "https://",
        ),
        (
            '[{"id": "r", "name": "R", "server_url": "https://a.se", "client_id": "c", "secret": "s", "domain": ["a.se"]}]',
            "unknown keys: domain",
        ),
        (
            '[{"id": "r", "name": "R", "server_url": "https://a.se", "client_id": "c", "secret": "s", "domains": ["not a domain"]}]',
            "is not a domain name",
        ),
        (
            '[{"id": "r", "name": "R", "server_url": "https://a.se", "client_id": "c", "secret": "s", "domains": ["a.se"]},'
            ' {"id": "q", "name": "Q", "server_url": "https://b.se", "client_id": "c", "secret": "s", "domains": ["A.se"]}]',
            "a.se is named by both r and q",
        ),
    ],
)
def test_a_malformed_provider_setting_stops_the_start_with_what_is_wrong(value, says):
    with pytest.raises(ImproperlyConfigured, match="FINSAM_OIDC_PROVIDERS") as stopped:
        parse_providers(value)
    assert says in str(stopped.value)


def test_no_provider_setting_means_no_providers():
    assert parse_providers("") == [] and socialaccount_providers([]) == {}


@pytest.mark.django_db
def test_a_provider_the_installation_does_not_name_is_not_found(client, kansli_a):
    for c in (client, kansli_a):
        assert c.post("/konto/oidc/nobody/login/").status_code == 404
        assert c.get("/konto/oidc/nobody/login/callback/?code=x&state=y").status_code == 404
