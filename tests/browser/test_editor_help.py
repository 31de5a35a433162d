"""The budget editor's help in a browser with JavaScript: figures are recalculated as the user
leaves a cell (the page itself, for a browser without JavaScript, says on Spara)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import editor_url, login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_with_javascript_the_editor_says_figures_are_recalculated_when_a_cell_is_left(
    page, live_server
):
    forbund, plan = make_plan("hjalp")
    kansli = factories.kansli(forbund, user__username="kansli-hjalp")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    page.goto(live_server.url + editor_url(plan))
    help_text = page.locator("main p.help").first
    assert "räknas om när du lämnar en ruta." in help_text.inner_text()
    assert "trycker Spara" not in help_text.inner_text()
