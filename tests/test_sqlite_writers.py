"""The embedded default under load: a fresh SQLite installation with the demo (load_demo), served
by gunicorn (DEBUG off) as in production, and ten people of one kansli saving at once for a
while, each in turn a budget cell of their own, a section and an insats (shared by two or more,
so that some saves meet a colleague's). Every answer is a saved change or a visible conflict: no
server error, no "database is locked", no failed connection; and nothing accepted is lost (each
cell holds its person's last figure, and each section's and insats's log is one unbroken chain
of old → new ending in what is stored).

Slow (a server, an installation and its static files): FINSAM_WRITERS_SECONDS sets how long the
people write (10 s here; 30 s to measure, `FINSAM_WRITERS_SECONDS=30 pytest -s …` prints the
figures)."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

import pytest

from bench.serve import Client, Installation, Server
from tests.helpers import form_values

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="the embedded SQLite is measured; PostgreSQL takes concurrent writers by design",
    ),
]

PEOPLE = 10
SECONDS = float(os.environ.get("FINSAM_WRITERS_SECONDS", "10"))
USER, PASSWORD, FORBUND = "kansli-sodra-vatterbygden", "finsam-demo", "sodra-vatterbygden"
CONFLICT = "efter att du öppnade sidan"

# What the people write to: the draft plan's text sections, insatser and, one each, the
# budget-year cell of a line that is no insats's.
TARGETS = """
import json
from plans.models import Plan
plan = Plan.objects.get(forbund__slug=%r, status="utkast")
print(json.dumps({
    "plan": plan.pk,
    "year": plan.budget_year,
    "sections": [s.pk for s in plan.sections.filter(kind="text")],
    "insatser": list(plan.insatser.values_list("pk", flat=True)),
    "lines": list(plan.budget_lines.filter(insats=None).values_list("pk", flat=True)),
}))
"""

# What is stored now, and the log of every change to the sections, insatser and cells written.
SURVEY = """
import json, sys
from budgets.models import BudgetAmount
from finsam.models import AuditEvent
from insatser.models import Insats
from plans.models import Section
t = json.loads(sys.argv[1])
def chain(model, pk, name):
    events = AuditEvent.objects.filter(
        object_type=model._meta.label_lower, object_id=str(pk), changes__has_key=name
    ).order_by("id")
    return [e.changes[name] for e in events]
cells = {}
for line in t["lines"]:
    cell = BudgetAmount.objects.select_related("line").get(line=line, year=t["year"], column="budget")
    label = f"{cell.line.name} {t['year']}"
    logged = [
        e.changes[label] for e in AuditEvent.objects.filter(
            action="budget.amounts", changes__has_key=label
        ).order_by("id")
    ]
    cells[line] = {"stored": str(int(cell.amount.amount)), "logged": logged}
print(json.dumps({
    "cells": cells,
    "sections": {
        pk: {"stored": Section.objects.get(pk=pk).body, "logged": chain(Section, pk, "body")}
        for pk in t["sections"]
    },
    "insatser": {
        pk: {
            "stored": Insats.objects.get(pk=pk).description,
            "logged": chain(Insats, pk, "description"),
        }
        for pk in t["insatser"]
    },
}))
"""


def _survey(installation: Installation, targets: dict) -> dict:
    out = installation.python(SURVEY, json.dumps(targets))
    return json.loads(out.strip().splitlines()[-1])


@dataclass
class Tally:
    requests: int = 0
    saves: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    # Each accepted save, by what it wrote to (("cell", line), ("section", pk), ("insats", pk)):
    # the value its page showed, and the one it sent.
    accepted: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)


def _person(port: int, n: int, t: dict, tally: Tally, lock: threading.Lock, stop: float):
    plan = f"/f/{FORBUND}/planer/{t['plan']}/"
    client = Client(port)
    client.login(USER, PASSWORD)
    line = t["lines"][n % len(t["lines"])]
    cell = f"a-{line}-{t['year']}-budget"
    editor = client.get(plan + "budget/").body.decode()
    shown = re.search(rf'name="o-{cell}" value="([^"]*)"', editor).group(1)
    mark = re.search(r'id="budget-figures" value="([^"]*)"', editor).group(1)
    i = 0

    def answer(kind, key, shown, value, path, body, headers=None):
        try:
            got = client.post(path, body, headers=headers)
        except OSError as error:
            return None, f"{kind}: {error!r}"
        text = got.body.decode(errors="replace")
        if got.status >= 500 or "database is locked" in text:
            return None, f"{kind}: {got.status}"
        with lock:
            tally.requests += 1
            if got.status in (200, 302) and not (kind != "cell" and got.status == 200):
                tally.saves += 1
                tally.accepted.setdefault((kind, key), []).append((shown, value))
                return got, None
            if CONFLICT in text:
                tally.conflicts += 1
                return got, None
        return None, f"{kind}: {got.status} {text[:200]!r}"

    while time.perf_counter() < stop:
        i += 1
        error = None
        try:
            if i % 3 == 1:  # the editor's autosave of one cell, as static/js/editor.js sends it
                value = str(1000 * (n * 10_000 + i))
                got, error = answer(
                    "cell",
                    line,
                    shown,
                    value,
                    plan + "budget/",
                    {cell: value, f"o-{cell}": shown, "figurer": mark},
                    {
                        "HX-Request": "true",
                        "HX-Target": "budget-editor",
                        "Finsam-Svar": "andringar",
                    },
                )
                if got is not None:
                    shown = value
                    mark = re.search(r'id="budget-figures" value="([^"]*)"', got.body.decode())
                    mark = mark.group(1) if mark else ""
            else:
                kind, pks = ("section", t["sections"]) if i % 3 == 2 else ("insats", t["insatser"])
                pk = pks[(n + i) % len(pks)]
                path = plan + (f"avsnitt/{pk}/" if kind == "section" else f"insatser/{pk}/andra/")
                page = client.get(path)
                if page.status != 200:
                    raise OSError(f"GET {path}: {page.status}")
                with lock:
                    tally.requests += 1
                values = form_values(page.body.decode())
                text = f"Person {n}, ändring {i}."
                name = "body" if kind == "section" else "description"
                was = values.get(name, "").strip()
                values[name] = text
                if kind == "section":
                    values["body_format"] = "markup"
                _, error = answer(kind, pk, was, text, path, values)
        except OSError as failed:
            error = f"{failed!r}"
        if error:
            with lock:
                tally.errors.append(error)


OURS = re.compile(r"Person \d+, ändring \d+\.")


def _lost(before: dict, after: dict, tally: Tally) -> list[str]:
    """Accepted saves that the database or its log does not keep: a save the log does not
    have; a save that replaced something else than its page showed (it overwrote a colleague's
    change unseen); a log whose next change does not begin where the one before it ended; a
    stored value that is not the log's last."""
    lost = []
    for plural, kind in (("cells", "cell"), ("sections", "section"), ("insatser", "insats")):
        for pk, seen in after[plural].items():
            chain = seen["logged"]
            if kind == "cell":  # amounts as whole kronor, from the log's {"kr": …}
                chain = [[str(int(Decimal(v["kr"]))) if v else "0" for v in pair] for pair in chain]
            olds = {new: old for old, new in chain[len(before[plural][pk]["logged"]) :]}
            mine = tally.accepted.get((kind, int(pk)), [])
            first = before[plural][pk]["stored"]
            for shown, value in mine:
                if kind == "cell":
                    expected = re.sub(r"\D", "", shown) or "0"
                elif kind == "section":
                    value = f"<p>{value}</p>"
                    expected = f"<p>{shown}</p>" if OURS.fullmatch(shown) else first
                else:
                    expected = shown if OURS.fullmatch(shown) else first
                if value not in olds:
                    lost.append(f"{kind} {pk}: {value!r} accepted, not in the log")
                elif olds[value] != expected:
                    lost.append(f"{kind} {pk}: {value!r} replaced {olds[value]!r} unseen")
            if len(olds) != len(mine):
                lost.append(f"{kind} {pk}: {len(mine)} saves accepted, {len(olds)} logged")
            for (_, new), (old_next, _) in pairwise(chain):
                if new != old_next:
                    lost.append(f"{kind} {pk}: a change from {old_next!r} followed {new!r}")
            if chain and seen["stored"] != chain[-1][1]:
                lost.append(f"{kind} {pk}: {seen['stored']!r} stored, {chain[-1][1]!r} logged")
    return lost


def test_ten_people_writing_at_once_through_gunicorn_on_sqlite_lose_nothing(tmp_path):
    installation = Installation("sqlite", 1, tmp_path / "finsam")
    installation.data_dir.mkdir()
    installation.manage("migrate", "--noinput", "-v0")
    installation.manage("load_demo")
    installation.manage("collectstatic", "--noinput", "-v0")
    targets = json.loads(installation.python(TARGETS % FORBUND).strip().splitlines()[-1])
    before = _survey(installation, targets)
    tally, lock = Tally(), threading.Lock()
    with Server(installation, workers=3) as server:
        # Read what the server logs as it comes: a full pipe would stop its workers.
        log: list[bytes] = []
        reader = threading.Thread(target=lambda: log.extend(server.process.stderr))
        reader.start()
        stop = time.perf_counter() + SECONDS
        people = [
            threading.Thread(target=_person, args=(server.port, n, targets, tally, lock, stop))
            for n in range(PEOPLE)
        ]
        started = time.perf_counter()
        for person in people:
            person.start()
        for person in people:
            person.join()
        elapsed = time.perf_counter() - started
    reader.join()
    logged = b"".join(log).decode(errors="replace")
    lost = _lost(before, _survey(installation, targets), tally)
    figures = {
        "seconds": round(elapsed, 1),
        "requests": tally.requests,
        "per_second": round(tally.requests / elapsed, 1),
        "saves": tally.saves,
        "conflicts": tally.conflicts,
        "errors": len(tally.errors),
        "lost": len(lost),
    }
    print(figures)  # the figures of the run, for pytest -s
    assert tally.errors == [], figures
    assert "database is locked" not in logged and "Traceback" not in logged, logged[-2000:]
    assert lost == [], figures
    assert tally.saves >= PEOPLE, figures  # everyone got their saves through
