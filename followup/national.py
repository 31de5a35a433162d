"""The figures FK's national follow-up of Finsam asks each förbund for, from the year's one
follow-up (followup.selectors.follow_up) and the adopted plan's figures: per insats budget and
utfall split into individinriktat and strukturövergripande, planned and actual participants,
financing per financier, administrative costs and the result. The page, the workbook
(followup.excel_national) and `manage.py follow_up --format json` read this. docs/national.md
says what each figure is."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from budgets import calc
from finsam.members import FK
from followup.models import InsatsDeltagare
from followup.selectors import FollowUp
from insatser import rules
from insatser.models import Insats

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass
class InsatsFigures:
    name: str
    kind: str  # the insats's kind in words
    budget: Decimal
    utfall: Decimal
    individ_budget: Decimal
    individ_utfall: Decimal
    struktur_budget: Decimal
    struktur_utfall: Decimal
    planned: int | None
    participants: int | None
    women: int | None
    men: int | None


@dataclass
class Financier:
    name: str
    kind: str  # "Staten", "Region", "Kommun", "ESF", "Övrigt"
    medlemsbidrag: Decimal
    other: Decimal  # co-financing of insatser, ESF, other income

    @property
    def total(self) -> Decimal:
        return self.medlemsbidrag + self.other


@dataclass
class AdminLine:
    name: str
    budget: Decimal
    utfall: Decimal


@dataclass
class National:
    year: int
    month: int
    insatser: list[InsatsFigures] = field(default_factory=list)
    financing: list[Financier] = field(default_factory=list)
    admin: list[AdminLine] = field(default_factory=list)
    result_budget: Decimal = ZERO
    result_utfall: Decimal = ZERO


KIND_NAMES = {
    FK: "Staten",
    calc.REGION: "Region",
    calc.KOMMUN: "Kommun",
    calc.AF: "Staten (Arbetsförmedlingen)",
}


def _part(amount: Decimal, fraction: Decimal) -> Decimal:
    return calc.round_kr(amount * fraction)


def national(follow: FollowUp) -> National:
    """The national follow-up of the year that `follow` is the follow-up of."""
    plan, year = follow.plan, follow.year
    shares = {line.key: dict(line.share_kinds) for line in follow.figures.result.lines}
    insatser = {
        i.pk: i for i in Insats.objects.filter(plan=plan).prefetch_related("ar__medfinansiar")
    }
    counts = {
        d.insats_name: d for d in InsatsDeltagare.objects.filter(forbund=plan.forbund, year=year)
    }
    out = National(year=year, month=follow.month)
    esf = ZERO
    cofinancing: dict[int, Decimal] = {}
    for row in follow.insats_rows:
        insats = insatser.get(row.ref.insats_id)
        if insats is None:
            continue
        kinds = shares.get(row.ref.calc_key, {})
        individ, struktur = kinds.get(calc.INDIVID, ZERO), kinds.get(calc.STRUKTUR, ZERO)
        ar = next((a for a in insats.ar.all() if a.year == year), None)
        count = counts.get(insats.name)
        out.insatser.append(
            InsatsFigures(
                name=insats.name,
                kind=rules.KIND_LABELS.get(insats.kind, insats.kind),
                budget=row.budget,
                utfall=row.utfall,
                individ_budget=_part(row.budget, individ),
                individ_utfall=_part(row.utfall, individ),
                struktur_budget=_part(row.budget, struktur),
                struktur_utfall=_part(row.utfall, struktur),
                planned=ar.planned_participants if ar else None,
                participants=count.total if count else None,
                women=count.women if count else None,
                men=count.men if count else None,
            )
        )
        if ar is not None:
            if ar.esf_amount is not None:
                esf += ar.esf_amount.amount
            elif ar.esf_percent is not None:
                esf += calc.round_kr(row.budget * ar.esf_percent / HUNDRED)
            if ar.medfinansiar_id is not None:
                cofinancing[ar.medfinansiar_id] = (
                    cofinancing.get(ar.medfinansiar_id, ZERO) + ar.medfinansiering.amount
                )
    budget_year = follow.figures.result.year(year)
    for member in budget_year.members:
        out.financing.append(
            Financier(
                name=member.name,
                kind=KIND_NAMES.get(member.kind, member.kind),
                medlemsbidrag=budget_year.member_parts.get(member.key, ZERO),
                other=cofinancing.get(int(member.key), ZERO),
            )
        )
    out.financing.append(Financier("ESF-medel till insatser", "ESF", ZERO, esf))
    out.financing.append(
        Financier("Förbundets övriga intäkter", "Övrigt", ZERO, budget_year.ovriga_intakter)
    )
    for row in follow.rows:
        if row.side != calc.KOSTNAD or row.ref.group_id is None:
            continue
        fraction = shares.get(row.ref.calc_key, {}).get(calc.FORVALTNING, ZERO)
        if fraction:
            out.admin.append(
                AdminLine(row.label, _part(row.budget, fraction), _part(row.utfall, fraction))
            )
    result = follow.result_row
    out.result_budget, out.result_utfall = result["budget"], result["utfall"]
    return out


def _kr(value: Decimal) -> str:
    return str(int(calc.round_kr(value)))


def national_data(n: National) -> dict:
    """The figures as plain data: amounts as strings of whole kronor, as followup.report."""
    return {
        "year": n.year,
        "utfall_through_month": n.month,
        "insatser": [
            {
                "insats": i.name,
                "kind": i.kind,
                "budget": _kr(i.budget),
                "utfall": _kr(i.utfall),
                "individ_budget": _kr(i.individ_budget),
                "individ_utfall": _kr(i.individ_utfall),
                "struktur_budget": _kr(i.struktur_budget),
                "struktur_utfall": _kr(i.struktur_utfall),
                "planned_participants": i.planned,
                "participants": i.participants,
                "women": i.women,
                "men": i.men,
            }
            for i in n.insatser
        ],
        "financing": [
            {
                "financier": f.name,
                "kind": f.kind,
                "medlemsbidrag": _kr(f.medlemsbidrag),
                "other": _kr(f.other),
                "total": _kr(f.total),
            }
            for f in n.financing
        ],
        "administration": [
            {"line": a.name, "budget": _kr(a.budget), "utfall": _kr(a.utfall)} for a in n.admin
        ],
        "result": {"budget": _kr(n.result_budget), "utfall": _kr(n.result_utfall)},
    }
