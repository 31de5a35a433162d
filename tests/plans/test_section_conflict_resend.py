"""A section's form after a conflict: the user's text reaches the section only by their
choice, pressing Spara on the conflict page; the stale page sent again (a double click, the
browser's resend) is refused again and leaves the colleague's text."""

from __future__ import annotations

import pytest

from plans.models import Section
from tests.helpers import form_values, url

pytestmark = pytest.mark.django_db


def test_the_stale_section_page_sent_again_does_not_overwrite_the_colleagues_text(personas, world):
    plan, section = world["plan_a"], world["section_a"]
    client = personas["kansli_a"]
    page = url("section_edit", plan, section.pk)
    stale = form_values(client.get(page).content.decode())
    colleague = form_values(client.get(page).content.decode())
    assert client.post(page, {**colleague, "body": "Kollegans text."}).status_code == 302
    for _ in range(2):
        answer = client.post(page, {**stale, "body": "Min text."})
        assert answer.status_code == 400
        assert "efter att du öppnade sidan" in answer.content.decode()
        assert Section.objects.get(pk=section.pk).body == "<p>Kollegans text.</p>"
    # Spara on the conflict page is the user's choice: then theirs is saved.
    again = form_values(answer.content.decode())
    assert client.post(page, again).status_code == 302
    assert Section.objects.get(pk=section.pk).body == "<p>Min text.</p>"
