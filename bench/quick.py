"""The quick benchmark (`python bench/run.py --quick`, `--excel`): query counts and timings of
the budget pages, plan_summary and the PDF in one process with Django's test client, on the demo
data and on a generated large förbund; and Excel export and import of 5 000 lines. It works in a
throwaway SQLite database of its own.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["FINSAM_DATA_DIR"] = tempfile.mkdtemp(prefix="finsam-bench-")
os.environ["FINSAM_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver", "localhost"]


def timed(fn, repeat: int = 5) -> tuple[float, int]:
    """Median seconds of `repeat` runs, and the queries of the last run."""
    times = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def quick() -> None:
    from bench.generate import large_forbund
    from budgets.selectors import compute_plan_figures
    from plans.demo import load_demo
    from plans.models import Plan
    from plans.pdf import html_to_pdf, plan_html, render_plan_pdf

    call_command("migrate", verbosity=0)
    load_demo()
    user = get_user_model().objects.create_user("bench", password="bench-losen-123")
    client = Client()
    client.force_login(user)

    rows = []
    cases = [("liten", 4, 20, 3), ("stor", 12, 200, 5), ("dubbel", 12, 400, 5)]
    for label, kommuner, lines, years in cases:
        forbund, plan = large_forbund(kommuner=kommuner, lines=lines, years=years, user=user)
        editor = reverse("budget_editor", args=[forbund.slug, plan.pk])
        statements = reverse("budget_statements", args=[forbund.slug, plan.pk])
        # The computation itself: plan_figures would answer from the cache after the first run.
        t_fig, q_fig = timed(lambda plan=plan: compute_plan_figures(plan))
        t_ed, q_ed = timed(lambda url=editor: client.get(url))
        t_st, q_st = timed(lambda url=statements: client.get(url))
        t_sum, q_sum = timed(
            lambda slug=forbund.slug: call_command(
                "plan_summary", "--forbund", slug, "--year", "2027", stdout=io.StringIO()
            )
        )
        rows.append(
            (
                f"{label}: {kommuner} kommuner, {lines} rader, {years} år",
                q_fig,
                t_fig,
                q_ed,
                t_ed,
                q_st,
                t_st,
                q_sum,
                t_sum,
            )
        )

    print(
        "| data | plan_figures (frågor / ms) | budgeteditorn (frågor / ms) | rapporter (frågor / ms) | plan_summary (frågor / ms) |"
    )
    print("|---|---|---|---|---|")
    for label, q1, t1, q2, t2, q3, t3, q4, t4 in rows:
        print(
            f"| {label} | {q1} / {t1 * 1000:.0f} | {q2} / {t2 * 1000:.0f} | {q3} / {t3 * 1000:.0f} | {q4} / {t4 * 1000:.0f} |"
        )

    # The PDF: our whole rendering against WeasyPrint alone on the same HTML, side by side.
    largest = max(
        Plan.objects.filter(forbund__slug__in=["goteborg", "sodra-vatterbygden", "sundsvall"]),
        key=lambda p: p.budget_lines.count(),
    )
    html = plan_html(largest, draft=True)
    html_to_pdf(html)  # warm up: fonts and caches load once per process
    ours, weasy, building = [], [], []
    for _ in range(5):
        start = time.perf_counter()
        plan_html(largest, draft=True)
        building.append(time.perf_counter() - start)
        start = time.perf_counter()
        rendered = render_plan_pdf(largest, draft=True)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        html_to_pdf(html)
        weasy.append(time.perf_counter() - start)
    o, w, b = statistics.median(ours), statistics.median(weasy), statistics.median(building)
    print()
    print(
        f"PDF av den största demoplanen ({largest.forbund.name} {largest.budget_year}, "
        f"{rendered.pages} sidor), median av 5 efter en uppvärmning:"
    )
    print(
        f"  Finsam Plan (data + mall + WeasyPrint): {o:.2f} s; WeasyPrint ensam på samma HTML: "
        f"{w:.2f} s; merkostnad {100 * (o - w) / w:.1f} % (krav: högst 15 %); "
        f"data och mall ensamma: {b * 1000:.0f} ms"
    )

    # An adopted PDF download reads the stored file: no rendering, a fixed handful of queries.
    from plans.models import PdfKind, PdfStatus, PlanPdf
    from plans.tasks import render_plan_pdf_task

    pdf = PlanPdf.objects.create(plan=largest, kind=PdfKind.ANTAGEN)
    render_plan_pdf_task.call(pdf.pk)
    pdf.refresh_from_db()
    assert pdf.status == PdfStatus.KLAR
    Plan.objects.filter(pk=largest.pk).update(
        status="antagen", meeting_date="2026-11-20", paragraph="§1"
    )
    from finsam.models import Membership

    Membership.objects.get_or_create(user=user, forbund=largest.forbund, role="revisor")
    url = reverse("pdf_download", args=[largest.forbund.slug, largest.pk, pdf.pk])
    import plans.pdf as pdf_module

    calls = []
    original = pdf_module.render_plan_pdf
    pdf_module.render_plan_pdf = lambda *a, **k: calls.append(1) or original(*a, **k)
    t_dl, q_dl = timed(lambda: b"".join(client.get(url).streaming_content), repeat=10)
    pdf_module.render_plan_pdf = original
    print(
        f"  Nedladdning av den antagna pdf:en: {t_dl * 1000:.1f} ms, {q_dl} frågor, {len(calls)} renderingar"
    )
    excel(user)


def excel(user, lines: int = 5_000) -> None:
    """Export and import of a workbook of `lines` budget lines (docs/excel.md)."""
    from bench.generate import large_forbund
    from plans.excel.export import export_plan
    from plans.excel.importer import apply_import, prepare_import
    from plans.excel.reader import read_upload

    forbund, plan = large_forbund(kommuner=12, lines=lines, years=3, user=user)
    t_export, _ = timed(lambda: export_plan(plan).save(), repeat=3)
    data = export_plan(plan).save()
    t_read, _ = timed(lambda: read_upload("plan.xlsx", data), repeat=3)
    parsed = read_upload("plan.xlsx", data)
    t_preview, q_preview = timed(lambda: prepare_import(plan, parsed), repeat=3)
    for line in parsed.lines:  # every amount changes: the import writes every cell
        line.amounts = {label: amount + 100 for label, amount in line.amounts.items()}
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        preview = apply_import(plan=plan, parsed=parsed, acting_user=user, filename="bench.xlsx")
    t_apply = time.perf_counter() - start
    print()
    print(
        f"Excel, {lines} budgetrader × 3 år ({len(data) / 1024:.0f} kB): export {t_export:.2f} s, "
        f"läsning {t_read:.2f} s, förhandsvisning {t_preview:.2f} s ({q_preview} frågor), "
        f"import av {preview.amount_count} ändrade belopp {t_apply:.2f} s "
        f"({len(ctx.captured_queries)} frågor)"
    )


def main(argv: list[str]) -> None:
    if "--followup" in argv:
        from bench import followup

        followup.main()
    elif "--reports" in argv:
        from bench import reports

        reports.main()
    elif "--excel" in argv:
        from django.contrib.auth import get_user_model as _users

        call_command("migrate", verbosity=0)
        excel(_users().objects.create_user("bench-excel", password="bench-losen-123"))
    else:
        quick()


if __name__ == "__main__":
    main(sys.argv)
