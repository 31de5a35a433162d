"""Security headers on every page: a crawl of every named URL (and the admin) checks the
Content-Security-Policy, the other protective headers, that what a signed-in person sees is kept
out of caches, and that no page carries an inline script or style the policy would refuse."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin import site as admin_site
from django.test import Client, override_settings
from django.urls import reverse

from tests import factories
from tests.matrix_rows import ROWS

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_ELEMENT = re.compile(r"<style\b([^>]*)>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
NONCE = re.compile(r"'nonce-([^']+)'")


def check_page(url: str, response) -> list[str]:
    """What is wrong with the headers and markup of one answer (empty if nothing)."""
    problems = []
    policy = response.get("Content-Security-Policy", "")
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    if not policy:
        return [f"{url}: no Content-Security-Policy"]
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append(f"{url}: the policy allows unsafe inline code: {policy}")
    for name, expected in {
        "default-src": "'self'",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
    }.items():
        if directives.get(name) != expected:
            problems.append(f"{url}: {name} is {directives.get(name)!r}, expected {expected}")
    for header, expected in {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }.items():
        if response.get(header) != expected:
            problems.append(f"{url}: {header} is {response.get(header)!r}")
    if "text/html" in response.get("Content-Type", ""):
        nonces = set(NONCE.findall(policy))
        html = response.content.decode()
        for attributes in SCRIPT.findall(html) + STYLE_ELEMENT.findall(html):
            if "src=" in attributes:
                continue
            found = re.search(r'nonce="([^"]*)"', attributes)
            if not found or found.group(1) not in nonces:
                problems.append(f"{url}: an inline <script>/<style> without the nonce")
        if STYLE_ATTRIBUTE.search(html):
            problems.append(f"{url}: a style attribute: {STYLE_ATTRIBUTE.search(html).group(0)}")
    return problems


def signed_in_answers(personas, world):
    """Every named URL as the first persona it answers 200 (a GET-only crawl)."""
    for name, row in sorted(ROWS.items()):
        persona = next((p for p, status in row.expect.items() if status == 200), None)
        if persona is None:
            continue
        url = reverse(name, kwargs=row.kwargs(world))
        yield persona, url, personas[persona].get(url)


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_PRELOAD=True)
def test_every_page_has_the_security_headers(personas, world):
    problems, crawled = [], 0
    for persona, url, response in signed_in_answers(personas, world):
        crawled += 1
        problems += check_page(url, response)
        if persona != "anonymous":
            cache = response.get("Cache-Control", "")
            if "private" not in cache or "no-store" not in cache:
                problems.append(f"{url}: Cache-Control is {cache!r}")
    assert crawled >= 50, crawled  # every page a GET shows (the rest are POST-only)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_PRELOAD=True)
def test_https_answers_carry_hsts(personas, world):
    response = personas["kansli_a"].get(reverse("start"), secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert "Strict-Transport-Security" not in Client().get(reverse("login"))  # plain HTTP


@pytest.mark.django_db
def test_the_login_and_error_pages_have_the_headers(client, personas, world):
    assert check_page("login", client.get(reverse("login"))) == []
    missing = personas["kansli_a"].get(
        reverse("plan_detail", kwargs={**ROWS["plan_detail"].kwargs(world), "pk": 0})
    )
    assert missing.status_code == 404 and check_page("404", missing) == []
    refused = personas["revisor_a"].get(
        reverse("plan_edit", kwargs=ROWS["plan_edit"].kwargs(world))
    )
    assert refused.status_code == 403 and check_page("403", refused) == []
    assert "no-store" in refused["Cache-Control"]


@pytest.mark.django_db
def test_the_admin_has_the_security_headers_too(world):
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    urls = ["/admin/"]
    for model in admin_site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    problems = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 403:  # a model the admin may not add (logged events)
            continue
        assert response.status_code == 200, (url, response.status_code)
        problems += check_page(url, response)
    assert len(urls) > 20
    assert not problems, "\n".join(problems)


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_sent_to_https_when_the_deployment_says_so(client):
    response = client.get("/konto/logga-in/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/konto/logga-in/"
