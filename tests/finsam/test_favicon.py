"""The browser's tab shows the app's icon: every page links it, and /favicon.ico, which browsers
ask for on their own, leads to it instead of a 404 in the log."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.test import Client


def test_favicon_ico_leads_to_the_apps_icon(db):
    response = Client().get("/favicon.ico")

    assert response.status_code in (301, 302)
    assert response["Location"].endswith(".svg")
    assert "favicon" in response["Location"]
    assert finders.find("favicon.svg")


def test_every_page_links_the_icon(db):
    html = Client().get("/konto/logga-in/").content.decode()

    assert '<link rel="icon"' in html
    assert "favicon" in html
