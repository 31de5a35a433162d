"""A text's change as a person reads it: the text without markup, the changed words marked.

The log, a conflict on a text and the version diff show a section's text this way; the stored
value is HTML (plans/sanitize.py), which no person should have to read.
"""

from __future__ import annotations

import difflib
import re
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TAG = re.compile(r"<[a-zA-Z/][^>]*>")
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "div"}
ELLIPSIS = "…"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def _break(self) -> None:
        if self.parts and self.parts[-1] != "\n":
            self.parts.append("\n")

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS or tag in ("br", "tr"):
            self._break()
        elif tag == "li":
            self._break()
            self.parts.append("- ")
        elif tag in ("td", "th") and self.parts and self.parts[-1] not in ("\n", "- "):
            self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag in _BLOCKS or tag in ("li", "tr"):
            self._break()

    def handle_data(self, data):
        self.parts.append(re.sub(r"\s+", " ", data))


def readable_text(value: str) -> str:
    """Stored text as plain text: paragraphs and list items on lines of their own (an item
    with a dash), no tags, no entities. Other text (a "<" typed in a plain field) is returned
    as it was typed: stored HTML always opens with a tag."""
    value = (value or "").strip()
    if not _TAG.match(value):
        return value
    parser = _Text()
    parser.feed(value)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line and line != "-")


def _tokens(text: str) -> list[str]:
    # Words and line breaks: a change of a word is marked, not the whole line it stands on.
    return re.findall(r"\n|[^\s]+", text)


def _join(tokens: list[str]) -> str:
    out = ""
    for token in tokens:
        if token == "\n":
            out = out.rstrip(" ") + "<br>"
        else:
            out += escape(token) + " "
    return out


def _marked(tag: str, label: str, tokens: list[str], longest: int | None) -> str:
    if longest is not None and len(tokens) > longest:
        tokens = [*tokens[:longest], ELLIPSIS]
    # The hidden word says to a screen reader what the mark says to the eye.
    return f'<{tag}><span class="visually-hidden">{label}: </span>{_join(tokens).strip()}</{tag}> '


# Above this many pairs of words in the changed middle, the middle is shown taken away and
# added as a whole: difflib's time grows with the product, and a log page must not wait on a
# pasted book.
MOST_PAIRS = 4_000_000


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    # An edit is mostly in one place: the unchanged start and end are matched first, cheaply.
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    mid_a, mid_b = a[start : len(a) - end], b[start : len(b) - end]
    if len(mid_a) * len(mid_b) > MOST_PAIRS:
        middle = [("replace", 0, len(mid_a), 0, len(mid_b))]
    else:
        middle = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_opcodes()
    out = [("equal", 0, start, 0, start)] if start else []
    out += [
        (op, i1 + start, i2 + start, j1 + start, j2 + start)
        for op, i1, i2, j1, j2 in middle
        if i2 > i1 or j2 > j1
    ]
    if end:
        out.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return out


def word_diff(old: str, new: str, *, context: int = 8, longest: int | None = None) -> SafeString:
    """The change from old to new as escaped HTML: both read as readable_text, the words taken
    away in <del>, the words added in <ins>, and a stretch of more than 2 × context unchanged
    words shortened with "…" around the changes. longest caps each marked run (the log)."""
    a, b = _tokens(readable_text(old)), _tokens(readable_text(new))
    out: list[str] = []
    opcodes = _opcodes(a, b)
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            same = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            head = [] if first else same[:context]
            tail = [] if last else same[-context:]
            if len(same) > len(head) + len(tail) + 1 and len(opcodes) > 1:
                out.append(_join(head) + ELLIPSIS + " " + _join(tail))
            else:
                out.append(_join(same))
            continue
        if i2 > i1:
            out.append(_marked("del", "borttaget", a[i1:i2], longest))
        if j2 > j1:
            out.append(_marked("ins", "tillagt", b[j1:j2], longest))
    # Every token was escaped in _join; the marks are ours.
    return mark_safe("".join(out).strip())
