"""Ny mandatperiod: the kansli carries the board into 2027–2030, what changes shown first, then
done in one step (old roles end 2026-12-31, those who continue get roles from 2027-01-01, the
new people invitations for the new period)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from finsam.models import AuditEvent, Invitation, Membership, Role, Seat
from tests import factories
from tests.helpers import form_values

STOCKHOLM = ZoneInfo("Europe/Stockholm")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november_2026():
    """In the last weeks of the period 2023–2026, when the new board is being appointed."""
    with time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=STOCKHOLM), tick=False):
        yield


@pytest.fixture
def board(forbund_a):
    """The board of 2023–2026: Anna Ek (Testköping 1, ledamot, ordförande), Bo Berg (Testköping
    1, ersättare), Cilla Ceder (Region, ledamot, vice)."""
    kommun = forbund_a.medlemmar.get(name="Testköping 1")
    region = forbund_a.medlemmar.get(kind="region")
    start = date(2023, 1, 1)

    def person(first, last, email):
        return factories.UserFactory(first_name=first, last_name=last, email=email)

    return {
        "anna": factories.ledamot(
            forbund_a,
            chair=True,
            medlem=kommun,
            starts_on=start,
            user=person("Anna", "Ek", "anna@testkoping.se"),
        ),
        "bo": factories.ersattare(
            forbund_a, medlem=kommun, starts_on=start, user=person("Bo", "Berg", "bo@testkoping.se")
        ),
        "cilla": factories.ledamot(
            forbund_a,
            medlem=region,
            is_vice_chair=True,
            user=person("Cilla", "Ceder", "c@region.se"),
        ),
    }


def _kansli(forbund) -> Client:
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    return client


def _url(forbund) -> str:
    return reverse("new_mandate_period", args=[forbund.slug])


def _filled(client, forbund, board, **over) -> dict:
    values = form_values(client.get(_url(forbund)).content.decode())
    values.update(
        {
            f"s{board['anna'].pk}_action": "fortsatter",
            f"s{board['bo'].pk}_action": "ny",
            f"s{board['bo'].pk}_email": "Per.Son@Testkoping.se",
            f"s{board['bo'].pk}_name": "Per Son",
            f"s{board['cilla'].pk}_action": "fortsatter",
            "chair": str(board["cilla"].pk),
            "vice_chair": str(board["anna"].pk),
        }
    )
    values.update(over)
    return values


def test_the_form_proposes_the_next_four_year_period_and_lists_every_seat(forbund_a, board):
    client = _kansli(forbund_a)

    page = client.get(_url(forbund_a)).content.decode()
    values = form_values(page)

    assert (values["starts_on"], values["ends_on"]) == ("2027-01-01", "2030-12-31")
    assert "Anna Ek (Testköping 1, ledamot) (ordförande nu)" in page
    assert "Bo Berg (Testköping 1, ersättare)" in page
    assert values["chair"] == [str(board["anna"].pk)]


def test_the_preview_shows_what_changes_and_changes_nothing(forbund_a, board):
    client = _kansli(forbund_a)

    page = client.post(_url(forbund_a), {**_filled(client, forbund_a, board), "granska": "1"})

    html = page.content.decode()
    assert (
        "Anna Ek (Testköping 1, ledamot) slutar 2026-12-31; fortsätter 2027-01-01 – 2030-12-31, vice ordförande."
        in html
    )
    assert (
        "Bo Berg (Testköping 1, ersättare) slutar 2026-12-31; ny: Per Son &lt;per.son@testkoping.se&gt; (inbjudan)."
        in html
    )
    assert (
        "Cilla Ceder (Region Testlän, ledamot) slutar 2026-12-31; fortsätter 2027-01-01 – 2030-12-31, ordförande."
        in html
    )
    assert Membership.objects.board().filter(forbund=forbund_a, ends_on__isnull=False).count() == 0
    assert not Invitation.objects.exists()


def test_confirming_ends_the_old_roles_starts_the_new_and_invites_the_new_people(
    forbund_a, board, django_capture_on_commit_callbacks
):
    client = _kansli(forbund_a)
    preview = client.post(_url(forbund_a), {**_filled(client, forbund_a, board), "granska": "1"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(forbund_a), {**form_values(preview.content.decode()), "genomfor": "1"}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("people", args=[forbund_a.slug])
    for old in board.values():
        old.refresh_from_db()
        assert old.ends_on == date(2026, 12, 31)
    new = {
        m.user.first_name: m
        for m in Membership.objects.board().filter(forbund=forbund_a, starts_on=date(2027, 1, 1))
    }
    assert set(new) == {"Anna", "Cilla"}
    assert new["Cilla"].is_chair and new["Anna"].is_vice_chair
    assert new["Anna"].ends_on == date(2030, 12, 31)
    assert new["Anna"].medlem == board["anna"].medlem
    invitation = Invitation.objects.get(forbund=forbund_a)
    assert (invitation.email, invitation.role, invitation.seat) == (
        "per.son@testkoping.se",
        Role.STYRELSE,
        Seat.ERSATTARE,
    )
    assert (invitation.starts_on, invitation.ends_on) == (date(2027, 1, 1), date(2030, 12, 31))
    assert invitation.medlem == board["bo"].medlem and invitation.name == "Per Son"
    assert [m.to for m in mail.outbox] == [["per.son@testkoping.se"]]
    assert AuditEvent.objects.filter(forbund=forbund_a, action="mandate.start").count() == 1
    assert AuditEvent.objects.filter(forbund=forbund_a, action="membership.end").count() == 3
    # Until the new period, the old board is the board.
    assert set(
        Membership.objects.board().filter(forbund=forbund_a).current().values_list("pk", flat=True)
    ) == {m.pk for m in board.values()}


def test_a_changed_form_is_shown_again_before_anything_is_done(forbund_a, board):
    client = _kansli(forbund_a)
    preview = client.post(_url(forbund_a), {**_filled(client, forbund_a, board), "granska": "1"})
    values = form_values(preview.content.decode())
    values[f"s{board['bo'].pk}_email"] = "annan@testkoping.se"

    page = client.post(_url(forbund_a), {**values, "genomfor": "1"})

    assert page.status_code == 200
    assert "ny: Per Son &lt;annan@testkoping.se&gt; (inbjudan)" in page.content.decode()
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(starts_on=date(2027, 1, 1)).exists()


def test_an_empty_seat_is_a_warning_and_a_missing_address_an_error_beside_its_field(
    forbund_a, board
):
    client = _kansli(forbund_a)

    page = client.post(
        _url(forbund_a),
        {
            **_filled(client, forbund_a, board),
            f"s{board['bo'].pk}_action": "tom",
            f"s{board['anna'].pk}_action": "ny",
            f"s{board['anna'].pk}_email": "",
            "granska": "1",
        },
    ).content.decode()

    assert f'id="id_s{board["anna"].pk}_email_error"' in page
    assert "Ange den nya personens e-postadress." in page

    page = client.post(
        _url(forbund_a),
        {**_filled(client, forbund_a, board), f"s{board['bo'].pk}_action": "tom", "granska": "1"},
    ).content.decode()
    assert "Platsen efter Bo Berg (Testköping 1, ersättare) är tom i den nya perioden" in page
    assert 'name="genomfor"' in page


def test_a_chair_on_an_empty_seat_or_a_period_that_ends_first_is_refused(forbund_a, board):
    client = _kansli(forbund_a)

    page = client.post(
        _url(forbund_a),
        {
            **_filled(client, forbund_a, board),
            f"s{board['cilla'].pk}_action": "tom",
            "ends_on": "2026-12-31",
            "granska": "1",
        },
    ).content.decode()

    assert "Ordförandens plats lämnas tom; välj en annan." in page
    assert "Perioden kan inte sluta innan den börjar." in page
    assert 'name="genomfor"' not in page


def test_only_the_kansli_of_the_forbund_starts_a_mandate_period(personas, forbund_a, board):
    url = _url(forbund_a)
    assert personas["kansli_b"].get(url).status_code == 404
    assert personas["styrelse_a"].get(url).status_code == 403
    assert personas["kansli_b"].post(url, {"genomfor": "1"}).status_code == 404
    assert personas["styrelse_a"].post(url, {"genomfor": "1"}).status_code == 403
    assert not Membership.objects.filter(ends_on__isnull=False).exists()
