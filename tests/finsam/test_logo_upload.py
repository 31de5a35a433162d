"""The förbund's logo against hostile files ([12]): each is refused with a Swedish message beside
the field and changes nothing; what is stored, and what the PDF embeds, is the image alone."""

from __future__ import annotations

import base64
import io
import re
import struct
import zipfile
import zlib
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from finsam.models import AuditEvent, Forbund
from plans.document import logo_data_uri
from tests.helpers import form_values

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "Filen är ingen bild som kan läsas. Logotypen ska vara en PNG- eller JPEG-bild."
TOO_WIDE = "Logotypen får vara högst 4 000 bildpunkter åt varje håll."
TOO_LARGE = "Logotypen får vara högst 2 MB."
POLYGLOT = "Filen innehåller mer än bilden (data efter bildens slut)."
SVG = "SVG-bilder tas inte emot som logotyp."


def _image(fmt: str, size=(40, 20), **options) -> bytes:
    out = io.BytesIO()
    mode = "P" if fmt == "GIF" else "RGB"
    Image.new(mode, size, 3 if mode == "P" else (11, 61, 107)).save(out, fmt, **options)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int) -> bytes:
    """A valid PNG of a few dozen bytes whose header claims width × height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b""))
        + _chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", "<script>alert(1)</script>")
    return out.getvalue()


def _gif_js() -> bytes:
    """GIF89a whose width reads as the start of a JavaScript comment: a GIF and a script."""
    gif = bytearray(_image("GIF"))
    gif[6:8] = b"/*"
    return bytes(gif) + b"*/=1;alert(1);"


HOSTILE = {
    "svg_with_script": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        SVG,
    ),
    "svg_named_png": ("logo.png", b"<svg onload='alert(1)'/>", SVG),
    "gif_js_polyglot": ("logo.gif", _gif_js(), NOT_AN_IMAGE),
    # Past twice Pillow's MAX_IMAGE_PIXELS: its DecompressionBombError.
    "png_30000_by_30000": ("logo.png", _png_claiming(30_000, 30_000), TOO_WIDE),
    # Between Pillow's limit and twice it: only a DecompressionBombWarning.
    "png_10000_by_10000": ("logo.png", _png_claiming(10_000, 10_000), TOO_WIDE),
    "png_4001_wide": ("logo.png", _png_claiming(4001, 10), TOO_WIDE),
    "png_with_html_appended": (
        "logo.png",
        _image("PNG") + b"<html><script>alert(1)</script></html>",
        POLYGLOT,
    ),
    "png_with_zip_appended": ("logo.png", _image("PNG") + _zip(), POLYGLOT),
    "jpeg_with_zip_appended": ("logo.jpg", _image("JPEG") + _zip(), POLYGLOT),
    "png_cut_short": ("logo.png", _image("PNG")[:-30], NOT_AN_IMAGE),
    "png_with_broken_checksum": (
        "logo.png",
        _image("PNG").replace(b"IDAT", b"IDAT\x00", 1)[:-1],
        NOT_AN_IMAGE,
    ),
}


def _errors_beside(html: str, field: str) -> list[str]:
    block = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return [unescape(e) for e in re.findall(r"<li>(.*?)</li>", block.group(1))] if block else []


def _post_logo(client: Client, forbund: Forbund, upload: SimpleUploadedFile):
    url = reverse("forbund_edit", args=[forbund.slug])
    data = {k: v for k, v in form_values(client.get(url).content.decode()).items() if k != "logo"}
    return client.post(url, {**data, "name": "Nytt namn", "logo": upload})


def _stored_logos() -> list[str]:
    try:
        return default_storage.listdir("logotyper")[1]
    except FileNotFoundError:
        return []


def _assert_refused(response, forbund: Forbund, message: str, *, files_before, events_before):
    assert response.status_code == 200
    assert any(e.startswith(message) for e in _errors_beside(response.content.decode(), "logo"))
    stored = Forbund.objects.get(pk=forbund.pk)
    assert (stored.name, stored.logo.name, stored.lock_version) == (
        forbund.name,
        forbund.logo.name,
        forbund.lock_version,
    )
    assert AuditEvent.objects.count() == events_before
    assert _stored_logos() == files_before


@pytest.mark.parametrize("probe", sorted(HOSTILE))
def test_a_hostile_logo_is_refused_beside_the_field_and_changes_nothing(probe, forbund_a, kansli_a):
    name, content, message = HOSTILE[probe]
    files, events = _stored_logos(), AuditEvent.objects.count()
    response = _post_logo(kansli_a, forbund_a, SimpleUploadedFile(name, content))
    _assert_refused(response, forbund_a, message, files_before=files, events_before=events)


@pytest.mark.filterwarnings("error")
def test_a_logo_past_pillows_warning_limit_is_refused_when_warnings_are_errors(forbund_a, kansli_a):
    files, events = _stored_logos(), AuditEvent.objects.count()
    upload = SimpleUploadedFile("logo.png", _png_claiming(10_000, 10_000))
    response = _post_logo(kansli_a, forbund_a, upload)
    _assert_refused(response, forbund_a, TOO_WIDE, files_before=files, events_before=events)


def test_a_50_mb_logo_is_refused_before_the_server_holds_it_whole(forbund_a, kansli_a):
    files, events = _stored_logos(), AuditEvent.objects.count()
    content = _image("PNG") + b"\x00" * (50 * 1024 * 1024)
    response = _post_logo(kansli_a, forbund_a, SimpleUploadedFile("logo.png", content))
    _assert_refused(response, forbund_a, TOO_LARGE, files_before=files, events_before=events)
    # The upload was dropped once past the limit, not kept in memory or on disk to the end.
    assert all(f.size <= 3 * 1024 * 1024 for f in response.wsgi_request.FILES.values())


def test_the_settings_page_still_refuses_a_post_without_its_csrf_token(forbund_a, kansli_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(kansli_a.membership.user)
    upload = SimpleUploadedFile("logo.png", _image("PNG"))
    url = reverse("forbund_edit", args=[forbund_a.slug])
    response = client.post(url, {"name": "Kapad", "logo": upload})
    assert response.status_code == 403
    assert Forbund.objects.get(pk=forbund_a.pk).name == forbund_a.name


def test_the_stored_logo_is_the_image_alone(forbund_a, kansli_a):
    script = b"<script>alert(1)</script>"
    text = _chunk(b"tEXt", b"Comment\x00" + script)
    png = _image("PNG")
    content = png[:33] + text + png[33:]  # after IHDR: a text chunk holding markup
    response = _post_logo(kansli_a, forbund_a, SimpleUploadedFile("logo.jpg", content))
    assert response.status_code == 302
    forbund_a.refresh_from_db()
    with forbund_a.logo.open("rb") as file:
        stored = file.read()
    assert script not in stored
    assert forbund_a.logo.name.endswith(".png")  # named for what it is, not what it was called
    with Image.open(io.BytesIO(stored)) as image, Image.open(io.BytesIO(png)) as original:
        assert image.format == "PNG"
        assert image.tobytes() == original.convert(image.mode).tobytes()


def test_a_jpeg_logo_is_stored_as_jpeg_of_the_same_size(forbund_a, kansli_a):
    content = _image("JPEG", size=(300, 100), quality=90)
    response = _post_logo(kansli_a, forbund_a, SimpleUploadedFile("logo.jpeg", content))
    assert response.status_code == 302
    forbund_a.refresh_from_db()
    with forbund_a.logo.open("rb") as file, Image.open(file) as image:
        assert (image.format, image.size) == ("JPEG", (300, 100))


def _data_uri_of(plan) -> tuple[str, bytes]:
    uri = logo_data_uri(plan)
    if not uri:
        return "", b""
    head, _, data = uri.partition(",")
    return head, base64.b64decode(data)


def _store_as_logo(forbund: Forbund, name: str, content: bytes) -> None:
    """A file that reached storage some other way than the form (a restored backup)."""
    forbund.logo.save(name, ContentFile(content), save=True)


def test_the_pdf_embeds_the_logo_checked_again_and_only_the_image(world):
    plan = world["plan_a"]
    png = _image("PNG")
    _store_as_logo(
        plan.forbund, "logo.png", png[:33] + _chunk(b"tEXt", b"c\x00<script>") + png[33:]
    )
    head, data = _data_uri_of(plan)
    assert head == "data:image/png;base64"
    assert b"<script>" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (40, 20)


def test_the_pdf_names_a_jpeg_stored_as_png_for_what_it_is(world):
    plan = world["plan_a"]
    _store_as_logo(plan.forbund, "logo.png", _image("JPEG"))
    head, data = _data_uri_of(plan)
    assert head == "data:image/jpeg;base64"
    assert data.startswith(b"\xff\xd8")


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        _image("PNG") + b"<html><script>alert(1)</script></html>",
        _png_claiming(30_000, 30_000),
    ],
    ids=["html", "png_with_html_appended", "png_30000_by_30000"],
)
def test_the_pdf_leaves_out_a_stored_file_that_is_no_acceptable_logo(world, content):
    plan = world["plan_a"]
    _store_as_logo(plan.forbund, "logo.png", content)
    assert logo_data_uri(plan) == ""


def test_settings_are_saved_beside_a_stored_logo_that_a_check_since_would_refuse(
    forbund_a, kansli_a
):
    _store_as_logo(forbund_a, "logo.png", _image("PNG") + b"<html></html>")
    url = reverse("forbund_edit", args=[forbund_a.slug])
    data = form_values(kansli_a.get(url).content.decode())
    response = kansli_a.post(url, {**data, "logo": "", "name": "Nytt namn"})
    assert response.status_code == 302
    assert Forbund.objects.get(pk=forbund_a.pk).name == "Nytt namn"
