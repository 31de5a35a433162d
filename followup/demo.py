"""The demo's year after adoption: for each adopted seed plan, eight months of books as a SIE 4
file would bring them (one konto per line), read through the konto map and the import as a kansli
would, and two prognoses (per 30 April, reported to the board; per 31 August, in work).

The amounts are made up, deterministically (the same demo every time), around each line's budget;
the seeds publish no utfall.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from budgets.calc import KOSTNAD, round_kr
from finsam.models import Forbund
from followup import selectors, services, services_report
from followup.compute import REST, LineRef
from followup.models import MONTH_NAMES, AccountOutcome, Prognos, Reason
from plans.demo import load_demo as load_plans_demo

MONTHS = 8  # the books through August: the autumn, when the next plan is written
HUNDRED = Decimal(100)


def _konto(ref: LineRef, index: int) -> int:
    """A konto in the Kommun-Bas style range of its side: incomes 3xxx, costs 4xxx–7xxx."""
    if ref.group_id is None:
        return 3010
    return (3100 if ref.side != KOSTNAD else 4000) + index * 10


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "").replace('"', "'") + '"'


def demo_sie(
    forbund: Forbund, year: int, refs: list[LineRef], budgets: dict, months: int
) -> tuple[bytes, dict[int, LineRef]]:
    """The förbund's books for the year's first months as a SIE 4 file in CP437 (PC8), and the
    konto each line is booked on."""
    rng = random.Random(f"{forbund.slug}-{year}")
    lines = [
        "#FLAGGA 0",
        '#PROGRAM "Finsam Plan demo" 1',
        "#FORMAT PC8",
        f"#GEN {year}0905",
        "#SIETYP 4",
        f"#ORGNR {forbund.organisationsnummer}",
        f"#FNAMN {_quote(forbund.name)}",
        f"#RAR 0 {year}0101 {year}1231",
    ]
    kontos: dict[int, LineRef] = {}
    for index, ref in enumerate(refs):
        konto = _konto(ref, index)
        kontos[konto] = ref
        lines.append(f"#KONTO {konto} {_quote(ref.name[:100])}")
    for month in range(1, months + 1):
        for konto, ref in kontos.items():
            budget = budgets.get(ref.key, Decimal(0))
            if not budget:
                continue
            # A month's share of the budget: the members pay as decided; a cost is somewhat off
            # as months are (-15 % … +8 %), an income a little (-5 % … +5 %).
            spread = (-15, 8) if ref.side == KOSTNAD else (-5, 5)
            off = 0 if ref.group_id is None else rng.randint(*spread)
            amount = round_kr(budget / 12 * (1 + Decimal(off) / HUNDRED))
            booked = amount if ref.side == KOSTNAD else -amount
            lines.append(f"#PSALDO 0 {year}{month:02} {konto} {{}} {booked}.00")
    return ("\r\n".join(lines) + "\r\n").encode("cp437", errors="replace"), kontos


def load_followup(forbund: Forbund) -> None:
    """The demo's utfall and prognoses for the förbund's adopted plan, unless it has utfall."""
    plans = [
        p for p in (selectors.followed_plan(forbund, y) for y in range(2015, 2035)) if p is not None
    ]
    if not plans:
        return
    plan = plans[-1]
    year = plan.budget_year
    if AccountOutcome.objects.filter(forbund=forbund, year=year).exists():
        return
    figures = selectors.plan_figures(plan)
    refs = selectors.line_refs(figures)
    budget_year = figures.result.year(year)
    budgets = {
        r.key: budget_year.medlemsbidrag
        if r.group_id is None
        else budget_year.line_amounts.get(r.calc_key, Decimal(0))
        for r in refs
    }
    data, kontos = demo_sie(forbund, year, refs, budgets, MONTHS)
    services.mapping_set(
        forbund=forbund,
        rows=[
            services.MapRow(
                konto,
                konto,
                "medlemsbidrag" if ref.group_id is None else "rad",
                ref,
            )
            for konto, ref in kontos.items()
        ],
        refs=refs,
        acting_user=None,
    )
    preview = services.utfall_preview(
        forbund=forbund, year=year, file_name=f"bokforing-{year}.se", data=data, refs=refs
    )
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
    april = services.prognos_create(
        forbund=forbund,
        year=year,
        month=4,
        follow=selectors.follow_up(plan, month=4),
        acting_user=None,
        note="Prognos efter första tertialet.",
    )
    _explain(plan, april)
    services.prognos_report(
        plan=plan,
        prognos=april,
        meeting_date=date(year, 5, 20),
        paragraph="§ 24",
        acting_user=None,
    )
    august = services.prognos_create(
        forbund=forbund,
        year=year,
        month=MONTHS,
        follow=selectors.follow_up(plan, month=MONTHS),
        methods={r.key: REST for r in refs},
        acting_user=None,
        note=f"Prognos per {MONTH_NAMES[MONTHS - 1]}, inför delårsrapporten.",
    )
    _explain(plan, august)
    # The delårsrapport per August, a draft with its first text written: the kansli submits it
    # and the board adopts it as the plan (docs/reports.md).
    report = services_report.report_create(
        forbund=forbund, year=year, month=MONTHS, acting_user=None
    )
    first = report.sections.first()
    services_report.report_section_save(
        section=first,
        acting_user=None,
        data={
            "body": "<p>Verksamheten har löpt enligt planen. Insatserna har tagit emot "
            "deltagare som budgeterat, och prognosen redovisas nedan.</p>",
            "lock_version": first.lock_version,
        },
    )


def _explain(plan, prognos: Prognos) -> None:
    """Explain the deviations over the threshold, as the kansli must before reporting."""
    follow = selectors.follow_up(plan, month=prognos.month)
    lines = {(pl.group_id, pl.line_name): pl for pl in prognos.lines.all()}
    values = {}
    for row in follow.rows:
        line = lines.get(row.ref.key)
        if row.must_explain and line is not None:
            better = row.prognos_deviation > 0
            values[line.pk] = {
                "reason": Reason.PERIODISERING if better else Reason.VERKSAMHET,
                "explanation": "Kostnaden kommer senare under hösten."
                if better and row.side == KOSTNAD
                else "Fler deltagare än planerat under våren.",
            }
    if values:
        services.prognos_lines_set(
            prognos=prognos,
            values=values,
            lock_version=prognos.lock_version,
            acting_user=None,
        )


def load_demo() -> list[Forbund]:
    """The seed förbund with their plans (plans.demo), then their year after adoption."""
    loaded = load_plans_demo()
    for forbund in loaded:
        load_followup(forbund)
    return loaded
