"""The simple markup a section's text is written in without the rich editor (docs/sections.md),
and the way back from the stored HTML, so a section can always be edited as text.

    ## Rubrik                 ### Underrubrik
    Ett stycke. En ny rad i stycket blir en radbrytning.
    - punkt                   1. numrerad punkt
    > citat
    | Kolumn | Kolumn |       (en tabell; en rad |---|---| gör raden ovanför till rubrikrad)
    **fet**, *kursiv*, [länktext](https://exempel.se)

A blank line separates blocks. Everything is escaped before the markup is read, so a "<" typed
is a "<" shown; the HTML made is sanitised again on save (plans/sanitize.py).
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

_HEADING = re.compile(r"^(#{2,3})\s+(.*)$")
_BULLET = re.compile(r"^[-*•]\s+(.*)$")
_NUMBER = re.compile(r"^\d+[.)]\s+(.*)$")
_QUOTE = re.compile(r"^>\s?(.*)$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])[*_](?=\S)(.+?)(?<=\S)[*_](?![*\w])")


def _inline(text: str) -> str:
    # Runs of spaces are one space, as HTML shows them.
    text = escape(re.sub(r"[ \t]+", " ", text), quote=False)
    # The text is escaped already (& is &amp;); a quote must not end the attribute.
    text = _LINK.sub(lambda m: f'<a href="{m[2].replace(chr(34), "&quot;")}">{m[1]}</a>', text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def _kind(line: str) -> str:
    if _HEADING.match(line):
        return "heading"
    if _BULLET.match(line):
        return "ul"
    if _NUMBER.match(line):
        return "ol"
    if _QUOTE.match(line):
        return "quote"
    if line.lstrip().startswith("|"):
        return "table"
    return "p"


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [cell.strip() for cell in line.split("|")]


def _table(lines: list[str]) -> str:
    head: list[str] = []
    body = lines
    if len(lines) > 1 and _SEPARATOR.match(lines[1].strip()):
        head, body = _cells(lines[0]), lines[2:]
    out = "<table>"
    if head:
        out += "<thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead>"
    rows = [_cells(line) for line in body if not _SEPARATOR.match(line.strip())]
    if rows:
        out += "<tbody>"
        out += "".join(
            "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        out += "</tbody>"
    return out + "</table>"


def markup_to_html(text: str) -> str:
    """The markup as HTML in the allowed subset."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[tuple[str, list[str]]] = []
    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            blocks.append(("blank", []))
            continue
        kind = _kind(line)
        previous = blocks[-1] if blocks else None
        if kind != "heading" and previous and previous[0] == kind:
            previous[1].append(line)
        else:
            blocks.append((kind, [line]))
    html = []
    for kind, group in blocks:
        if kind == "blank":
            continue
        if kind == "heading":
            match = _HEADING.match(group[0])
            tag = "h3" if len(match[1]) == 2 else "h4"
            html.append(f"<{tag}>{_inline(match[2].strip())}</{tag}>")
        elif kind in ("ul", "ol"):
            pattern = _BULLET if kind == "ul" else _NUMBER
            items = "".join(f"<li>{_inline(pattern.match(x)[1].strip())}</li>" for x in group)
            html.append(f"<{kind}>{items}</{kind}>")
        elif kind == "quote":
            lines = [_inline(_QUOTE.match(x)[1].strip()) for x in group]
            if any(lines):
                html.append(f"<blockquote><p>{'<br>'.join(lines)}</p></blockquote>")
        elif kind == "table":
            html.append(_table(group))
        else:
            html.append("<p>" + "<br>".join(_inline(x.strip()) for x in group) + "</p>")
    return "".join(html)


class _ToMarkup(HTMLParser):
    """Sanitised HTML back to the markup (the allowed subset only)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.lists: list[list] = []  # [kind, counter, items]
        self.href: list[str] = []
        self.quote = False
        self.row: list[str] | None = None
        self.table: list[tuple[bool, list[str]]] = []
        self.header_row = False
        self.cell: list[str] | None = None

    def _text(self) -> str:
        return "".join(self.current).strip()

    def _flush(self, prefix: str = "") -> None:
        text = self._text()
        if text:
            if self.quote:
                text = "\n".join(f"> {line}" for line in text.split("\n"))
            self.blocks.append(prefix + text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        target = self.cell if self.cell is not None else self.current
        if tag in ("strong", "b"):
            target.append("**")
        elif tag in ("em", "i"):
            target.append("*")
        elif tag == "a":
            self.href.append(dict(attrs).get("href") or "")
            target.append("[")
        elif tag == "br":
            target.append("\n")
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag, 0, []])
        elif tag == "li":
            self.current = []
        elif tag == "blockquote":
            self._flush()
            self.quote = True
        elif tag in ("p", "h3", "h4") and not self.lists and self.cell is None:
            self._flush()  # (a paragraph inside a list item or a cell is part of it)
        elif tag == "table":
            self._flush()
            self.table = []
        elif tag == "tr":
            self.row = []
            self.header_row = False
        elif tag in ("td", "th"):
            self.cell = []
            self.header_row = self.header_row or tag == "th"

    def handle_endtag(self, tag):
        target = self.cell if self.cell is not None else self.current
        if tag in ("strong", "b"):
            target.append("**")
        elif tag in ("em", "i"):
            target.append("*")
        elif tag == "a":
            target.append(f"]({self.href.pop() if self.href else ''})")
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            kind[1] += 1
            bullet = "- " if kind[0] == "ul" else f"{kind[1]}. "
            text = self._text().replace("\n", " ")
            if text:
                kind[2].append(bullet + text)
            self.current = []
        elif tag in ("ul", "ol") and self.lists:
            items = self.lists.pop()[2]
            if items:
                self.blocks.append("\n".join(items))
        elif tag in ("p", "h3", "h4") and (self.lists or self.cell is not None):
            pass  # the editor wraps list items and cells in paragraphs
        elif tag == "h3":
            self._flush("## ")
        elif tag == "h4":
            self._flush("### ")
        elif tag == "p":
            self._flush()
        elif tag == "blockquote":
            self._flush()
            self.quote = False
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell).strip().replace("\n", " ").replace("|", "/"))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.table.append((self.header_row, self.row))
            self.row = None
        elif tag == "table":
            lines = []
            for index, (is_head, row) in enumerate(self.table):
                lines.append("| " + " | ".join(row) + " |")
                if index == 0 and is_head:
                    lines.append("|" + "|".join("---" for _ in row) + "|")
            if lines:
                self.blocks.append("\n".join(lines))

    def handle_data(self, data):
        target = self.cell if self.cell is not None else self.current
        target.append(re.sub(r"\s+", " ", data))

    def result(self) -> str:
        self._flush()
        return "\n\n".join(b for b in self.blocks if b).strip()


def html_to_markup(html: str) -> str:
    """Stored (sanitised) HTML as the markup, for editing without the rich editor."""
    parser = _ToMarkup()
    parser.feed(html or "")
    parser.close()
    return parser.result()
