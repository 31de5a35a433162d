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
from budgets.models import BudgetLine
from finsam.members import FK
from followup.models import InsatsDeltagare
from followup.report import kr
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
    note: str = ""  # why the row stands as it does (the kommuner's part not split)

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

    @property
    def admin_budget(self) -> Decimal:
        return sum((a.budget for a in self.admin), ZERO)

    @property
    def admin_utfall(self) -> Decimal:
        return sum((a.utfall for a in self.admin), ZERO)


KIND_NAMES = {
    FK: "Staten",
    calc.REGION: "Region",
    calc.KOMMUN: "Kommun",
    calc.AF: "Staten (Arbetsförmedlingen)",
}
KOMMUNER_NAME = "Kommunerna (gemensamt)"
# Words that name EU money in an income line, its category or its group ("ESF-medel",
# "Europeiska socialfonden", "ESF+"); compared casefolded.
ESF_WORDS = ("esf", "socialfond")


def is_esf(*names: str) -> bool:
    """Whether an income line named so (line, category, group) is ESF money."""
    return any(word in name.casefold() for name in names for word in ESF_WORDS)


def _esf_income(plan, budget_year: calc.YearResult) -> Decimal:
    """The year's budgeted income on the plan's lines that are ESF money."""
    lines = BudgetLine.objects.filter(plan=plan, category__group__side=calc.INTAKT).values_list(
        "pk", "name", "category__name", "category__group__name"
    )
    return sum(
        (budget_year.line_amounts.get(str(pk), ZERO) for pk, *names in lines if is_esf(*names)),
        ZERO,
    )


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
    cofinancing: dict[str, Decimal] = {}
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
                key = str(ar.medfinansiar_id)
                cofinancing[key] = cofinancing.get(key, ZERO) + ar.medfinansiering.amount
    budget_year = follow.figures.result.year(year)
    kommun_block = budget_year.unsplit_kommun_block
    kommuner_done = False
    for member in budget_year.members:
        if member.kind == calc.KOMMUN and kommun_block is not None:
            # The kommuner's quarter stands as one sum (no fördelningstal, or the plan states
            # it so): one row for it, or it would vanish from the financing.
            if not kommuner_done:
                out.financing.append(
                    Financier(
                        KOMMUNER_NAME,
                        KIND_NAMES[calc.KOMMUN],
                        kommun_block,
                        ZERO,
                        note=(
                            f"{budget_year.kommun_error}, så kommunernas del kan inte fördelas "
                            "per kommun."
                            if budget_year.kommun_error
                            else "Planen anger kommunernas del som en summa."
                        ),
                    )
                )
                kommuner_done = True
            if member.key in cofinancing:
                out.financing.append(
                    Financier(member.name, KIND_NAMES[calc.KOMMUN], ZERO, cofinancing[member.key])
                )
            continue
        out.financing.append(
            Financier(
                name=member.name,
                kind=KIND_NAMES.get(member.kind, member.kind),
                medlemsbidrag=budget_year.member_parts.get(member.key, ZERO),
                other=cofinancing.get(member.key, ZERO),
            )
        )
    esf_income = _esf_income(plan, budget_year)
    out.financing.append(Financier("ESF-medel i förbundets budget", "ESF", ZERO, esf_income))
    out.financing.append(Financier("ESF-medel till insatser", "ESF", ZERO, esf))
    out.financing.append(
        Financier(
            "Förbundets övriga intäkter",
            "Övrigt",
            ZERO,
            budget_year.ovriga_intakter - esf_income,
        )
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


def national_data(n: National) -> dict:
    """The figures as plain data: amounts as strings of whole kronor, as followup.report."""
    return {
        "year": n.year,
        "utfall_through_month": n.month,
        "insatser": [
            {
                "insats": i.name,
                "kind": i.kind,
                "budget": kr(i.budget),
                "utfall": kr(i.utfall),
                "individ_budget": kr(i.individ_budget),
                "individ_utfall": kr(i.individ_utfall),
                "struktur_budget": kr(i.struktur_budget),
                "struktur_utfall": kr(i.struktur_utfall),
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
                "medlemsbidrag": kr(f.medlemsbidrag),
                "other": kr(f.other),
                "total": kr(f.total),
                "note": f.note,
            }
            for f in n.financing
        ],
        "administration": [
            {"line": a.name, "budget": kr(a.budget), "utfall": kr(a.utfall)} for a in n.admin
        ],
        "result": {"budget": kr(n.result_budget), "utfall": kr(n.result_utfall)},
    }
