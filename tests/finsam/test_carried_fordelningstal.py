"""A fördelningstal taken from an earlier year (a carried plan's new year) is marked on the
member list until it is confirmed, and the member form shows each figure as people write it
("118 400", "0,25") and reads it back as the same figure."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from finsam.models import Fordelningstal
from tests.helpers import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def kommun(forbund_a):
    """A kommun with an agreed fördelningstal for 2022, taken on into 2023 and not confirmed."""
    medlem = forbund_a.medlemmar.get(name="Testköping 1")
    Fordelningstal.objects.create(medlem=medlem, year=2022, avtalad_andel=Decimal("118400"))
    Fordelningstal.objects.create(
        medlem=medlem, year=2023, avtalad_andel=Decimal("118400"), carried_from=2022
    )
    return medlem


def member_cell(page: str, name: str) -> str:
    row = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', page, re.S).group(1)
    return re.findall(r"<td>(.*?)</td>", row, re.S)[1]


def test_the_member_list_marks_a_carried_fordelningstal_with_a_link_to_confirm_it(personas, kommun):
    forbund = kommun.forbund
    edit = reverse("medlem_edit", args=[forbund.slug, kommun.pk]) + "#fordelningstal"
    page = personas["kansli_a"].get(reverse("forbund_detail", args=[forbund.slug])).content
    assert member_cell(page.decode(), kommun.name).split("<br>") == [
        f'2023: avtalat 118\xa0400 <a class="badge badge-varning" href="{edit}">från 2022, bekräfta'
        f'<span class="visually-hidden"> {kommun.name} 2023</span></a>',
        "2022: avtalat 118\xa0400",
    ]
    # The styrelse sees that it waits, with no link to a form it may not use.
    page = personas["styrelse_a"].get(reverse("forbund_detail", args=[forbund.slug])).content
    assert member_cell(page.decode(), kommun.name).split("<br>")[0] == (
        '2023: avtalat 118\xa0400 <span class="badge badge-varning">från 2022, ej bekräftat</span>'
    )


def test_the_member_form_shows_figures_as_written_and_reads_them_back_unchanged(kansli_a, kommun):
    Fordelningstal.objects.create(medlem=kommun, year=2021, invanare=12345)
    Fordelningstal.objects.create(medlem=kommun, year=2020, avtalad_andel=Decimal("0.25"))
    url = reverse("medlem_edit", args=[kommun.forbund.slug, kommun.pk])
    page = kansli_a.get(url).content.decode()
    shown = {
        name: value
        for name, value in form_values(page).items()
        if name.endswith(("-invanare", "-avtalad_andel")) and value
    }
    assert sorted(shown.values()) == ["0,25", "118\xa0400", "118\xa0400", "12\xa0345"]
    # Sent back as shown, nothing changes: the carried figure still waits for its confirmation.
    before = list(Fordelningstal.objects.order_by("year").values())
    assert kansli_a.post(url, form_values(page)).status_code == 302
    assert list(Fordelningstal.objects.order_by("year").values()) == before
    assert Fordelningstal.objects.get(medlem=kommun, year=2023).carried_from == 2022


def test_a_population_typed_with_spaces_is_saved_as_that_number(kansli_a, kommun):
    url = reverse("medlem_edit", args=[kommun.forbund.slug, kommun.pk])
    post = form_values(kansli_a.get(url).content.decode())
    blank = next(
        name.removesuffix("-year")
        for name, value in post.items()
        if name.endswith("-year") and not value
    )
    post |= {f"{blank}-year": "2024", f"{blank}-invanare": "12 345"}
    response = kansli_a.post(url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Fordelningstal.objects.get(medlem=kommun, year=2024).invanare == 12345
