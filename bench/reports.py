"""The reports' benchmark (`python bench/run.py --reports`): each document of the year for the
large plan at 1× and 2× (800 and 1 600 lines, twelve months of utfall, three prognoses): the
delårsrapport's page and its PDF, the årsredovisning's page and PDF, the medlemssamråd pack's
page and PDF and the national follow-up's page. Each page: median time and queries at both
sizes (the queries should be the same). Each PDF: the whole request or rendering, beside the
part of it WeasyPrint alone takes for the same HTML. In one process with Django's test client,
in a throwaway SQLite database of its own (bench/quick.py sets it up).
"""

from __future__ import annotations

import gc
import time

from django.contrib.auth import get_user_model

from bench.followup import YEAR, followed_year
from bench.quick import Client, call_command, reverse, timed


class WeasyClock:
    """Adds up the seconds spent in plans.pdf.html_to_pdf (WeasyPrint alone) while it is on,
    wherever a view or a task calls it from."""

    def __init__(self):
        self.seconds = 0.0
        self._patched: list[tuple[object, object]] = []

    def __enter__(self):
        import followup.reports
        import plans.pdf
        import plans.views_excel

        original = plans.pdf.html_to_pdf

        def clocked(html):
            start = time.perf_counter()
            try:
                return original(html)
            finally:
                self.seconds += time.perf_counter() - start

        for module in (plans.pdf, plans.views_excel, followup.reports):
            if hasattr(module, "html_to_pdf"):
                self._patched.append((module, module.html_to_pdf))
                module.html_to_pdf = clocked
        return self

    def __exit__(self, *exc):
        for module, original in self._patched:
            module.html_to_pdf = original


def _pdf(client, url: str, repeat: int = 3) -> tuple[float, float, int]:
    """Median seconds of the PDF request, of WeasyPrint's part in it, and the PDF's bytes."""
    runs = []
    for _ in range(repeat):
        with WeasyClock() as clock:
            start = time.perf_counter()
            response = client.get(url)
            total = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        runs.append((total, clock.seconds, len(response.content)))
    runs.sort()
    return runs[len(runs) // 2]


def main() -> None:
    from finsam.wsgi import settle_collector
    from followup.reports import render_report_pdf
    from followup.services_report import report_create
    from plans import services as plan_services

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench-rapport", password="bench-losen-123")
    pages: dict[str, list[str]] = {}
    pdfs: list[str] = []
    for label, lines in (("1×", 800), ("2×", 1600)):
        forbund, plan, _ = followed_year(lines, user)
        report = report_create(forbund=forbund, year=YEAR, month=8, acting_user=None)
        draft = plan_services.plan_create_from(previous=plan, acting_user=None)
        client = Client()
        client.force_login(user)
        gc.collect()
        settle_collector()  # as gunicorn runs it (finsam/wsgi.py; bench/followup.py says why)
        year = (forbund.slug, YEAR)
        urls = {
            "Delårsrapporten": reverse("delarsrapport", args=[*year, report.pk]),
            "Årsredovisningens tabeller": reverse("annual_report", args=year),
            "Medlemssamrådets underlag": reverse("pack", args=[forbund.slug, draft.pk]),
            "Nationella uppföljningen": reverse("national_follow_up", args=year),
        }
        for name, url in urls.items():
            assert client.get(url).status_code == 200, url
            seconds, queries = timed(lambda url=url, client=client: client.get(url), repeat=9)
            pages.setdefault(name, []).append(f"{label} {seconds * 1000:.0f} ms, {queries} frågor")
        if label != "1×":
            continue
        # The PDFs at 1×: the whole request (or the task's rendering) beside WeasyPrint's part.
        for name, url in (
            ("Årsredovisningens tabeller", reverse("annual_report_pdf", args=year)),
            ("Medlemssamrådets underlag", reverse("pack_pdf", args=[forbund.slug, draft.pk])),
        ):
            total, weasy, size = _pdf(client, url)
            pdfs.append(
                f"{name} som pdf (1×): {total * 1000:.0f} ms, varav WeasyPrint "
                f"{weasy * 1000:.0f} ms ({size / 1024:.0f} kB)"
            )
        runs = []
        for _ in range(3):
            with WeasyClock() as clock:
                start = time.perf_counter()
                rendered = render_report_pdf(report)
                runs.append((time.perf_counter() - start, clock.seconds, rendered.pages))
        total, weasy, pages_count = sorted(runs)[1]
        pdfs.append(
            f"Delårsrapporten som pdf (1×, {pages_count} sidor): {total * 1000:.0f} ms, varav "
            f"WeasyPrint {weasy * 1000:.0f} ms"
        )
    for name, figures in pages.items():
        print(f"{name}: " + "; ".join(figures))
    for line in pdfs:
        print(line)
