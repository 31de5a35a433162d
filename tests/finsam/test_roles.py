"""People hold roles per förbund and switch between their förbund."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from tests import factories


@pytest.mark.django_db
def test_a_person_with_roles_in_two_forbund_sees_both_and_switches(forbund_a, forbund_b):
    revisor = factories.revisor(forbund_a)
    factories.revisor(forbund_b, user=revisor.user)
    client = Client()
    client.force_login(revisor.user)

    start = client.get("/").content.decode()
    assert "Samordningsförbundet A" in start and "Samordningsförbundet B" in start

    page_a = client.get(f"/f/{forbund_a.slug}/")
    page_b = client.get(f"/f/{forbund_b.slug}/")
    assert page_a.status_code == page_b.status_code == 200
    assert page_a.context["forbund"] == forbund_a
    assert page_b.context["forbund"] == forbund_b
    # the header's switcher marks the förbund being looked at
    assert 'aria-current="true">Samordningsförbundet B<' in page_b.content.decode()


@pytest.mark.django_db
def test_kansli_in_one_forbund_and_revisor_in_another_has_each_role_only_there(
    forbund_a, forbund_b
):
    membership = factories.kansli(forbund_a)
    factories.revisor(forbund_b, user=membership.user)
    client = Client()
    client.force_login(membership.user)
    assert client.get(f"/f/{forbund_a.slug}/installningar/").status_code == 200
    assert client.get(f"/f/{forbund_b.slug}/installningar/").status_code == 403


def _rows_of_table(html: str, caption: str) -> set[tuple[str, str]]:
    """(name, second column) of each row of the table with that caption."""
    table = html.split(f">{caption}</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td>', table)
    return {(unescape(name), unescape(label)) for name, label in rows}


@pytest.mark.django_db
def test_forbund_page_shows_each_board_member_with_their_seat(forbund_a, personas):
    factories.ersattare(forbund_a, user__first_name="Eva", user__last_name="Edlund")
    factories.ledamot(forbund_a, user__first_name="Lars", user__last_name="Lind")
    chair = personas["styrelse_a"].membership.user.get_full_name()
    html = personas["kansli_a"].get(f"/f/{forbund_a.slug}/").content.decode()
    assert _rows_of_table(html, "Styrelsens ledamöter och ersättare") == {
        (chair, "Ordförande"),
        ("Lars Lind", "Styrelseledamot"),
        ("Eva Edlund", "Ersättare i styrelsen"),
    }


@pytest.mark.django_db
def test_board_seat_is_required_for_styrelse_roles(forbund_a):
    from django.core.exceptions import ValidationError

    membership = factories.MembershipFactory.build(
        forbund=forbund_a, role="styrelse", seat="", user=factories.UserFactory()
    )
    with pytest.raises(ValidationError) as exc:
        membership.full_clean()
    assert "ordinarie ledamot eller ersättare" in str(exc.value)


@pytest.mark.django_db
def test_ersattare_cannot_be_chair(forbund_a):
    from django.core.exceptions import ValidationError

    membership = factories.MembershipFactory.build(
        forbund=forbund_a,
        role="styrelse",
        seat="ersattare",
        is_chair=True,
        user=factories.UserFactory(),
    )
    with pytest.raises(ValidationError):
        membership.full_clean()


@pytest.mark.django_db
def test_login_page_is_swedish_and_logs_in():
    factories.UserFactory(username="anna")
    client = Client()
    page = client.get("/konto/logga-in/").content.decode()
    assert 'lang="sv"' in page and "Användarnamn" in page and "Lösenord" in page
    bad = client.post("/konto/logga-in/", {"login": "anna", "password": "fel"})
    assert (
        "Användarnamnet och/eller lösenordet är felaktigt" in bad.content.decode()
    )  # allauth, in Swedish
    ok = client.post("/konto/logga-in/", {"login": "anna", "password": factories.PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/"


@pytest.mark.django_db
def test_password_change_in_swedish(personas):
    client = personas["kansli_a"]
    user = client.membership.user
    response = client.post(
        "/konto/losenord/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "ett-nytt-langt-losenord-42",
            "new_password2": "ett-nytt-langt-losenord-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ett-nytt-langt-losenord-42")


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(personas):
    client = personas["kansli_a"]
    client.post("/konto/logga-ut/")
    assert client.get("/").status_code == 302
