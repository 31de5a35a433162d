"""The logo on the förbund's settings page ([13]): the form says what it takes, refuses an SVG
by name, confirms a save, shows the current logo through an address that answers for the
förbund's own people only, and removes it on request."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from finsam.models import AuditEvent, Forbund
from tests.helpers import form_values

pytestmark = pytest.mark.django_db


def _png(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (11, 61, 107)).save(out, "PNG")
    return out.getvalue()


def _settings(client, forbund: Forbund) -> str:
    return client.get(reverse("forbund_edit", args=[forbund.slug])).content.decode()


def _post(client, forbund: Forbund, **changes):
    url = reverse("forbund_edit", args=[forbund.slug])
    data = {k: v for k, v in form_values(_settings(client, forbund)).items() if k != "logo"}
    return client.post(url, {**data, **changes})


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _errors_beside_logo(html: str) -> list[str]:
    block = re.search(r'<ul class="errorlist" id="id_logo_error">(.*?)</ul>', html, re.S)
    return [unescape(e) for e in re.findall(r"<li>(.*?)</li>", block.group(1))] if block else []


def _help_of_logo(html: str) -> str:
    return unescape(re.search(r'<p class="help" id="id_logo_helptext">(.*?)</p>', html).group(1))


def test_the_logo_field_says_which_formats_and_size_it_takes(forbund_a, kansli_a):
    help_text = _help_of_logo(_settings(kansli_a, forbund_a))
    assert "PNG eller JPEG" in help_text
    assert "högst 2 MB" in help_text
    assert "SVG tas inte emot" in help_text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9"/></svg>'),
        ("logo.png", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ],
    ids=["named_svg", "svg_named_png"],
)
def test_an_svg_logo_is_refused_saying_svg_is_not_taken_and_what_is(
    forbund_a, kansli_a, name, content
):
    events = AuditEvent.objects.count()
    response = _post(kansli_a, forbund_a, logo=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert _errors_beside_logo(response.content.decode()) == [
        "SVG-bilder tas inte emot som logotyp. Spara logotypen som PNG eller JPEG (högst 2 MB) "
        "och ladda upp den igen."
    ]
    assert Forbund.objects.get(pk=forbund_a.pk).logo.name == ""
    assert AuditEvent.objects.count() == events


def test_a_png_logo_is_saved_confirmed_and_shown_on_the_settings_page(forbund_a, kansli_a):
    response = _post(kansli_a, forbund_a, logo=SimpleUploadedFile("logo.png", _png()))
    assert response.status_code == 302
    assert _messages(response) == ["Logotypen är sparad."]
    page = _settings(kansli_a, forbund_a)
    logo_url = reverse("forbund_logo", args=[forbund_a.slug])
    assert f'<img src="{logo_url}" alt="Samordningsförbundet As nuvarande logotyp"' in page
    shown = kansli_a.get(logo_url)
    assert (shown.status_code, shown["Content-Type"]) == (200, "image/png")
    with Image.open(io.BytesIO(shown.content)) as image:
        assert image.size == (40, 20)


def test_the_settings_page_links_no_address_that_answers_404(forbund_a, kansli_a):
    _post(kansli_a, forbund_a, logo=SimpleUploadedFile("logo.png", _png()))
    page = _settings(kansli_a, forbund_a)
    addresses = re.findall(r'(?:href|src)="(/[^"]*)"', page)
    assert any("logotyp" in a for a in addresses)
    for address in addresses:
        if address.startswith("/static/"):
            continue
        assert kansli_a.get(address).status_code != 404, address


def test_another_forbunds_logo_answers_404(forbund_a, kansli_a, personas):
    _post(kansli_a, forbund_a, logo=SimpleUploadedFile("logo.png", _png()))
    url = reverse("forbund_logo", args=[forbund_a.slug])
    assert personas["styrelse_a"].get(url).status_code == 200
    assert personas["revisor_a"].get(url).status_code == 200
    assert personas["kansli_b"].get(url).status_code == 404


def test_a_forbund_without_a_logo_answers_404_at_its_logo_address(forbund_a, kansli_a):
    assert kansli_a.get(reverse("forbund_logo", args=[forbund_a.slug])).status_code == 404
    assert "<img" not in _settings(kansli_a, forbund_a).split('id="id_logo"')[0].split("<form")[-1]


def test_removing_the_logo_is_confirmed_and_logged(forbund_a, kansli_a):
    _post(kansli_a, forbund_a, logo=SimpleUploadedFile("logo.png", _png()))
    stored = Forbund.objects.get(pk=forbund_a.pk).logo.name
    response = _post(kansli_a, forbund_a, **{"logo-clear": "on"})
    assert response.status_code == 302
    assert _messages(response) == ["Logotypen är borttagen."]
    assert Forbund.objects.get(pk=forbund_a.pk).logo.name == ""
    event = AuditEvent.objects.filter(forbund=forbund_a).latest("pk")
    assert "logotyp" in event.summary
    assert stored in str(event.changes)
    assert kansli_a.get(reverse("forbund_logo", args=[forbund_a.slug])).status_code == 404


def test_other_settings_saved_say_so(forbund_a, kansli_a):
    response = _post(kansli_a, forbund_a, name="Nytt namn")
    assert response.status_code == 302
    assert _messages(response) == ["Förbundets uppgifter är sparade."]


def test_a_new_logo_saved_with_other_settings_names_both(forbund_a, kansli_a):
    response = _post(
        kansli_a, forbund_a, name="Nytt namn", logo=SimpleUploadedFile("logo.png", _png())
    )
    assert _messages(response) == ["Förbundets uppgifter och logotypen är sparade."]
