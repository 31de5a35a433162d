"""The safe subset of formatting a section's text may hold, enforced on save.

nh3 (the Ammonia sanitiser) keeps headings, paragraphs, lists, simple tables, bold, italic and
links and drops everything else: script, style, class and style attributes (what a paste from
Word carries), event attributes, images and javascript: links. Text without tags is the simple
markup (plans/markup.py), so "- " lines are a list and a blank line a new paragraph.
"""

from __future__ import annotations

import re
from html import unescape

import nh3

from plans.markup import markup_to_html

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
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
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
        text = markup_to_html(text)  # text without tags is the simple markup
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
    text = re.sub(r"</(p|h3|h4|li|blockquote|tr)>|<br\s*/?>", "\n", html or "")
    text = _TAG.sub("", text)
    return "\n".join(line.strip() for line in unescape(text).splitlines() if line.strip())
