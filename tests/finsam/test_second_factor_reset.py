"""A person who has lost their phone or key: the kansli resets their second factor, in the log;
the people page shows who has one and who lacks one the förbund requires."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.test import Client

from finsam.models import AccessGroup, AuditEvent
from tests import factories


def with_app(user):
    TOTP.activate(user, generate_totp_secret())


@pytest.mark.django_db
def test_the_people_page_shows_who_lacks_a_second_factor_the_forbund_requires():
    forbund = factories.complete_forbund()
    forbund.mfa_required_for = [AccessGroup.KANSLI.value, AccessGroup.ORDFORANDE.value]
    forbund.save()
    kansli = factories.kansli(forbund)
    chair = factories.ledamot(forbund, chair=True)
    factories.ledamot(forbund)
    with_app(kansli.user)
    client = Client()
    client.force_login(kansli.user)
    html = client.get(f"/f/{forbund.slug}/personer/").content.decode()
    # The chair lacks the factor the förbund requires; the other ledamot is not required one.
    assert html.count("Saknar tvåstegsverifiering") == 1
    assert "Utan tvåstegsverifiering" in html
    assert f"/personer/person/{kansli.user_id}/tvasteg/" in html
    assert f"/personer/person/{chair.user_id}/tvasteg/" not in html


@pytest.mark.django_db
def test_the_kansli_resets_a_lost_second_factor_with_a_reason_and_it_is_logged():
    forbund = factories.complete_forbund()
    kansli = factories.kansli(forbund)
    member = factories.ledamot(forbund)
    theirs = Client()
    theirs.post("/konto/logga-in/", {"login": member.user.username, "password": factories.PASSWORD})
    assert UserSession.objects.filter(user=member.user).count() == 1
    with_app(member.user)
    client = Client()
    client.force_login(kansli.user)
    url = f"/f/{forbund.slug}/personer/person/{member.user_id}/tvasteg/"
    refused = client.post(url, {"reason": ""})
    assert "Ange skälet" in refused.content.decode()
    assert Authenticator.objects.filter(user=member.user).exists()
    done = client.post(url, {"reason": "Tappade telefonen"})
    assert done.status_code == 302
    assert not Authenticator.objects.filter(user=member.user).exists()
    # Logged out everywhere: the old session no longer lets them in.
    assert theirs.get(f"/f/{forbund.slug}/").status_code == 302
    event = AuditEvent.objects.get(forbund=forbund, action="account.mfa_admin_reset")
    assert event.actor == kansli.user and event.changes["skäl"] == [None, "Tappade telefonen"]


@pytest.mark.django_db
def test_a_person_with_roles_in_another_forbund_is_reset_by_the_operator_not_the_kansli():
    forbund, other = factories.complete_forbund(), factories.complete_forbund()
    kansli = factories.kansli(forbund)
    member = factories.revisor(forbund)
    factories.revisor(other, user=member.user)
    with_app(member.user)
    client = Client()
    client.force_login(kansli.user)
    page = client.post(
        f"/f/{forbund.slug}/personer/person/{member.user_id}/tvasteg/", {"reason": "Tappad"}
    ).content.decode()
    assert "driftansvarig" in page
    assert Authenticator.objects.filter(user=member.user).exists()


@pytest.mark.django_db
def test_only_the_kansli_resets_and_another_forbunds_person_is_not_found():
    forbund, other = factories.complete_forbund(), factories.complete_forbund()
    member = factories.ledamot(forbund)
    stranger = factories.ledamot(other)
    board = Client()
    board.force_login(factories.ledamot(forbund).user)
    assert (
        board.get(f"/f/{forbund.slug}/personer/person/{member.user_id}/tvasteg/").status_code == 403
    )
    kansli = Client()
    kansli.force_login(factories.kansli(forbund).user)
    url = f"/f/{forbund.slug}/personer/person/{stranger.user_id}/tvasteg/"
    assert kansli.get(url).status_code == 404


@pytest.mark.django_db
def test_the_operator_resets_anyones_second_factor_in_the_admin():
    forbund, other = factories.complete_forbund(), factories.complete_forbund()
    member = factories.revisor(forbund)
    factories.revisor(other, user=member.user)
    with_app(member.user)
    operator = factories.UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [member.user_id]},
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member.user).exists()
    assert AuditEvent.objects.filter(
        forbund=None, action="account.mfa_admin_reset", actor=operator
    ).exists()
