"""The log shows a text's change as text a person reads: no markup, the changed words marked,
and never the version a conflict is found by."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from finsam.models import AuditEvent
from tests.helpers import form_values, url

pytestmark = pytest.mark.django_db


def _log(client, forbund) -> str:
    return client.get(reverse("forbund_log", args=[forbund.slug])).content.decode()


def _edit_section(client, plan, section, body: str) -> None:
    page = url("section_edit", plan, section.pk)
    values = form_values(client.get(page).content.decode())
    assert client.post(page, {**values, "body": body}).status_code == 302


def test_a_text_change_in_the_log_shows_no_markup_and_marks_the_added_word(personas, world):
    plan, section = world["plan_a"], world["section_a"]
    client = personas["kansli_a"]
    _edit_section(client, plan, section, "Förbundet stöttar deltagare.\n\n- arbete\n- studier")
    _edit_section(client, plan, section, "Förbundet stöttar unga deltagare.\n\n- arbete\n- studier")
    html = _log(personas["styrelse_a"], plan.forbund)
    row = html.split("Ändrade avsnittet")[1].split("</tr>")[0]
    assert "&lt;p&gt;" not in row and "<p>" not in row and "&lt;li&gt;" not in row
    assert re.search(r"<ins>\s*<span class=\"visually-hidden\">tillagt: </span>unga\s*</ins>", row)
    assert "<del>" not in row  # nothing was taken away
    assert "stöttar" in row and "deltagare." in row


def test_a_text_change_in_the_log_shortens_the_unchanged_text_around_the_change(personas, world):
    plan, section = world["plan_a"], world["section_a"]
    client = personas["kansli_a"]
    words = [f"ord{i}" for i in range(200)]
    _edit_section(client, plan, section, " ".join(words))
    _edit_section(client, plan, section, " ".join([*words[:100], "nytt", *words[100:]]))
    row = _log(client, plan.forbund).split("Ändrade avsnittet")[1].split("</tr>")[0]
    assert "…" in row and "ord99" in row and "ord100" in row
    assert "ord0 " not in row and "ord199" not in row


def test_no_internal_version_field_anywhere_in_the_log_after_an_edit(personas, world):
    plan, section = world["plan_a"], world["section_a"]
    client = personas["kansli_a"]
    _edit_section(client, plan, section, "Ny text.")
    # An event recorded with the version among its changes (as the log has them from before)
    # shows the text's change, not the counter.
    AuditEvent.objects.create(
        forbund=plan.forbund,
        action="section.update",
        object_type="plans.section",
        object_id=str(section.pk),
        object_repr=section.title,
        summary="Ändrade avsnittet Inledning",
        changes={"body": ["<p>Ny text.</p>", "<p>Ny text igen.</p>"], "lock_version": [2, 3]},
        scope=f"plan:{plan.pk}",
    )
    for page in (
        reverse("forbund_log", args=[plan.forbund.slug]),
        reverse("plan_history", args=[plan.forbund.slug, plan.pk]),
    ):
        html = client.get(page).content.decode().lower()
        assert "version för samtidiga ändringar" not in html
        assert "lock_version" not in html
        assert "igen." in html
