"""The Django admin: superusers manage everything; staff only the förbund they run."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from finsam.models import Membership
from tests import factories


@pytest.fixture
def staff_kansli_a(forbund_a):
    membership = factories.kansli(forbund_a, user__is_staff=True)
    membership.user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="finsam")
    )
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.mark.django_db
def test_superuser_reaches_the_admin_in_swedish():
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/finsam/forbund/").content.decode()
    assert "Välj förbund att ändra" in page


@pytest.mark.django_db
def test_admin_is_closed_to_anonymous_and_non_staff(personas):
    assert personas["anonymous"].get("/admin/").status_code == 302
    assert personas["kansli_a"].get("/admin/").status_code == 302


@pytest.mark.django_db
def test_staff_sees_only_the_forbund_they_run(staff_kansli_a, forbund_a, forbund_b):
    page = staff_kansli_a.get("/admin/finsam/forbund/").content.decode()
    assert forbund_a.name in page and forbund_b.name not in page
    assert staff_kansli_a.get(f"/admin/finsam/forbund/{forbund_b.pk}/change/").status_code == 302


@pytest.mark.django_db
def test_role_for_a_forbund_the_admin_cannot_see_is_refused(staff_kansli_a, forbund_b):
    user = factories.UserFactory()
    response = staff_kansli_a.post(
        "/admin/finsam/membership/add/",
        {"user": user.pk, "forbund": forbund_b.pk, "role": "kansli", "seat": "", "title": ""},
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in str(
        response.context["adminform"].form.errors["forbund"]
    )
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_role_given_in_the_admin_is_in_the_forbunds_log(forbund_a):
    from finsam.models import AuditEvent

    admin = factories.UserFactory(username="root2", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    user = factories.UserFactory()
    response = client.post(
        "/admin/finsam/membership/add/",
        {
            "user": user.pk,
            "forbund": forbund_a.pk,
            "role": "revisor",
            "seat": "",
            "title": "Revisor",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(forbund=forbund_a, action="admin.membership.create")
    assert event.actor == admin and "i administrationen" in event.summary
