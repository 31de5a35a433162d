"""Real-browser journeys of people and access: an invitation taken, a forgotten password, a
second factor (an app, a security key), and the other sessions ended."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail

from tests import factories
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = re.compile(r"^Nytt lösenord\W*$")  # the label, not its "(igen)"
SHOTS = Path("/tmp/shots15")


def shot(page, name: str) -> None:
    """A picture of the page for a person to look at (layout); never part of the assertion."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def link_in(message, pattern: str) -> str:
    return re.search(rf"https?://[^/\s]+({pattern}[^\s]*)", message.body).group(1)


def test_invited_board_member_chooses_a_password_and_is_listed_under_styrelse(
    page, browser, live_server
):
    forbund = factories.complete_forbund(name="Samordningsförbundet Inbjudan", slug="inbjudan")
    kansli = factories.kansli(forbund, user__username="kansli-inbjudan")
    today = date.today()
    starts, ends = today - timedelta(days=30), today + timedelta(days=700)
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    shot(page, "01-start-after-login")

    page.get_by_role("link", name="Samordningsförbundet Inbjudan").first.click()
    page.get_by_role("link", name="Personer och inbjudningar").click()
    shot(page, "02-people-page")
    page.get_by_role("link", name="Bjud in till styrelsen").click()
    page.get_by_label("E-postadress").fill("ny.ledamot@example.se")
    page.get_by_label("Roll").select_option("styrelse")
    page.get_by_label("Plats i styrelsen").select_option(label="Ordinarie ledamot")
    page.get_by_label("Utsedd av medlem").select_option(label="Försäkringskassan")
    page.get_by_label("Från").fill(starts.isoformat())
    page.get_by_label("Till och med").fill(ends.isoformat())
    shot(page, "03-invite-form")
    page.get_by_role("button", name="Skicka inbjudan").click()

    invited = page.get_by_role("row", name="ny.ledamot@example.se")
    assert "Inbjuden, inte accepterad" in invited.inner_text()
    assert mail.outbox[-1].to == ["ny.ledamot@example.se"]
    link = link_in(mail.outbox[-1], "/inbjudan/")

    newcomer = browser.new_context(locale="sv-SE").new_page()
    try:
        newcomer.goto(live_server.url + link)
        shot(newcomer, "04-invitation-accept")
        newcomer.get_by_label("Förnamn").fill("Nora")
        newcomer.get_by_label("Efternamn").fill("Ledamot")
        newcomer.get_by_label(re.compile(r"^Lösenord\W*$")).fill("Ett-långt-lösenord-2026")
        newcomer.get_by_label("Lösenordet igen").fill("Ett-långt-lösenord-2026")
        newcomer.get_by_role("button", name="Skapa kontot och ta emot inbjudan").click()
        newcomer.wait_for_url(f"**/f/{forbund.slug}/")
        assert newcomer.get_by_text("Välkommen! Du är nu").is_visible()
        assert newcomer.get_by_role("heading", name="Samordningsförbundet Inbjudan").is_visible()
    finally:
        newcomer.context.close()

    page.reload()
    board = page.locator("section", has=page.get_by_role("heading", name="Styrelse", exact=True))
    row = board.get_by_role("row", name="Nora Ledamot")
    assert f"{starts:%Y-%m-%d} – {ends:%Y-%m-%d}" in row.inner_text()
    assert "Inga obesvarade inbjudningar." in page.inner_text("main")


def test_forgotten_password_is_chosen_anew_by_a_link_that_works_once(page, live_server):
    forbund = factories.complete_forbund(name="Samordningsförbundet Glömt", slug="glomt")
    person = factories.revisor(
        forbund, user__username="revisor-glomt", user__email="revisor@example.se"
    ).user

    page.goto(f"{live_server.url}/konto/logga-in/")
    shot(page, "05-login")
    page.get_by_role("link", name="Glömt lösenord?").click()
    shot(page, "06-reset-request")
    page.get_by_label("E-postadress").fill("ingen.alls@example.se")
    page.get_by_role("button", name="Skicka länken").click()
    unknown_answer = page.inner_text("main")
    assert mail.outbox == []

    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_role("link", name="Glömt lösenord?").click()
    page.get_by_label("E-postadress").fill("revisor@example.se")
    page.get_by_role("button", name="Skicka länken").click()
    shot(page, "07-reset-sent")
    assert page.inner_text("main") == unknown_answer  # nothing tells who has an account
    assert mail.outbox[-1].to == ["revisor@example.se"]
    link = link_in(mail.outbox[-1], "/konto/")

    page.goto(live_server.url + link)
    shot(page, "08-reset-new-password")
    page.get_by_label(NEW_PASSWORD).fill("Ett-nytt-långt-lösenord-9")
    page.get_by_label("Nytt lösenord (igen)").fill("Ett-nytt-långt-lösenord-9")
    page.get_by_role("button", name="Ändra lösenord").click()
    shot(page, "09-reset-done")

    page.locator("main").get_by_role("link", name="Logga in").click()
    page.get_by_label("Användarnamn").fill(person.username)
    page.get_by_label("Lösenord").fill("Ett-nytt-långt-lösenord-9")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("button", name="Logga ut", exact=True).is_visible()

    page.context.clear_cookies()
    page.goto(live_server.url + link)
    shot(page, "10-reset-link-again")
    assert page.get_by_label(NEW_PASSWORD).count() == 0


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238, by allauth's own functions); never
    one about to change, which the server could read in the next window."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 2:
        time.sleep(2)  # the app's code is about to roll over; a person would wait too
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_person_adds_an_authenticator_app_and_is_asked_for_its_code_at_login(page, live_server):
    forbund = factories.complete_forbund(name="Samordningsförbundet Kod", slug="kod")
    person = factories.ledamot(forbund, user__username="ledamot-kod").user
    login(page, live_server, person.username, factories.PASSWORD)

    page.get_by_role("link", name="Inloggning och säkerhet").click()
    shot(page, "11-security-page")
    page.get_by_role("link", name="Hantera tvåstegsverifiering").click()
    shot(page, "12-mfa-index")
    page.get_by_role("link", name="Koppla en app").click()
    shot(page, "13-mfa-reauthenticate")
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Verifiera").click()
    shot(page, "14-totp-activate")
    assert page.get_by_role("img", name="QR-kod att skanna med appen").is_visible()
    secret = page.get_by_label("Nyckel att skriva in i appen").input_value()
    page.get_by_label("Autentiseringskod").fill(totp_code(secret))
    page.get_by_role("button", name="Aktivera").click()
    shot(page, "15-recovery-codes")
    codes = page.get_by_label("Oanvända koder").input_value().split()
    assert len(codes) == 10 and all(re.fullmatch(r"\d{8}", c) for c in codes), codes
    page.get_by_role("link", name="Klar, tillbaka till Inloggning och säkerhet").click()
    assert page.get_by_role("heading", name="Inloggning och säkerhet").is_visible()

    page.get_by_role("button", name="Logga ut", exact=True).click()
    login(page, live_server, person.username, factories.PASSWORD)
    shot(page, "16-mfa-authenticate")
    assert page.get_by_role("button", name=re.compile("säkerhetsnyckel")).count() == 0  # has none
    page.get_by_label("Kod").fill(totp_code(secret))
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("button", name="Logga ut", exact=True).is_visible()


def test_kansli_of_a_forbund_requiring_a_second_factor_is_sent_to_add_one_first(page, live_server):
    forbund = factories.complete_forbund(
        name="Samordningsförbundet Krav", slug="krav", mfa_required_for=["kansli"]
    )
    kansli = factories.kansli(forbund, user__username="kansli-krav")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    page.wait_for_url("**/konto/2fa/")
    shot(page, "17-mfa-required")
    assert page.get_by_text("Förbundet kräver tvåstegsverifiering för din roll.").is_visible()
    assert page.get_by_role("heading", name="Tvåstegsverifiering", level=1).is_visible()

    page.goto(f"{live_server.url}/f/krav/personer/")  # any other page: sent back
    assert page.url.endswith("/konto/2fa/")

    page.get_by_role("link", name="Koppla en app").click()
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Verifiera").click()
    secret = page.get_by_label("Nyckel att skriva in i appen").input_value()
    page.get_by_label("Autentiseringskod").fill(totp_code(secret))
    page.get_by_role("button", name="Aktivera").click()
    page.get_by_role("link", name="Samordningsförbundet Krav").first.click()
    page.get_by_role("link", name="Personer och inbjudningar").click()
    assert page.get_by_role("heading", name="Personer i Samordningsförbundet Krav").is_visible()


def virtual_security_key(page) -> None:
    """A USB security key plugged into this browser (Chromium's virtual authenticator)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def test_person_adds_a_security_key_and_logs_in_with_it(page, live_server):
    forbund = factories.complete_forbund(name="Samordningsförbundet Nyckel", slug="nyckel")
    person = factories.kansli(forbund, user__username="kansli-nyckel").user
    virtual_security_key(page)
    login(page, live_server, person.username, factories.PASSWORD)

    page.get_by_role("link", name="Inloggning och säkerhet").click()
    page.get_by_role("link", name="Hantera tvåstegsverifiering").click()
    page.get_by_role("link", name="Lägg till säkerhetsnyckel").click()
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Verifiera").click()
    shot(page, "18-webauthn-add")
    page.get_by_label("Namn på nyckeln").fill("Min nyckel")
    page.get_by_role("button", name="Lägg till").click()
    page.wait_for_url("**/konto/2fa/**")
    shot(page, "19-webauthn-added")
    assert page.get_by_text("Säkerhetsnyckel tillagd.").is_visible()
    page.goto(f"{live_server.url}/konto/2fa/webauthn/")
    shot(page, "19b-webauthn-list")
    assert "Inte använd ännu." in page.get_by_role("row", name="Min nyckel").inner_text()

    page.get_by_role("button", name="Logga ut", exact=True).click()
    login(page, live_server, person.username, factories.PASSWORD)
    shot(page, "20-webauthn-authenticate")
    page.get_by_role("button", name="Använd säkerhetsnyckeln").click()
    page.wait_for_url(lambda url: "/konto/" not in url)
    assert page.get_by_role("button", name="Logga ut", exact=True).is_visible()


def test_logging_out_everywhere_else_sends_the_other_browser_to_the_login_page(
    page, browser, live_server
):
    forbund = factories.complete_forbund(name="Samordningsförbundet Session", slug="session")
    person = factories.kansli(forbund, user__username="kansli-session").user
    other = browser.new_context(locale="sv-SE").new_page()
    try:
        login(other, live_server, person.username, factories.PASSWORD)
        other.get_by_role("link", name="Samordningsförbundet Session").first.click()
        login(page, live_server, person.username, factories.PASSWORD)

        page.get_by_role("link", name="Inloggning och säkerhet").click()
        assert page.locator("main table").first.get_by_role("row").count() == 3  # head, two
        page.get_by_role("button", name="Logga ut på alla andra enheter").click()
        shot(page, "21-security-logged-out-others")
        assert page.get_by_text("Du är utloggad på alla andra enheter.").is_visible()

        other.get_by_role("link", name="Personer och inbjudningar").click()
        other.wait_for_url("**/konto/logga-in/**")
        assert other.get_by_role("heading", name="Logga in").is_visible()
        page.reload()  # this browser stays in
        assert page.get_by_role("button", name="Logga ut", exact=True).is_visible()
    finally:
        other.context.close()
