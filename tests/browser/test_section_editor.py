"""The rich editor of a section's text: it replaces the markup textarea when JavaScript runs,
formats text, and keeps the structure of what is pasted from Word while dropping its styles."""

from __future__ import annotations

import pytest

from plans.models import Section
from tests import factories
from tests.helpers import login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><body>'
    '<p class=MsoNormal style="font-family:Calibri;color:#1F497D">Vi ska <b>särskilt</b> '
    "prioritera:</p>"
    "<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>"
    "<span style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt'>&nbsp;</span>"
    "</span>Unga vuxna</p>"
    "<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>"
    "<span style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt'>&nbsp;</span>"
    "</span>Nyanlända</p>"
    "<table class=MsoTableGrid border=1 style='border-collapse:collapse'><tr>"
    "<td style='width:5cm;background:yellow'><p class=MsoNormal>År</p></td>"
    "<td><p class=MsoNormal>2025</p></td></tr></table>"
    "</body></html>"
)


def _open(page, live_server, slug):
    forbund, plan = make_plan(slug)
    kansli = factories.kansli(forbund, user__username=f"kansli-{slug}")
    section = plan.sections.get(title="Uppföljning och utvärdering")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/f/{slug}/planer/{plan.pk}/avsnitt/{section.pk}/")
    page.wait_for_selector(".ProseMirror[contenteditable]")
    return section


def test_the_editor_replaces_the_markup_and_formats_text(page, live_server):
    section = _open(page, live_server, "redigerare")
    assert not page.locator("#id_body").is_visible()  # the markup textarea gave way
    # The toolbar speaks Swedish, to the eye and to a screen reader.
    assert page.get_by_role("button", name="Fet").count() == 1
    assert page.get_by_role("button", name="Punktlista").count() == 1
    editor = page.locator(".ProseMirror[contenteditable]")
    editor.click()
    page.keyboard.type("Uppföljningen sker ")
    page.keyboard.press("Control+b")
    page.keyboard.type("varje kvartal")
    page.keyboard.press("Control+b")
    page.keyboard.type(".")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/dokument/**")
    section.refresh_from_db()
    assert section.body == "<p>Uppföljningen sker <strong>varje kvartal</strong>.</p>"


def test_pasting_from_word_keeps_lists_and_tables_and_drops_styles(page, live_server):
    section = _open(page, live_server, "word")
    page.locator(".ProseMirror[contenteditable]").click()
    page.evaluate(
        """(html) => {
            const data = new DataTransfer()
            data.setData("text/html", html)
            data.setData("text/plain", "Vi ska särskilt prioritera")
            const target = document.querySelector(".ProseMirror[contenteditable]")
            target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}))
        }""",
        WORD,
    )
    # The browser refused the pasted text's style attributes (the page allows no inline
    # style); the editor's schema drops them anyway. Nothing else was refused.
    assert page.csp_refused and all("style attributes" in m for m in page.csp_refused)
    page.csp_refused.clear()
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/dokument/**")
    body = Section.objects.get(pk=section.pk).body
    assert body == (
        "<p>Vi ska <strong>särskilt</strong> prioritera:</p>"
        "<ul><li><p>Unga vuxna</p></li><li><p>Nyanlända</p></li></ul>"
        "<table><tbody><tr><td><p>År</p></td><td><p>2025</p></td></tr></tbody></table>"
    )
    assert "<strong>särskilt</strong>" in body
    assert "<table>" in body and "2025" in body
    assert "style" not in body and "class" not in body and "Mso" not in body and "·" not in body


def test_without_javascript_the_markup_textarea_is_the_editor(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    forbund, plan = make_plan("utanjs")
    kansli = factories.kansli(forbund, user__username="kansli-utanjs")
    section = plan.sections.get(title="Uppföljning och utvärdering")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/f/utanjs/planer/{plan.pk}/avsnitt/{section.pk}/")
    assert page.locator("#id_body").is_visible()
    page.locator("#id_body").fill("## Metod\n\n- enkäter\n- SUS")
    page.get_by_role("button", name="Spara").click()
    section.refresh_from_db()
    assert section.body == "<h3>Metod</h3><ul><li>enkäter</li><li>SUS</li></ul>"
    context.close()
