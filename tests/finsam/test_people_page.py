"""The förbund's people page: who holds which role now, who comes, who is invited, who left;
changing, ending and removing, each in the log."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
import time_machine
from django.test import Client

from finsam import people
from finsam.models import AuditEvent, Membership, Role, Seat
from tests import factories
from tests.helpers import form_values

NOW = "2026-03-02 10:00 +01:00"
_numbers = itertools.count(1)


def _section(html: str, anchor: str) -> str:
    """The text of the section headed by <h2 id=anchor>, up to the next section."""
    start = html.index(f'<h2 id="{anchor}">')
    end = html.find("</section>", start)
    return html[start:end]


def _people(forbund):
    """A board with chair, vice chair and ersättare appointed by members, a revisor, a coming
    ledamot for the next period and one whose role has ended."""
    fk = forbund.medlemmar.get(kind="fk")
    region = forbund.medlemmar.get(kind="region")
    period = {"starts_on": date(2023, 1, 1), "ends_on": date(2026, 12, 31)}
    made = {
        "vice": factories.ledamot(forbund, is_vice_chair=True, medlem=fk, **period),
        "ersattare": factories.ersattare(forbund, medlem=region, **period),
        "coming": factories.ledamot(
            forbund, medlem=fk, starts_on=date(2027, 1, 1), ends_on=date(2030, 12, 31)
        ),
        "ended": factories.ledamot(
            forbund,
            medlem=region,
            starts_on=date(2023, 1, 1),
            ends_on=date(2025, 6, 30),
            ended_reason="Flyttat från regionen",
        ),
        "revisor": factories.revisor(forbund, title="Förtroendevald revisor"),
    }
    return made


def _name(m: Membership) -> str:
    return m.user.get_full_name()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_page_shows_each_role_in_its_section(personas, forbund_a):
    made = _people(forbund_a)
    html = personas["kansli_a"].get(f"/f/{forbund_a.slug}/personer/").content.decode()
    kansli = _section(html, "kansli")
    board = _section(html, "styrelse")
    coming = _section(html, "kommande")
    earlier = _section(html, "tidigare")
    assert _name(personas["kansli_a"].membership) in kansli
    chair = _name(personas["styrelse_a"].membership)
    # Ordförande first, then vice ordförande, ledamöter, ersättare; with their medlem.
    assert (
        board.index(chair)
        < board.index(_name(made["vice"]))
        < board.index(_name(made["ersattare"]))
    )
    assert "Vice ordförande" in board and "Ersättare i styrelsen" in board
    assert "Försäkringskassan" in board and "2023-01-01 – 2026-12-31" in board
    assert _name(made["coming"]) in coming and "2027-01-01 – 2030-12-31" in coming
    assert _name(made["coming"]) not in board
    assert _name(made["ended"]) in earlier and "Flyttat från regionen" in earlier
    assert _name(made["ended"]) not in board
    assert "Förtroendevald revisor" in _section(html, "revisorer")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_ending_the_last_kansli_is_refused(kansli_a, forbund_a):
    only = kansli_a.membership
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/personer/roll/{only.pk}/avsluta/",
        {"ends_on": "2026-03-02", "reason": "Slutar"},
    )
    assert response.status_code == 200
    assert "Förbundet måste ha minst en person i kansliet." in response.content.decode()
    only.refresh_from_db()
    assert only.ends_on is None and only.ended_reason == ""
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/personer/person/{only.user_id}/ta-bort/", {"reason": "Slutar"}
    )
    assert "Förbundet måste ha minst en person i kansliet." in response.content.decode()
    only.refresh_from_db()
    assert only.ends_on is None
    assert not AuditEvent.objects.filter(action__startswith="membership.").exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_second_kansli_may_end_the_first(kansli_a, forbund_a):
    factories.kansli(forbund_a)
    first = kansli_a.membership
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/personer/roll/{first.pk}/avsluta/",
        {"ends_on": "2026-03-31", "reason": "Går i pension"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.ends_on == date(2026, 3, 31)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_ending_a_role_early_shows_it_under_tidigare_and_in_the_log(personas, forbund_a):
    made = _people(forbund_a)
    kansli_a = personas["kansli_a"]
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/personer/roll/{made['vice'].pk}/avsluta/",
        {"ends_on": "2026-03-01", "reason": "Ny tjänst hos medlemmen"},
    )
    assert response.status_code == 302
    html = kansli_a.get(f"/f/{forbund_a.slug}/personer/").content.decode()
    earlier = _section(html, "tidigare")
    assert _name(made["vice"]) in earlier and "Ny tjänst hos medlemmen" in earlier
    assert "2026-03-01" in earlier
    assert _name(made["vice"]) not in _section(html, "styrelse")
    log = kansli_a.get(f"/f/{forbund_a.slug}/logg/").content.decode()
    assert f"Avslutade rollen för {_name(made['vice'])} (vice ordförande)" in log
    assert "Ny tjänst hos medlemmen" in log
    event = forbund_a.audit_events.get(action="membership.end")
    assert event.changes["ends_on"] == ["2026-12-31", "2026-03-01"]
    assert event.actor == kansli_a.membership.user


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_ending_a_role_needs_a_reason_beside_the_field(personas, forbund_a):
    made = _people(forbund_a)
    response = personas["kansli_a"].post(
        f"/f/{forbund_a.slug}/personer/roll/{made['vice'].pk}/avsluta/",
        {"ends_on": "2026-03-01", "reason": "  "},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Ange skälet till att rollen avslutas."]
    made["vice"].refresh_from_db()
    assert made["vice"].ends_on == date(2026, 12, 31)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_removing_a_person_ends_their_roles_at_once_and_deletes_coming_ones(personas, forbund_a):
    made = _people(forbund_a)
    person = made["vice"].user
    coming = factories.ledamot(
        forbund_a, user=person, starts_on=date(2027, 1, 1), ends_on=date(2030, 12, 31)
    )
    response = personas["kansli_a"].post(
        f"/f/{forbund_a.slug}/personer/person/{person.pk}/ta-bort/",
        {"reason": "Lämnat uppdraget"},
    )
    assert response.status_code == 302
    made["vice"].refresh_from_db()
    # Ended yesterday: a role's last day counts in full, and the person is out now.
    assert made["vice"].ends_on == date(2026, 3, 1)
    assert made["vice"].ended_reason == "Lämnat uppdraget"
    gone = Client()
    gone.force_login(person)
    # From now on a former board member: reading what they decided, nothing more.
    assert "upphörde 2026-03-01" in gone.get(f"/f/{forbund_a.slug}/").content.decode()
    assert not Membership.objects.filter(pk=coming.pk).exists()
    actions = sorted(
        forbund_a.audit_events.filter(action__startswith="membership.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["membership.end", "membership.remove"]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_changing_a_role_records_old_and_new(personas, forbund_a):
    made = _people(forbund_a)
    ersattare = made["ersattare"]
    response = personas["kansli_a"].post(
        f"/f/{forbund_a.slug}/personer/roll/{ersattare.pk}/",
        {
            "seat": Seat.LEDAMOT,
            "medlem": ersattare.medlem_id,
            "title": "Kommunalråd",
            "starts_on": "2023-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 302
    ersattare.refresh_from_db()
    assert (ersattare.seat, ersattare.title) == (Seat.LEDAMOT, "Kommunalråd")
    event = forbund_a.audit_events.get(action="membership.update")
    assert event.changes == {"seat": ["ersattare", "ledamot"], "title": ["", "Kommunalråd"]}
    log = personas["kansli_a"].get(f"/f/{forbund_a.slug}/logg/").content.decode()
    assert "Ersättare" in log and "Ordinarie ledamot" in log


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_changed_period_that_ends_before_it_starts_is_refused_beside_the_field(
    personas, forbund_a
):
    made = _people(forbund_a)
    response = personas["kansli_a"].post(
        f"/f/{forbund_a.slug}/personer/roll/{made['revisor'].pk}/",
        {"title": "", "starts_on": "2026-05-01", "ends_on": "2026-04-30"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == ["Rollen kan inte sluta innan den börjar."]
    assert not forbund_a.audit_events.filter(action__startswith="membership.").exists()


@pytest.mark.django_db
def test_another_forbunds_role_is_not_found(personas, forbund_a):
    theirs = personas["kansli_b"].membership
    for path in ("", "avsluta/"):
        response = personas["kansli_a"].get(f"/f/{forbund_a.slug}/personer/roll/{theirs.pk}/{path}")
        assert response.status_code == 404
    response = personas["kansli_a"].get(
        f"/f/{forbund_a.slug}/personer/person/{theirs.user_id}/ta-bort/"
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_people_page_is_the_kanslis(personas, forbund_a):
    assert personas["styrelse_a"].get(f"/f/{forbund_a.slug}/personer/").status_code == 403
    assert personas["revisor_a"].get(f"/f/{forbund_a.slug}/personer/").status_code == 403
    assert personas["kansli_b"].get(f"/f/{forbund_a.slug}/personer/").status_code == 404


def _grow(forbund, times: int) -> None:
    """More of every kind of row the page lists: roles now, coming and ended, and invitations."""
    for _ in range(times):
        _people(forbund)
        inviter = factories.kansli(forbund).user
        people.invitation_create(
            forbund=forbund,
            email=f"inbjuden{next(_numbers)}@example.se",
            role=Role.REVISOR,
            acting_user=inviter,
        )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_people_page_reads_a_fixed_number_of_queries(
    kansli_a, forbund_a, django_assert_num_queries
):
    url = f"/f/{forbund_a.slug}/personer/"
    _grow(forbund_a, 1)
    # session, user, the user's roles (tenancy), the roles with person and medlem, who has a
    # second factor, the open invitations with medlem and inviter
    with django_assert_num_queries(6):
        kansli_a.get(url)
    _grow(forbund_a, 2)
    with django_assert_num_queries(6):
        html = kansli_a.get(url).content.decode()
    assert len(re.findall(r"Inbjuden, inte accepterad", html)) == 3


@pytest.mark.django_db
def test_the_kansli_finds_the_people_page_from_the_forbund_page(personas, forbund_a):
    link = f'href="/f/{forbund_a.slug}/personer/"'
    assert link in personas["kansli_a"].get(f"/f/{forbund_a.slug}/").content.decode()
    assert link not in personas["styrelse_a"].get(f"/f/{forbund_a.slug}/").content.decode()
    page = personas["kansli_a"].get(f"/f/{forbund_a.slug}/personer/").content.decode()
    assert f'<a href="/f/{forbund_a.slug}/personer/" aria-current="page">Personer</a>' in page


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_end_form_sent_twice_ends_the_role_once(personas, forbund_a):
    made = _people(forbund_a)
    kansli_a = personas["kansli_a"]
    url = f"/f/{forbund_a.slug}/personer/roll/{made['vice'].pk}/avsluta/"
    data = form_values(kansli_a.get(url).content.decode())
    data.update(ends_on="2026-03-01", reason="Avgått")
    assert kansli_a.post(url, data).status_code == 302
    again = kansli_a.post(url, data, follow=True)
    assert "Formuläret var redan sparat" in again.content.decode()
    assert forbund_a.audit_events.filter(action="membership.end").count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_kansli_hand_over_is_allowed_and_a_gap_without_kansli_is_refused(personas, forbund_a):
    first = forbund_a.memberships.get(role=Role.KANSLI)  # the persona, kansli tills vidare
    second = factories.kansli(forbund_a)
    url = f"/f/{forbund_a.slug}/personer/roll/{{}}/avsluta/"
    # The second ends in ten days; then the first cannot end before it (no kansli after).
    assert (
        personas["kansli_a"]
        .post(url.format(second.pk), {"ends_on": "2026-03-12", "reason": "Ny tjänst"})
        .status_code
        == 302
    )
    refused = personas["kansli_a"].post(
        url.format(first.pk), {"ends_on": "2026-03-03", "reason": "Slutar"}
    )
    assert "minst en person i kansliet" in refused.content.decode()
    first.refresh_from_db()
    assert first.ends_on is None
    # A successor from the day after the first's last day: the hand-over goes through.
    factories.kansli(forbund_a, starts_on=date(2026, 3, 13))
    assert (
        personas["kansli_a"]
        .post(url.format(first.pk), {"ends_on": "2026-03-12", "reason": "Slutar"})
        .status_code
        == 302
    )
