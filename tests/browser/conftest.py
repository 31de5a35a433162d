"""Playwright driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest
from django.core.signals import request_finished, request_started

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


class _InFlight:
    """The live server's requests under way. A page closed while an answer is on its way leaves
    the server's thread at work; the transactional test's flush must wait for it, or it meets
    the thread's lock on the shared in-memory SQLite ("database table is locked")."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        request_started.connect(self.started, dispatch_uid="browser-in-flight-started")
        request_finished.connect(self.finished, dispatch_uid="browser-in-flight-finished")

    def started(self, **kwargs):
        with self.lock:
            self.count += 1

    def finished(self, **kwargs):
        with self.lock:
            self.count = max(0, self.count - 1)

    def wait_until_idle(self, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while self.count and time.monotonic() < deadline:
            time.sleep(0.05)


_in_flight = _InFlight()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page in a Swedish browser; every journey also checks that the Content-Security-Policy
    refused nothing the app itself sent (an inline script or style, a blocked fetch)."""
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_refused = refused  # a test that pastes styled text may look at what was refused
    yield page
    context.close()
    _in_flight.wait_until_idle()
    assert not refused, f"The Content-Security-Policy refused: {refused}"
