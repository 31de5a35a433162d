"""Leaving a section editor with text not yet saved asks first; saving, or leaving with
nothing changed, asks nothing."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _kansli(page, live_server, slug):
    forbund, plan = make_plan(slug)
    kansli = factories.kansli(forbund, user__username=f"kansli-{slug}")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    return plan


def _section_editor(page, live_server, slug):
    plan = _kansli(page, live_server, slug)
    section = plan.sections.get(title="Uppföljning och utvärdering")
    page.goto(f"{live_server.url}/f/{slug}/planer/{plan.pk}/avsnitt/{section.pk}/")
    page.wait_for_selector(".ProseMirror[contenteditable]")
    return section


def test_leaving_the_section_editor_with_unsaved_text_asks_first(page, live_server):
    section = _section_editor(page, live_server, "lamna")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator(".ProseMirror[contenteditable]").click()
    page.keyboard.type("Text som inte är sparad")
    page.get_by_role("link", name="Avbryt").click()
    page.wait_for_timeout(500)

    assert dialogs == ["beforeunload"]
    assert f"/avsnitt/{section.pk}/" in page.url  # the user chose to stay, the text is there
    editor = page.locator(".ProseMirror[contenteditable]")
    assert "Text som inte är sparad" in editor.inner_text()


def test_saving_the_section_leaves_without_a_question(page, live_server):
    section = _section_editor(page, live_server, "spara-utan-fraga")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.locator(".ProseMirror[contenteditable]").click()
    page.keyboard.type("Sparad text")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/dokument/**")

    assert dialogs == []
    section.refresh_from_db()
    assert "Sparad text" in section.body


def test_leaving_without_a_change_asks_nothing(page, live_server):
    _section_editor(page, live_server, "ingen-andring")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.get_by_role("link", name="Avbryt").click()
    page.wait_for_url("**/dokument/**")

    assert dialogs == []
