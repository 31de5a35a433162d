"""The förbund's logo: which files are accepted, and the image that is stored and shown.

A logo reaches two places: storage, and a data: URI on the PDF's title page. Both get the
image as Pillow encodes it again from its pixels, so whatever else a file carried (markup in a
text chunk, a comment segment) is left behind. A file with more after the image's end (a page
or an archive appended: a polyglot) is refused outright, so that the person uploading it
learns why.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
# How each format ends: a PNG with its IEND chunk (length 0, fixed CRC), a JPEG with EOI.
_ENDINGS = {"PNG": b"\x00\x00\x00\x00IEND\xaeB`\x82", "JPEG": b"\xff\xd9"}

TOO_LARGE = "Logotypen får vara högst 2 MB."
NOT_AN_IMAGE = "Filen är ingen bild som kan läsas. Logotypen ska vara en PNG- eller JPEG-bild."
TOO_WIDE = "Logotypen får vara högst 4 000 bildpunkter åt varje håll."
# An SVG is a document, not pixels: it may carry scripts and fetch other files, and Pillow
# cannot encode it again as an image alone. Refused by name, so the person learns what to do.
SVG_REFUSED = (
    "SVG-bilder tas inte emot som logotyp. Spara logotypen som PNG eller JPEG (högst 2 MB) "
    "och ladda upp den igen."
)
HELP_TEXT = "PNG eller JPEG, högst 2 MB och 4 000 bildpunkter åt varje håll. SVG tas inte emot."
MORE_THAN_AN_IMAGE = (
    "Filen innehåller mer än bilden (data efter bildens slut). Spara bilden på nytt som PNG "
    "eller JPEG och ladda upp den igen."
)


def validate_logo(file) -> None:
    """A logo is a PNG or JPEG of at most 2 MB and 4 000 pixels a side that Pillow can read,
    with nothing after the image. Only its header is read before its size is known, so a small
    file that claims billions of pixels is refused without being decoded.

    A file already stored was checked when it came, and is checked again where it is shown
    (plans.document): a stricter rule since must not stop the förbund's settings being saved.
    """
    if not file or getattr(file, "_committed", False):
        return
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(TOO_LARGE, code="logo_size")
    file.seek(0)
    try:
        data = file.read(LOGO_MAX_BYTES + 1)
    finally:
        file.seek(0)
    if _is_svg(getattr(file, "name", "") or "", data):
        raise ValidationError(SVG_REFUSED, code="logo_svg")
    _checked_format(data)


def logo_image(data: bytes) -> tuple[str, bytes]:
    """The checked logo as its MIME type and the image encoded again from its pixels (no
    metadata, nothing appended); ValidationError when it is no acceptable logo."""
    fmt = _checked_format(data)
    out = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            image.load()
            if fmt == "JPEG":
                options = {"quality": "keep"}  # its own tables: no second loss of quality
            elif "transparency" in image.info:
                options = {"transparency": image.info["transparency"]}
            else:
                options = {}
            image.save(out, fmt, **options)
    except Exception as error:
        raise ValidationError(NOT_AN_IMAGE, code="logo_image") from error
    return LOGO_FORMATS[fmt], out.getvalue()


def stored_logo(name: str) -> tuple[str, bytes] | None:
    """The stored logo file name as its MIME type and image, checked and encoded again (a file
    may have reached storage some other way than the form, such as a restored backup); None
    when there is no such file or it is no acceptable logo."""
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as file:
        data = file.read(LOGO_MAX_BYTES + 1)
    try:
        return logo_image(data)
    except ValidationError:
        return None


def _is_svg(name: str, data: bytes) -> bool:
    # By its name, or by its start whatever it is called: SVG is XML, perhaps after a BOM.
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.lower().endswith((".svg", ".svgz")) or (
        head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) and b"<svg" in data[:4096].lower()
    )


def _checked_format(data: bytes) -> str:
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(TOO_LARGE, code="logo_size")
    try:
        # Only the two formats' readers see the file: no other of Pillow's plugins parses it.
        with Image.open(io.BytesIO(data), formats=list(LOGO_FORMATS)) as image:
            fmt, size = image.format, image.size
            if max(size) > LOGO_MAX_SIDE:
                raise ValidationError(TOO_WIDE, code="logo_pixels")
            image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limit (and its warning, should warnings be errors): far past ours.
        raise ValidationError(TOO_WIDE, code="logo_pixels") from error
    except Exception as error:
        # Pillow's readers raise many kinds of error on a malformed file (SyntaxError,
        # struct.error, EOFError …); Django's ImageField catches Exception for the same reason.
        raise ValidationError(NOT_AN_IMAGE, code="logo_image") from error
    if not data.rstrip(b"\x00").endswith(_ENDINGS[fmt]):
        raise ValidationError(MORE_THAN_AN_IMAGE, code="logo_polyglot")
    return fmt
