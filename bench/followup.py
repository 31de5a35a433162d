"""The follow-up's benchmark (`python bench/run.py --followup`): a year's SIE file with 50 000
#TRANS rows read, previewed and imported (time and peak memory), and the follow-up page at 1×
and 2× of the large plan with twelve months of utfall and three prognoses (median time and
queries). In one process with Django's test client, in a throwaway SQLite database of its own
(bench/quick.py sets it up).
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from decimal import Decimal

from django.contrib.auth import get_user_model

from bench.quick import CaptureQueriesContext, Client, call_command, connection, timed

YEAR = 2027
TRANS_ROWS = 50_000


def sie_file(kontos: dict[int, str], *, rows: int, year: int = YEAR) -> bytes:
    """A year's books: `rows` #TRANS rows in vouchers of two (a cost against the bank, or the
    bank against an income), spread over the twelve months, in CP437 as exporters write."""
    lines = [
        "#FLAGGA 0",
        '#PROGRAM "bench" 1',
        "#FORMAT PC8",
        "#SIETYP 4",
        f"#RAR 0 {year}0101 {year}1231",
        '#KONTO 1930 "Bank"',
    ]
    lines += [f'#KONTO {k} "{name}"' for k, name in kontos.items()]
    numbers = list(kontos)
    for i in range(rows // 2):
        konto = numbers[i % len(numbers)]
        month = i % 12 + 1
        amount = Decimal(1000 + (i * 37) % 9000) + Decimal(i % 100) / 100
        booked = amount if konto >= 4000 else -amount
        lines += [
            f'#VER A {i + 1} {year}{month:02}15 "Verifikation {i + 1}"',
            "{",
            f"   #TRANS {konto} {{}} {booked:.2f}",
            f"   #TRANS 1930 {{}} {-booked:.2f}",
            "}",
        ]
    return ("\r\n".join(lines) + "\r\n").encode("cp437")


def _adopted(lines: int, user, *, kommuner: int = 12):
    from bench.generate import large_forbund
    from plans.models import Plan

    forbund, plan = large_forbund(kommuner=kommuner, lines=lines, years=3, user=user)
    Plan.objects.filter(pk=plan.pk).update(
        status="antagen", meeting_date=f"{YEAR - 1}-11-20", paragraph="§ 1"
    )
    plan.refresh_from_db()
    return forbund, plan


def _mapped(forbund, plan):
    from followup import selectors, services
    from followup.models import MappingTarget

    refs = selectors.line_refs(selectors.plan_figures(plan))
    kontos, rows = {}, []
    incomes = costs = 0
    for ref in refs:
        if ref.group_id is None:
            konto = 3010
        elif ref.side == "intakt":
            incomes += 1
            konto = 3100 + incomes
        else:
            costs += 1
            konto = 4000 + costs
        kontos[konto] = ref.name[:60].replace('"', "")
        target = MappingTarget.MEDLEMSBIDRAG if ref.group_id is None else MappingTarget.LINE
        rows.append(services.MapRow(konto, konto, target, ref))
    services.mapping_set(forbund=forbund, rows=rows, refs=refs, acting_user=None)
    return refs, kontos


def sie_import(user) -> None:
    from followup import services
    from followup.sie import read_sie

    forbund, plan = _adopted(800, user, kommuner=11)  # its own förbund, apart from page()'s
    refs, kontos = _mapped(forbund, plan)
    data = sie_file(kontos, rows=TRANS_ROWS)
    t_read, _ = timed(lambda: read_sie(data), repeat=3)
    start = time.perf_counter()
    preview = services.utfall_preview(
        forbund=forbund, year=YEAR, file_name="bench.se", data=data, refs=refs
    )
    t_preview = time.perf_counter() - start
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
    t_import = time.perf_counter() - start
    # Peak memory of the whole import again (tracemalloc slows it, so timed apart).
    gc.collect()
    tracemalloc.start()
    again = services.utfall_preview(
        forbund=forbund, year=YEAR, file_name="bench.se", data=data, refs=refs
    )
    services.utfall_import(forbund=forbund, preview=again, acting_user=None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"SIE-import, {TRANS_ROWS} #TRANS-rader ({len(data) / 1024 / 1024:.1f} MB, "
        f"{len(kontos)} konton): läsning {t_read:.2f} s, förhandsvisning {t_preview:.2f} s, "
        f"inläsning {t_import:.2f} s ({len(ctx.captured_queries)} frågor); "
        f"totalt {t_preview + t_import:.2f} s, högsta minne {peak / 1024 / 1024:.0f} MB"
    )


def followed_year(lines: int, user):
    """An adopted plan of `lines` lines with a year of utfall from a SIE file (24 rows a konto)
    and prognoses after April, August and December: (förbund, plan, line refs)."""
    from followup import selectors, services

    forbund, plan = _adopted(lines, user)
    refs, kontos = _mapped(forbund, plan)
    data = sie_file(kontos, rows=24 * len(kontos))
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund, year=YEAR, file_name="bok.se", data=data, refs=refs
        ),
        acting_user=None,
    )
    for month in (4, 8, 12):
        services.prognos_create(
            forbund=forbund,
            year=YEAR,
            month=month,
            follow=selectors.follow_up(plan, month=month),
            acting_user=None,
        )
    return forbund, plan, refs


def page(user) -> None:
    from finsam.wsgi import settle_collector
    from followup import services

    for label, lines in (("1×", 800), ("2×", 1600)):
        forbund, plan, refs = followed_year(lines, user)
        client = Client()
        client.force_login(user)
        # As gunicorn runs it (finsam/wsgi.py): without this, the collector walks every object
        # the bench's own setup left behind, some 100 ms a request that a served page never pays.
        gc.collect()
        settle_collector()
        url = f"/f/{forbund.slug}/uppfoljning/{YEAR}/"
        assert client.get(url).status_code == 200
        seconds, queries = timed(lambda url=url, client=client: client.get(url), repeat=15)
        # After a change (a month typed in the grid): the first reader computes the page.
        line = next(r for r in refs if r.group_id is not None)
        after = []
        for i in range(7):
            services.line_outcomes_set(
                forbund=forbund,
                year=YEAR,
                cells={(line.key, 12): (Decimal(i), Decimal(i + 1))},
                refs=refs,
                acting_user=None,
            )
            cold, cold_queries = timed(lambda url=url, client=client: client.get(url), repeat=1)
            after.append(cold)
        after.sort()
        print(
            f"Uppföljningssidan {label} ({lines} rader, 12 månader, 3 prognoser): "
            f"{seconds * 1000:.0f} ms, {queries} frågor; första läsningen efter en ändring "
            f"{after[len(after) // 2] * 1000:.0f} ms, {cold_queries} frågor"
        )


def main() -> None:
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench-uppf", password="bench-losen-123")
    sie_import(user)
    page(user)
