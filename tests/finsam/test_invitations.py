"""Invitations by e-mail: a single-use link that gives a role, to a new person or an account."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

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


def _other_forbunds_person(personas, email="berit@forbund-b.se"):
    user = personas["kansli_b"].membership.user
    user.email = email
    user.save()
    return user


def _main(html: str) -> str:
    """The page's main content without its per-response CSRF tokens."""
    main = re.search(r"<main.*</main>", html, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def _invited_row(html: str, email: str) -> str:
    """The Inbjudna row of one address, the address itself replaced."""
    row = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(email)}</th>.*?</tr>", html, re.S)
    row = re.sub(r"/inbjudan/\d+/", "/inbjudan/N/", row.group(0).replace(email, "ADDRESS"))
    return _main(f"<main>{row}</main>")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_existing_account_logs_in_and_the_role_is_added(
    personas, forbund_a, django_capture_on_commit_callbacks
):
    user = _other_forbunds_person(personas)
    path = _invite(
        personas["kansli_a"], forbund_a, django_capture_on_commit_callbacks, email=user.email
    )
    body = mail.outbox[-1].body
    assert "Du har redan ett konto" in body and "Välj ett lösenord" not in body

    anonymous = Client()
    page = anonymous.get(path).content.decode()
    assert "Logga in för att ta emot inbjudan" in page
    assert f"/konto/logga-in/?next={path}" in page
    assert "lösenord" not in page.lower()  # no new account for an address that has one
    assert not Membership.objects.filter(user=user, forbund=forbund_a).exists()

    anonymous.force_login(user)
    assert "Ta emot inbjudan" in anonymous.get(path).content.decode()
    response = anonymous.post(path)
    assert response.status_code == 302 and response["Location"] == f"/f/{forbund_a.slug}/"
    role = Membership.objects.get(user=user, forbund=forbund_a)
    assert role.role == Role.STYRELSE and role.period_label == "2023-01-01 – 2026-12-31"
    assert get_user_model().objects.filter(email__iexact=user.email).count() == 1


@pytest.mark.django_db
def test_logged_in_as_someone_else_the_page_says_to_log_out_first(
    personas, forbund_a, django_capture_on_commit_callbacks
):
    path = _invite(personas["kansli_a"], forbund_a, django_capture_on_commit_callbacks)
    other = personas["revisor_a"]
    page = other.get(path).content.decode()
    assert "Inbjudan gäller en annan e-postadress" in page and "Logga ut" in page
    other.post(path)
    assert not get_user_model().objects.filter(username="ny.person@example.se").exists()
    assert Membership.objects.filter(forbund=forbund_a, user=other.membership.user).count() == 1


@pytest.mark.django_db
def test_an_expired_link_is_refused_and_the_kansli_sees_it_has_expired(
    kansli_a, forbund_a, django_capture_on_commit_callbacks
):
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        path = _invite(kansli_a, forbund_a, django_capture_on_commit_callbacks)
    assert "Länken gäller till och med 16 mars 2026 10:00" in mail.outbox[-1].body
    with time_machine.travel("2026-03-16 09:59 +01:00", tick=False):
        assert Client().get(path).status_code == 200
    with time_machine.travel("2026-03-16 10:01 +01:00", tick=False):
        response = _new_account(Client(), path)
        assert response.status_code == 410
        assert "Inbjudan har gått ut." in response.content.decode()
        listing = kansli_a.get(f"/f/{forbund_a.slug}/personer/").content.decode()
    assert "Har gått ut" in listing
    assert not get_user_model().objects.filter(username="ny.person@example.se").exists()


@pytest.mark.django_db
def test_a_withdrawn_invitation_is_refused(kansli_a, forbund_a, django_capture_on_commit_callbacks):
    path = _invite(kansli_a, forbund_a, django_capture_on_commit_callbacks)
    invitation = forbund_a.invitations.get()
    kansli_a.post(f"/f/{forbund_a.slug}/personer/inbjudan/{invitation.pk}/dra-tillbaka/")
    response = _new_account(Client(), path)
    assert response.status_code == 410
    assert "Inbjudan har dragits tillbaka." in response.content.decode()
    assert not Membership.objects.filter(user__username="ny.person@example.se").exists()
    assert forbund_a.audit_events.filter(action="invitation.withdraw").exists()
    listing = kansli_a.get(f"/f/{forbund_a.slug}/personer/").content.decode()
    assert "Inga obesvarade inbjudningar." in listing


@pytest.mark.django_db
def test_a_forged_link_is_refused_without_a_word_about_accounts(
    kansli_a, forbund_a, django_capture_on_commit_callbacks
):
    path = _invite(kansli_a, forbund_a, django_capture_on_commit_callbacks)
    forged = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = _new_account(Client(), forged)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Länken gäller ingen inbjudan." in page
    assert "konto" not in page.lower() and "ny.person" not in page
    assert not get_user_model().objects.filter(username="ny.person@example.se").exists()


@pytest.mark.django_db
def test_sending_again_stops_the_old_link(kansli_a, forbund_a, django_capture_on_commit_callbacks):
    old = _invite(kansli_a, forbund_a, django_capture_on_commit_callbacks)
    invitation = forbund_a.invitations.get()
    with django_capture_on_commit_callbacks(execute=True):
        kansli_a.post(f"/f/{forbund_a.slug}/personer/inbjudan/{invitation.pk}/skicka-igen/")
    new = _link_path(mail.outbox[-1])
    assert new != old and len(mail.outbox) == 2
    assert _new_account(Client(), old).status_code == 404
    assert _new_account(Client(), new).status_code == 302
    invitation.refresh_from_db()
    assert invitation.sent_count == 2 and invitation.accepted_at is not None


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_kansli_cannot_tell_whether_an_invited_address_has_an_account(
    personas, forbund_a, django_capture_on_commit_callbacks
):
    kansli_a = personas["kansli_a"]
    known = _other_forbunds_person(personas).email
    unknown = "ingen.alls@example.se"
    answers = []
    for email in (known, unknown):
        response = kansli_a.post(
            f"/f/{forbund_a.slug}/personer/bjud-in/",
            {"email": email, "role": Role.REVISOR, "seat": "", "medlem": "", "title": ""},
            follow=True,
        )
        html = response.content.decode()
        message = re.search(r'<div class="messages".*?</div>', html, re.S).group(0)
        answers.append((message.replace(email, "ADDRESS"), _invited_row(html, email)))
    assert answers[0] == answers[1]
    listing = kansli_a.get(f"/f/{forbund_a.slug}/personer/").content.decode()
    assert _invited_row(listing, known) == _invited_row(listing, unknown)
    assert "Inbjuden, inte accepterad" in _invited_row(listing, known)
    log = [
        e.summary.replace(known, "A").replace(unknown, "A")
        for e in forbund_a.audit_events.filter(action="invitation.create")
    ]
    assert log[0] == log[1]
    # Not a role in förbund A until that account accepts.
    assert not Membership.objects.filter(
        forbund=forbund_a, user=personas["kansli_b"].membership.user
    ).exists()


@pytest.mark.django_db
def test_kansli_of_another_forbund_cannot_invite_to_it(personas, forbund_a):
    response = personas["kansli_b"].post(
        f"/f/{forbund_a.slug}/personer/bjud-in/",
        {"email": "x@example.se", "role": Role.KANSLI},
    )
    assert response.status_code == 404
    assert not forbund_a.invitations.exists() and not mail.outbox


@pytest.mark.django_db
def test_a_board_member_cannot_invite(personas, forbund_a):
    response = personas["styrelse_a"].post(
        f"/f/{forbund_a.slug}/personer/bjud-in/",
        {"email": "x@example.se", "role": Role.KANSLI},
    )
    assert response.status_code == 403
    assert personas["styrelse_a"].get(f"/f/{forbund_a.slug}/personer/").status_code == 403
    assert not forbund_a.invitations.exists()


@pytest.mark.django_db
def test_a_bad_address_is_refused_beside_the_field(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/personer/bjud-in/",
        {"email": "inte en adress", "role": Role.KANSLI},
    )
    assert response.status_code == 200
    assert "Ange en giltig e-postadress" in str(response.context["form"].errors["email"])
    assert not forbund_a.invitations.exists() and not mail.outbox


@pytest.mark.django_db
def test_a_period_that_ends_before_it_starts_is_refused_beside_the_field(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/personer/bjud-in/",
        {
            "email": "ny@example.se",
            "role": Role.STYRELSE,
            "seat": Seat.ERSATTARE,
            "starts_on": "2027-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["ends_on"] == ["Rollen kan inte sluta innan den börjar."]
    assert not forbund_a.invitations.exists() and not mail.outbox


@pytest.mark.django_db
def test_a_board_invitation_without_a_seat_is_refused_by_the_roles_own_rule(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/personer/bjud-in/",
        {"email": "ny@example.se", "role": Role.STYRELSE, "seat": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["seat"] == [
        "Ange om personen är ordinarie ledamot eller ersättare."
    ]


@pytest.mark.django_db
def test_a_weak_password_is_refused_in_swedish_beside_the_field(
    kansli_a, forbund_a, django_capture_on_commit_callbacks
):
    path = _invite(kansli_a, forbund_a, django_capture_on_commit_callbacks)
    response = _new_account(Client(), path, password1="nyberg", password2="nyberg")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["password1"])
    assert "för kort" in errors
    mismatch = _new_account(Client(), path, password2="Annat-Lösen-99")
    assert mismatch.context["form"].errors["password2"] == ["Lösenorden är inte lika."]
    assert not get_user_model().objects.filter(username="ny.person@example.se").exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_log_tells_who_invited_whom_sent_again_and_accepted(
    kansli_a, forbund_a, django_capture_on_commit_callbacks
):
    _invite(kansli_a, forbund_a, django_capture_on_commit_callbacks)
    invitation = forbund_a.invitations.get()
    with django_capture_on_commit_callbacks(execute=True):
        kansli_a.post(f"/f/{forbund_a.slug}/personer/inbjudan/{invitation.pk}/skicka-igen/")
    _new_account(Client(), _link_path(mail.outbox[-1]))
    log = kansli_a.get(f"/f/{forbund_a.slug}/logg/").content.decode()
    assert "Bjöd in ny.person@example.se som styrelseledamot" in log
    assert "Skickade inbjudan till ny.person@example.se igen" in log
    assert "Nora Nyberg tog emot inbjudan som styrelseledamot" in log
    assert "16 mars 2026 10:00" in log  # the new expiry, as a person reads a time


@pytest.mark.django_db
def test_a_role_that_needs_a_second_factor_asks_for_one_once_accepted(
    personas, forbund_a, django_capture_on_commit_callbacks
):
    forbund_a.mfa_required_for = ["kansli"]
    forbund_a.save()
    revisor = personas["revisor_a"]
    user = revisor.membership.user
    user.email = "revisor@forbund-a.se"
    user.save()
    assert revisor.get(f"/f/{forbund_a.slug}/").status_code == 200
    path = _invite(
        personas["kansli_a"],
        forbund_a,
        django_capture_on_commit_callbacks,
        email=user.email,
        role=Role.KANSLI,
        seat="",
        medlem="",
    )
    assert revisor.post(path).status_code == 302
    response = revisor.get(f"/f/{forbund_a.slug}/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_second_invitation_to_the_same_address_and_role_is_refused_beside_the_field(
    kansli_a, forbund_a, django_capture_on_commit_callbacks
):
    _invite(kansli_a, forbund_a, django_capture_on_commit_callbacks)
    again = kansli_a.post(
        f"/f/{forbund_a.slug}/personer/bjud-in/",
        {"email": "Ny.Person@example.se", "role": Role.STYRELSE, "seat": Seat.LEDAMOT},
    )
    assert again.status_code == 200
    assert "redan en obesvarad inbjudan" in again.context["form"].errors["email"][0]
    assert len(mail.outbox) == 1


def test_a_refused_links_token_never_reaches_the_servers_log():
    import logging

    from finsam.log_redact import RedactInvitationTokens

    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "%s: %s",
        ("Gone", "/inbjudan/hemlig-token-123/"),
        None,
    )
    RedactInvitationTokens().filter(record)
    assert "hemlig-token-123" not in record.getMessage()
    assert "/inbjudan/…" in record.getMessage()
