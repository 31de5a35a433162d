"""The safe subset of formatting a section's text may hold, enforced on save.

nh3 (the Ammonia sanitiser) keeps headings, paragraphs, lists, bold, italic and links and drops
everything else: script, style, event attributes, images and javascript: links. Plain text
without tags is turned into paragraphs, so a user who never writes a tag gets what they typed.
"""

from __future__ import annotations

import re
from html import escape, unescape

import nh3

ALLOWED_TAGS = {
    "h3",
    "h4",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
_TAG = re.compile(r"<[a-zA-Z/][^>]*>")


def sanitize_html(text: str) -> str:
    """The text as safe HTML in the allowed subset."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_text(html: str) -> str:
    """The text of sanitised HTML without tags, for comparing versions."""
    text = re.sub(r"</(p|h3|h4|li|blockquote)>|<br\s*/?>", "\n", html or "")
    text = _TAG.sub("", text)
    return "\n".join(line.strip() for line in unescape(text).splitlines() if line.strip())
