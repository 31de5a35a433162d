"""Benchmark of Finsam Plan (docs/scaling.md says what the figures mean).

    .venv/bin/python bench/run.py            every page through gunicorn (3 workers, DEBUG off) on
                                             the installation of bench/generate.py at 1×, 2×
                                             and 4×, on SQLite and PostgreSQL, against a trivial
                                             view as floor; writes bench/results.json and
                                             bench/results.md
    .venv/bin/python bench/run.py --quick    the small, fast check in one process (bench/quick.py)
    .venv/bin/python bench/run.py --excel    export and import of a 5 000-line workbook
    .venv/bin/python bench/run.py --followup a SIE file of 50 000 #TRANS rows imported, and the
                                             follow-up page at 1× and 2× (bench/followup.py)
    .venv/bin/python bench/run.py --reports  the delårsrapport, the årsredovisning, the pack and
                                             the national follow-up at 1× and 2×, each PDF beside
                                             WeasyPrint alone (bench/reports.py)

Options of the full run: --scales 1,2,4  --db sqlite,postgres  --seconds 30 (each load test)
--users 20  --repeat 15 (requests per page)  --pdf-scales 1 (the PDF takes long at 4×)
--cache file,redis (the figures cache in files, and in a Redis server the run starts: the
cost of sharing it between machines).
Installations are kept under bench/.data/ (PostgreSQL: databases finsam_bench_N, reached with
BENCH_DATABASE_URL, default postgres://finsam:finsam@127.0.0.1:5432/) and rebuilt only when
bench/generate.py changes (GENERATOR_VERSION in bench/serve.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import (  # noqa: E402
    Client,
    Installation,
    RedisServer,
    Server,
    load,
    median_ms,
)

DATA = ROOT / "bench" / ".data"
PG_BASE = os.environ.get("BENCH_DATABASE_URL", "postgres://finsam:finsam@127.0.0.1:5432/")

PAGES = [
    ("start", "startsidan", "kansli", "/"),
    ("start_alla", "startsidan, en person i alla 70 förbund", "alla", "/"),
    ("editor", "budgeteditorn", "kansli", "{plan}budget/"),
    ("reports", "rapporter", "kansli", "{plan}budget/rapporter/"),
    ("insatser", "insatslistan", "kansli", "{plan}insatser/"),
    ("plan", "planens sida", "kansli", "{plan}"),
    ("document", "planen som dokument", "kansli", "{plan}dokument/"),
]

# Query counts: each page once with Django's test client, in the installation's own process.
QUERIES = r"""
import json, re, sys
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
from plans.models import Plan
from plans.pdf import plan_html
info = json.loads(sys.argv[1]); pages = json.loads(sys.argv[2])
users = {key: get_user_model().objects.get(username=info[key]) for key in ("kansli", "alla")}
counts = {}
for key, who, path in pages:
    client = Client()
    client.force_login(users[who])
    client.get(path)  # a first request fills what a process keeps
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    counts[key] = len(ctx.captured_queries)
plan = Plan.objects.get(pk=info["plan"])
with CaptureQueriesContext(connection) as ctx:
    plan_html(Plan.objects.get(pk=plan.pk), draft=True)
counts["pdf"] = len(ctx.captured_queries)
print(json.dumps(counts))
"""

# The PDF in a process of its own: wall time and peak memory of the whole rendering, and the
# HTML it was made from (for WeasyPrint alone, in another process).
PDF_OURS = r"""
import json, resource, sys, time
from plans.models import Plan
from plans.pdf import html_to_pdf, plan_html, render_plan_pdf
plan = Plan.objects.get(pk=int(sys.argv[1]))
start = time.perf_counter()
rendered = render_plan_pdf(plan, draft=True)
seconds = time.perf_counter() - start
open(sys.argv[2], "w", encoding="utf-8").write(plan_html(plan, draft=True))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "pages": rendered.pages, "peak_mb": peak}))
"""
PDF_WEASY = r"""
import json, resource, sys, time
from plans.pdf import html_to_pdf
html = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
content, pages = html_to_pdf(html)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "pages": pages, "peak_mb": peak}))
"""


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            line for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
        )
        ram_gib = round(int(mem.split()[1]) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        ram_gib = None
    import sqlite3

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def postgres_available() -> bool:
    if not shutil.which("pg_isready"):
        return False
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def installation(db: str, scale: int) -> Installation:
    url = PG_BASE.rstrip("/") + f"/finsam_bench_{scale}" if db == "postgres" else ""
    return Installation(db=db, scale=scale, data_dir=DATA / f"{db}-{scale}", database_url=url)


def measure(inst: Installation, info: dict, args, log) -> dict:
    plan_path = f"/f/{info['forbund']}/planer/{info['plan']}/"
    pages = [(key, label, who, path.format(plan=plan_path)) for key, label, who, path in PAGES]
    result: dict = {"db": inst.db, "scale": inst.scale, "pages": {}}
    counts = json.loads(
        inst.python(
            QUERIES,
            json.dumps(info),
            json.dumps([(key, who, path) for key, _, who, path in pages]),
        )
        .strip()
        .splitlines()[-1]
    )
    with Server(inst) as server:
        floor_client = Client(server.port)
        result["floor_ms"], _ = median_ms(floor_client, "/halsa/", args.repeat * 2)
        clients = {}
        for who in ("kansli", "alla"):
            clients[who] = Client(server.port)
            clients[who].login(info[who], info["password"])
        for key, label, who, path in pages:
            ms, size = median_ms(clients[who], path, args.repeat)
            wire = len(clients[who].get(path, headers={"Accept-Encoding": "gzip"}).body)
            result["pages"][key] = {
                "label": label,
                "ms": round(ms, 1),
                "ratio": round(ms / result["floor_ms"], 1),
                "queries": counts[key],
                "kb": round(size / 1024),
                "kb_wire": round(wire / 1024),
            }
            log(f"    {label}: {ms:.0f} ms, {counts[key]} frågor, {wire // 1024} kB komprimerat")
        result["cell_save"] = cell_save(clients["kansli"], plan_path + "budget/", args.repeat)
        # As a person saves cells: a figure typed and Tab, half a second at the least.
        result["cell_save"]["typed_ms"] = cell_save(
            clients["kansli"], plan_path + "budget/", args.repeat, pause=AFTER_CHANGE_PAUSE
        )["ms"]
        log(
            f"    en cell sparas: {result['cell_save']['ms']:.0f} ms i följd, "
            f"{result['cell_save']['typed_ms']:.0f} ms en halv sekund isär"
        )
        saver = CellSaver(clients["kansli"], plan_path + "budget/")
        for key, label, who, path in pages:
            if who != "kansli" or key == "start":
                continue
            ms = after_change(saver, clients[who], path)
            result["pages"][key]["after_change_ms"] = round(ms, 1)
            log(f"    {label} efter en ändring: {ms:.0f} ms")
        result["queries_pdf"] = counts["pdf"]
        if inst.scale == min(args.scales) and args.seconds > 0:
            result["load"] = {}
            for key, path, who in (
                ("editor", plan_path + "budget/", "kansli"),
                ("start", "/", "kansli"),
            ):
                result["load"][key] = load(
                    server.port, [path], info[who], info["password"], args.users, args.seconds
                )
                log(f"    {args.users} samtidiga på {key}: {result['load'][key]}")
    if inst.scale in args.pdf_scales:
        result["pdf"] = pdf(inst, info)
        log(f"    pdf: {result['pdf']}")
    return result


def cell_save(client: Client, path: str, repeat: int, pause: float = 0) -> dict:
    """The editor's autosave of one cell, as static/js/editor.js sends it: the cell, its stored
    twin and the figures the page shows (answered with only what changed, or the editor).
    pause: seconds between the saves (0: each sent as the answer to the one before comes)."""
    page = client.get(path).body.decode()
    match = re.search(r'name="(a-\d+-\d{4}-budget)"[^>]*value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"[^>]*name="(a-\d+-\d{4}-budget)"', page
    )
    if match is None:
        raise RuntimeError("no budget cell in the editor")
    name, value = match.groups() if match.group(1).startswith("a-") else match.groups()[::-1]
    stored = value
    times = []
    for i in range(repeat + 2):
        new = str(1000 + i)
        data = {name: new, f"o-{name}": stored}
        mark = MARK.search(page)
        if mark:  # the page says which figures it shows
            data["figurer"] = mark.group(1)
        answer = client.post(
            path,
            data,
            headers={
                "HX-Request": "true",
                "HX-Target": "budget-editor",
                "Finsam-Svar": "andringar",
            },
        )
        if answer.status != 200:
            raise RuntimeError(f"cell save: {answer.status} {answer.body[:300]!r}")
        page = answer.body.decode()
        stored = new
        if i >= 2:
            times.append(answer.seconds)
        time.sleep(pause)
    times.sort()
    return {"ms": round(times[len(times) // 2] * 1000, 1), "kb": round(len(answer.body) / 1024)}


MARK = re.compile(r'id="budget-figures" value="([^"]*)"')


class CellSaver:
    """One cell of the editor saved again and again, as the autosave sends it (the cell, its
    twin and the figures the page shows, asking for only what changed): a change the förbund
    counts, after which every page of the plan has new figures."""

    def __init__(self, client: Client, path: str):
        self.client, self.path = client, path
        page = client.get(path).body.decode()
        match = re.search(r'name="(a-\d+-\d{4}-budget)"[^>]*value="([^"]*)"', page)
        self.name, self.stored = match.groups()
        self.mark = MARK.search(page).group(1) if MARK.search(page) else ""
        self.count = 0

    def save(self) -> None:
        self.count += 1
        new = str(2000 + self.count)
        data = {self.name: new, f"o-{self.name}": self.stored}
        if self.mark:
            data["figurer"] = self.mark
        answer = self.client.post(
            self.path,
            data,
            headers={
                "HX-Request": "true",
                "HX-Target": "budget-editor",
                "Finsam-Svar": "andringar",
            },
        )
        if answer.status != 200:
            raise RuntimeError(f"cell save: {answer.status}")
        self.stored = new
        mark = MARK.search(answer.body.decode())
        self.mark = mark.group(1) if mark else ""


AFTER_CHANGE_PAUSE = 0.5  # seconds before the next reader comes


def after_change(saver: CellSaver, client: Client, path: str, repeat: int = 5) -> float:
    """Median milliseconds of the first read of a page after a change (a cell saved), the next
    reader coming half a second after the change's answer, as a person's next click does."""
    times = []
    for _ in range(repeat):
        saver.save()
        time.sleep(AFTER_CHANGE_PAUSE)
        times.append(client.get(path).seconds)
    return statistics.median(times) * 1000


def pdf(inst: Installation, info: dict, repeat: int = 3) -> dict:
    """Ours and WeasyPrint alone, in turn, `repeat` times each (a rendering of a hundred pages
    varies by some per cent from one run to the next): the medians, and the highest peaks."""
    html = inst.data_dir / "plan.html"
    ours, weasy = [], []
    for _ in range(repeat):
        ours.append(
            json.loads(inst.python(PDF_OURS, str(info["plan"]), str(html)).strip().splitlines()[-1])
        )
        weasy.append(json.loads(inst.python(PDF_WEASY, str(html)).strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in ours)
    weasy_seconds = statistics.median(r["seconds"] for r in weasy)
    return {
        "pages": ours[0]["pages"],
        "runs": repeat,
        "seconds": round(seconds, 2),
        "peak_mb": round(max(r["peak_mb"] for r in ours)),
        "weasyprint_seconds": round(weasy_seconds, 2),
        "weasyprint_peak_mb": round(max(r["peak_mb"] for r in weasy)),
        "ratio": round(seconds / weasy_seconds, 3),
    }


def table(results: dict) -> str:
    text = _table(results)
    before = results.get("before")
    if before:
        older = _table({**results, **before}).split("\n", 2)[2]  # without the title
        text += (
            f"\n## Före (commit {before['commit']}, samma installationer och samma maskin)\n\n"
            + older
        )
    return text


def _table(results: dict) -> str:
    lines = [
        "# Finsam Plan, benchmark",
        "",
        f"Mätt {results['when']} på {results['machine']['cpu']}, {results['machine']['cores']} "
        f"kärnor, {results['machine']['ram_gib']} GiB, Python {results['machine']['python']}, "
        f"SQLite {results['machine']['sqlite']}. gunicorn med 3 arbetare, DEBUG av, loopback. "
        "Median av serverns svarstid i ms, i parentes gånger golvet (en vy som bara svarar).",
        "",
    ]
    runs = results["runs"]
    dbs = sorted({variant(r) for r in runs}, key=VARIANTS.index)
    scales = sorted({r["scale"] for r in runs})
    by = {(variant(r), r["scale"]): r for r in runs}
    header = "| sida | " + " | ".join(f"{s}× {db}" for s in scales for db in dbs) + " | frågor |"
    lines += [header, "|---" * (len(scales) * len(dbs) + 2) + "|"]
    floor = "| golvet (/halsa/) | " + " | ".join(
        f"{by[(db, s)]['floor_ms']:.1f}" for s in scales for db in dbs if (db, s) in by
    )
    lines.append(floor + " | 0 |")
    for key, label, _, _ in PAGES:
        cells = []
        counts = []
        for s in scales:
            for db in dbs:
                page = by.get((db, s), {}).get("pages", {}).get(key)
                cells.append(f"{page['ms']:.0f} ({page['ratio']:.0f}×)" if page else "–")
                if page:
                    counts.append(page["queries"])
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {_span(counts)} |")
    cells = [
        f"{by[(db, s)]['cell_save']['ms']:.0f}" if (db, s) in by else "–"
        for s in scales
        for db in dbs
    ]
    lines.append("| en cell sparas i editorn, spar i följd | " + " | ".join(cells) + " | |")
    typed = [
        f"{by[(db, s)]['cell_save']['typed_ms']:.0f}"
        if "typed_ms" in by.get((db, s), {}).get("cell_save", {})
        else "–"
        for s in scales
        for db in dbs
    ]
    lines.append("| en cell sparas, en halv sekund mellan spar | " + " | ".join(typed) + " | |")
    pdf_counts = [by[(db, s)]["queries_pdf"] for s in scales for db in dbs if (db, s) in by]
    lines.append(
        f"| pdf:ens data (frågor) | {' | '.join('' for _ in cells)} | {_span(pdf_counts)} |"
    )
    lines.append("")
    # The first read after a change, against the warm read; and the size on the wire.
    after = [
        (key, label)
        for key, label, _, _ in PAGES
        if any("after_change_ms" in r.get("pages", {}).get(key, {}) for r in runs)
    ]
    if after:
        lines += [
            "Första läsningen efter en ändring (en cell sparad, nästa läsare en halv sekund "
            "efter svaret), i ms och gånger den varma; och sidans storlek okomprimerad / "
            "komprimerad (gzip) i kB:",
            "",
            "| sida | " + " | ".join(f"{s}× {db}" for s in scales for db in dbs) + " |",
            "|---" * (len(scales) * len(dbs) + 1) + "|",
        ]
        for key, label in after:
            cells = []
            for s in scales:
                for db in dbs:
                    page = by.get((db, s), {}).get("pages", {}).get(key)
                    if not page or "after_change_ms" not in page:
                        cells.append("–")
                        continue
                    ratio = page["after_change_ms"] / page["ms"]
                    cells.append(f"{page['after_change_ms']:.0f} ({ratio:.2f}×)")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "| sida, kB | " + " | ".join(f"{s}× {db}" for s in scales for db in dbs) + " |",
        ]
        lines.append("|---" * (len(scales) * len(dbs) + 1) + "|")
        for key, label, _, _ in PAGES:
            cells = []
            for s in scales:
                for db in dbs:
                    page = by.get((db, s), {}).get("pages", {}).get(key)
                    cells.append(
                        f"{page['kb']} / {page['kb_wire']}" if page and "kb_wire" in page else "–"
                    )
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    for r in runs:
        if "pdf" in r:
            p = r["pdf"]
            lines.append(
                f"PDF {r['scale']}× ({variant(r)}, {p['pages']} sidor, "
                f"{_runs(p.get('runs', 1))}): "
                f"{p['seconds']} s och "
                f"{p['peak_mb']} MB; WeasyPrint ensam på samma HTML {p['weasyprint_seconds']} s "
                f"och {p['weasyprint_peak_mb']} MB; kvot {p['ratio']}."
            )
    verdicts = []
    for r in runs:
        for key, run in r.get("load", {}).items():
            passed = load_passed(key, run)
            if passed is not None:
                verdicts.append(passed)
            lines.append(
                f"{run['users']} samtidiga på {key} ({variant(r)} {r['scale']}×, "
                f"{run['seconds']} s): "
                f"{run['per_second']} svar/s, p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms, "
                f"p99 {run['p99_ms']} ms, {run['errors']} fel"
                + ("." if passed is None else f": {'godkänt' if passed else 'UNDERKÄNT'}.")
            )
    if verdicts:
        limits = ", ".join(f"{key} p95 ≤ {ms} ms" for key, ms in LOAD_P95_MS.items())
        lines.append(
            f"Belastningen: {'GODKÄND' if all(verdicts) else 'UNDERKÄND'} "
            f"({sum(verdicts)} av {len(verdicts)}; gränserna: inget fel, {limits})."
        )
    return "\n".join(lines) + "\n"


# The load test passes with no error and the 95th percentile within these, for 20 people at
# once on three workers (docs/scaling.md, "Hur snabbt").
LOAD_P95_MS = {"editor": 1500, "start": 500}


def load_passed(key: str, run: dict) -> bool | None:
    if key not in LOAD_P95_MS:
        return None
    return run["errors"] == 0 and run["p95_ms"] <= LOAD_P95_MS[key]


VARIANTS = ["sqlite", "sqlite+redis", "postgres", "postgres+redis"]


def variant(run: dict) -> str:
    """A run's database, and the shared cache when it is not the default (files)."""
    return run["db"] + ("+redis" if run.get("cache") == "redis" else "")


def _runs(n: int) -> str:
    return "en körning" if n == 1 else f"median av {n} körningar"


def _span(counts: list[int]) -> str:
    if not counts:
        return ""
    return str(counts[0]) if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"


def full(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,2,4")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--pdf-scales", default="1")
    # The figures cache: files on the machine (the default), or a Redis server the run starts.
    parser.add_argument("--cache", default="file")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    # The same run on older code (its results.json and commit), shown after this run's table.
    parser.add_argument("--before", default="")
    parser.add_argument("--before-commit", default="")
    args = parser.parse_args(argv)
    args.scales = [int(s) for s in args.scales.split(",")]
    args.pdf_scales = [int(s) for s in args.pdf_scales.split(",") if s]
    dbs = args.db.split(",")
    if "postgres" in dbs and not postgres_available():
        print("PostgreSQL svarar inte på 127.0.0.1; mäter bara SQLite.")
        dbs = [d for d in dbs if d != "postgres"]
    results = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "runs": [],
    }
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(RedisServer()) if "redis" in args.cache.split(",") else None
        for db in dbs:
            for scale in args.scales:
                for cache in args.cache.split(","):
                    inst = installation(db, scale)
                    info = inst.ensure()
                    if cache == "redis":
                        redis.flush()  # the installations' keys may be the same
                        inst.extra_env = {"CACHE_BACKEND": redis.url}
                    print(f"{db} {scale}× ({cache}):")
                    run = measure(inst, info, args, print)
                    run["cache"] = cache
                    results["runs"].append(run)
    if args.before:
        before = json.loads(Path(args.before).read_text())
        results["before"] = {
            "commit": args.before_commit,
            "when": before["when"],
            "runs": before["runs"],
        }
    Path(args.out + ".json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    Path(args.out + ".md").write_text(table(results))
    print()
    print(table(results))


if __name__ == "__main__":
    if {"--quick", "--excel", "--followup", "--reports"} & set(sys.argv):
        from bench import quick

        quick.main(sys.argv)
    else:
        full(sys.argv[1:])
