from __future__ import annotations

import pytest

from finsam.orgnr import luhn_check_digit, normalize_orgnr
from tests.factories import ForbundFactory


@pytest.mark.parametrize(
    "value, expected",
    [
        ("222000-1362", "222000-1362"),  # Samordningsförbundet-style 22-series number
        ("2220001362", "222000-1362"),
        (" 556036-0793 ", "556036-0793"),
    ],
)
def test_valid_organisationsnummer_is_accepted_and_normalised(value, expected):
    assert normalize_orgnr(value) == expected


@pytest.mark.parametrize(
    "value",
    ["222000-1363", "22200-1362", "222000-13620", "abcdef-ghij", "", "222000_1362"],
)
def test_invalid_organisationsnummer_is_rejected(value):
    assert normalize_orgnr(value) is None


def test_check_digit_follows_luhn():
    assert luhn_check_digit("556036079") == 3
    assert luhn_check_digit("222000136") == 2


@pytest.mark.django_db
def test_forbund_with_bad_check_digit_gets_a_swedish_message_on_the_field(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/installningar/",
        {
            "name": forbund_a.name,
            "organisationsnummer": "222000-1363",
            "amount_unit": "kr",
            "rounding_unit": "1",
            "adoption_recorder": "bada",
            "invitation_days": "14",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "kontrollsiffra" in errors["organisationsnummer"][0]
    forbund_a.refresh_from_db()
    assert forbund_a.organisationsnummer == ""


@pytest.mark.django_db
def test_organisationsnummer_is_saved_in_the_usual_form(kansli_a, forbund_a):
    response = kansli_a.post(
        f"/f/{forbund_a.slug}/installningar/",
        {
            "name": forbund_a.name,
            "organisationsnummer": "2220001362",
            "amount_unit": "tkr",
            "rounding_unit": "100",
            "adoption_recorder": "bada",
            "invitation_days": "14",
        },
    )
    assert response.status_code == 302
    forbund_a.refresh_from_db()
    assert forbund_a.organisationsnummer == "222000-1362"
    assert forbund_a.amount_unit == "tkr"
    event = forbund_a.audit_events.get()
    assert event.actor == kansli_a.membership.user
    assert event.changes["organisationsnummer"] == ["", "222000-1362"]


@pytest.mark.django_db
def test_two_forbund_cannot_share_an_organisationsnummer():
    from django.core.exceptions import ValidationError

    ForbundFactory(organisationsnummer="222000-1362")
    other = ForbundFactory.build(organisationsnummer="222000-1362")
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "organisationsnummer" in str(exc.value)
