"""The budget editor's help says when figures are recalculated: without JavaScript, on Spara."""

from __future__ import annotations

import re

import pytest

from tests.helpers import editor_url

pytestmark = pytest.mark.django_db


def test_without_javascript_the_editor_says_figures_are_recalculated_when_spara_is_pressed(
    personas, world
):
    html = personas["kansli_a"].get(editor_url(world["plan_a"])).content.decode()
    shown = re.sub(r"<[^>]+>", "", html)  # the text a browser without JavaScript shows
    assert "räknas om när du trycker Spara." in shown
    assert "när du lämnar en ruta" not in shown
