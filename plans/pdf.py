"""Rendering a plan to an archival PDF with WeasyPrint: PDF/A-3b, tagged, fonts embedded.

Rendering costs seconds, so it never runs inside a web request: plans.tasks runs it in the
worker. The URL fetcher reads only the project's own static files and data: URLs, so no text a
user typed can make the server fetch anything from the network or the rest of the disk.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from plans.document import document_context
from plans.models import Plan

STATIC_ROOT = (Path(settings.BASE_DIR) / "static").resolve()


class LocalOnlyFetcher(URLFetcher):
    """Fetches data: URLs and files under static/, and refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if not path.is_relative_to(STATIC_ROOT):
                raise ValueError(f"Refusing to read {path}: only static files may be used.")
        elif not url.startswith("data:"):
            raise ValueError(f"Refusing to fetch {url}: only local files and data: URLs.")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class RenderedPdf:
    """The bytes of a rendered plan with its checksum and page count."""

    content: bytes
    sha256: str
    pages: int
    seconds: float


def plan_html(plan: Plan, *, draft: bool) -> str:
    """The HTML the PDF is made from."""
    context = document_context(plan)
    context["draft"] = draft
    return render_to_string("pdf/plan.html", context)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """WeasyPrint alone: HTML to PDF/A-3b with tags (one variant at a time)."""
    document = HTML(
        string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=LocalOnlyFetcher()
    ).render(pdf_variant="pdf/a-3b", pdf_tags=True)
    content = document.write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True)
    return content, len(document.pages)


def render_plan_pdf(plan: Plan, *, draft: bool) -> RenderedPdf:
    """The plan's PDF: a watermarked draft, or the adopted document."""
    return render_pdf(plan_html(plan, draft=draft))


def render_pdf(html: str) -> RenderedPdf:
    """Any document's HTML as PDF/A, with its checksum, pages and the time it took."""
    started = time.perf_counter()
    content, pages = html_to_pdf(html)
    return RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        pages=pages,
        seconds=time.perf_counter() - started,
    )
