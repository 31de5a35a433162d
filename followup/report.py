"""The figures of a year's follow-up as plain data: what the page shows and what
`manage.py follow_up --format json` prints, from one FollowUp (followup.selectors.follow_up).

Amounts are strings of whole kronor and percentages strings with one decimal, so the JSON is
exact and the page and the command can be compared figure by figure. A prognos's own table
(per line its amount, deviation from budget and whether it must be explained) is here too:
the prognos page and the report to the board read it, and reporting a prognos checks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from budgets import calc
from followup import compute
from followup.compute import LineRef
from followup.models import Prognos, PrognosLine, Reason, month_end_label
from followup.selectors import FollowUp, Forecast, Row, forecast_years

ZERO = Decimal(0)


def kr(value: Decimal | None) -> str | None:
    """An amount as a string of whole kronor ("-1234"); None stays None."""
    if value is None:
        return None
    if value.__class__ is Decimal:  # the common case, without round_kr's checks of the type
        return str(int(value.quantize(calc.KRONA, rounding=calc.ROUNDING)))
    return str(int(calc.round_kr(Decimal(value))))


def pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def month_label(year: int, month: int) -> str:
    """ "31 augusti 2027", or "inget utfall ännu" for month 0."""
    return month_end_label(year, month) if month else "inget utfall ännu"


REASONS = dict(Reason.choices)


def reason_label(code: str) -> str:
    """The reason's words (the field stores its code; an unknown code shows as stored)."""
    return REASONS.get(code, code) if code else ""


def row_data(row: Row) -> dict:
    line = row.prognos_line
    return {
        "label": row.label,
        "group": row.ref.group_name,
        "side": row.side,
        "kind": row.kind,
        "budget": kr(row.budget),
        "budget_so_far": kr(row.budget_so_far),
        "utfall": kr(row.utfall),
        "utfall_per_month": [kr(m) for m in row.months[: row.month]],
        "deviation": kr(row.deviation),
        "deviation_percent": pct(row.deviation_percent),
        "prognos": kr(row.prognos),
        "prognos_deviation": kr(row.prognos_deviation),
        "prognos_percent": pct(row.prognos_percent),
        "must_explain": row.must_explain,
        "explanation": row.explanation,
        "reason": reason_label(line.reason) if line is not None else "",
    }


def year_data(result: calc.YearResult, names: dict[str, str]) -> dict:
    return {
        "year": result.year,
        "medlemsbidrag": kr(result.medlemsbidrag),
        "intakter": kr(result.intakter),
        "kostnader": kr(result.kostnader),
        "resultat": kr(result.resultat),
        "ib": kr(result.ib),
        "ub": kr(result.ub),
        "ceiling": kr(result.ceiling),
        "floor": kr(result.floor),
        "member_parts": [
            {"member": names.get(key, key), "amount": kr(amount)}
            for key, amount in result.member_parts.items()
        ],
    }


def member_names(follow: FollowUp) -> dict[str, str]:
    names = {}
    for result in (*follow.budget_years, *follow.forecast.years):
        names.update({m.key: m.name for m in result.members})
    return names


def forecast_data(forecast: Forecast, names: dict[str, str]) -> dict:
    return {
        "years": [year_data(y, names) for y in forecast.years],
        "findings": [
            {"code": f.code, "severity": f.severity, "year": f.year, "message": f.message}
            for f in forecast.findings
        ],
    }


def members_data(follow: FollowUp, names: dict[str, str]) -> list[dict]:
    """Each member's part of the budget year's medlemsbidrag: as budgeted and as forecast."""
    budget = follow.budget_years[0].member_parts if follow.budget_years else {}
    forecast = follow.forecast.first.member_parts
    return [
        {
            "member": names.get(key, key),
            "budget": kr(budget.get(key)),
            "prognos": kr(forecast.get(key)),
        }
        for key in dict.fromkeys([*budget, *forecast])
    ]


def equity_data(follow: FollowUp) -> list[dict]:
    """Eget kapital per plan year: as budgeted and as forecast, with the ceiling and floor."""
    forecast = {y.year: y for y in follow.forecast.years}
    out = []
    for year in follow.budget_years:
        ahead = forecast.get(year.year)
        out.append(
            {
                "year": year.year,
                "budget_ib": kr(year.ib),
                "budget_resultat": kr(year.resultat),
                "budget_ub": kr(year.ub),
                "prognos_ib": kr(ahead.ib) if ahead else None,
                "prognos_resultat": kr(ahead.resultat) if ahead else None,
                "prognos_ub": kr(ahead.ub) if ahead else None,
                "ceiling": kr(year.ceiling),
                "floor": kr(year.floor),
            }
        )
    return out


def prognos_forecast(follow: FollowUp, prognos: Prognos) -> Forecast:
    """The year as one prognos forecast it (a line the prognos lacks, e.g. one a revision added,
    at its budget), by the same calculation as the plan."""
    if prognos is follow.prognos and all(r.prognos_line is not None for r in follow.rows):
        return follow.forecast  # the page's own forecast: every line is this prognos's
    amounts = {r.ref.key: r.budget for r in follow.rows}
    amounts.update({(pl.group_id, pl.line_name): pl.amount.amount for pl in prognos.lines.all()})
    return forecast_years(follow.figures, follow.refs, amounts)


def prognos_summary(follow: FollowUp, prognos: Prognos) -> dict:
    forecast = prognos_forecast(follow, prognos)
    first = forecast.first
    return {
        "id": prognos.pk,
        "month": prognos.month,
        "as_of": prognos.as_of_label,
        "created_by": _person(prognos.created_by),
        "reported": prognos.is_locked,
        "meeting_date": prognos.meeting_date.isoformat() if prognos.meeting_date else None,
        "paragraph": prognos.paragraph,
        "resultat": kr(first.resultat),
        "ub": kr(first.ub),
    }


def _person(user) -> str:
    if user is None:
        return "systemet"
    return user.get_full_name() or user.username


def follow_up_report(follow: FollowUp) -> dict:
    """Every figure of the follow-up page, JSON-friendly."""
    names = member_names(follow)
    unmapped = follow.utfall.unmapped
    return {
        "forbund": follow.plan.forbund.slug,
        "year": follow.year,
        "plan": {"id": follow.plan.pk, "version": follow.plan.version},
        "month": follow.month,
        "as_of": f"{follow.year}-{follow.month:02}" if follow.month else None,
        "as_of_label": month_label(follow.year, follow.month),
        "months_with_utfall": sorted(follow.utfall.months_with_data),
        "settings": {
            "threshold_kr": kr(follow.settings.threshold_kr.amount),
            "threshold_percent": str(follow.settings.threshold_percent),
            "distribution": follow.settings.distribution,
        },
        "rows": [row_data(r) for r in follow.rows],
        "groups": [row_data(r) for r in follow.groups],
        "insatser": [row_data(r) for r in follow.insats_rows],
        "totals": {key: row_data(r) for key, r in follow.totals.items()},
        "result": {key: kr(value) for key, value in follow.result_row.items()},
        "prognos": prognos_summary(follow, follow.prognos) if follow.prognos else None,
        "budget": {"years": [year_data(y, names) for y in follow.budget_years]},
        "members": members_data(follow, names),
        "equity": equity_data(follow),
        "forecast": forecast_data(follow.forecast, names),
        "unmapped": {
            "count": len(unmapped),
            "total": str(sum((a.total for a in unmapped), ZERO)),
            "accounts": [
                {"konto": a.konto, "name": a.name, "total": str(a.total)} for a in unmapped
            ],
        },
        "unexplained": [r.label for r in follow.unexplained],
    }


# --- One prognos's table --------------------------------------------------------------------------


@dataclass
class PrognosRow:
    """A line of one prognos: its budget, the utfall it was made on, its amount and deviation."""

    ref: LineRef
    line: PrognosLine
    budget: Decimal
    utfall: Decimal
    must_explain: bool

    @property
    def amount(self) -> Decimal:
        return self.line.amount.amount

    @property
    def deviation(self) -> Decimal:
        return compute.result_effect(self.ref.side, self.budget, self.amount)

    @property
    def percent(self) -> Decimal | None:
        return compute.percent(self.deviation, self.budget)

    @property
    def reason_label(self) -> str:
        return reason_label(self.line.reason)

    @property
    def unexplained(self) -> bool:
        return self.must_explain and not self.line.explanation.strip()


def prognos_rows(follow: FollowUp, prognos: Prognos) -> list[PrognosRow]:
    """The prognos's lines in the plan's order (follow: the year's follow-up at the prognos's
    month), each marked when its deviation from budget is over the förbund's threshold."""
    by_key = {r.ref.key: r for r in follow.rows}
    settings = follow.settings
    rows = []
    lines = {(pl.group_id, pl.line_name): pl for pl in prognos.lines.all()}
    for ref in follow.refs:
        line = lines.get(ref.key)
        if line is None:
            continue
        row = by_key[ref.key]
        deviation = compute.result_effect(ref.side, row.budget, line.amount.amount)
        rows.append(
            PrognosRow(
                ref=ref,
                line=line,
                budget=row.budget,
                utfall=sum(row.months[: prognos.month], ZERO),
                must_explain=compute.must_explain(
                    deviation,
                    row.budget,
                    threshold_kr=settings.threshold_kr.amount,
                    threshold_percent=settings.threshold_percent,
                ),
            )
        )
    return rows


@dataclass(frozen=True)
class PrognosTotal:
    """A sum under the prognos's lines: a side's (intäkter, kostnader), or the year's result."""

    label: str
    budget: Decimal
    utfall: Decimal
    amount: Decimal
    deviation: Decimal  # its effect on the result, as each line's
    is_result: bool = False

    @property
    def percent(self) -> Decimal | None:
        return None if self.is_result else compute.percent(self.deviation, self.budget)


def prognos_totals(
    follow: FollowUp, prognos: Prognos, rows: Sequence[PrognosRow]
) -> list[PrognosTotal]:
    """Summa intäkter, Summa kostnader and Årets resultat of the prognos (as the follow-up page
    sums its rows: the result is intäkter less kostnader, and its deviation the sum of the
    lines' effects). A line the prognos lacks (one a revision added) counts at its budget, as in
    prognos_forecast, so the result is the one the page states above the table."""
    listed = {r.ref.key for r in rows}
    # (side, budget, utfall to date, prognos, deviation) of every line of the year.
    figures = [(r.ref.side, r.budget, r.utfall, r.amount, r.deviation) for r in rows]
    figures += [
        (r.side, r.budget, sum(r.months[: prognos.month], ZERO), r.budget, ZERO)
        for r in follow.rows
        if r.ref.key not in listed
    ]

    def side(label: str, kind: str) -> PrognosTotal:
        chosen = [f for f in figures if f[0] == kind]
        return PrognosTotal(label, *(sum((f[i] for f in chosen), ZERO) for i in range(1, 5)))

    income = side("Summa intäkter", calc.INTAKT)
    cost = side("Summa kostnader", calc.KOSTNAD)
    result = PrognosTotal(
        "Årets resultat",
        income.budget - cost.budget,
        income.utfall - cost.utfall,
        income.amount - cost.amount,
        income.deviation + cost.deviation,
        is_result=True,
    )
    return [income, cost, result]


def unexplained_labels(rows: Sequence[PrognosRow]) -> list[str]:
    return [r.ref.label for r in rows if r.unexplained]
