"""The next plan stands on the follow-up: a plan carried forward from year N opens with N's
forecast UB and takes N's comparison columns from the follow-up, and once N is bokslutat its
real UB replaces the forecast in every later draft (a plan already submitted or adopted keeps
what it stated; the difference is a finding).

The plan's own calculation (budgets.calc through followup.selectors) computes every figure; the
writes to the plan go through plans' and budgets' services, so each is in the log old → new.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from budgets.calc import ROUNDING
from budgets.checks import VARNING, Finding
from budgets.models import ColumnKind
from budgets.services import budget_figures_set, budget_years_update, sek
from finsam.audit import ActingUser, audit_record
from finsam.models import Forbund
from finsam.money import format_amount, format_kr
from followup import selectors
from followup.models import (
    ClosedYear,
    PlanSource,
    PlanSourceKind,
    Prognos,
    month_end_label,
)
from plans.models import Plan
from plans.services import plan_update

ZERO = Decimal(0)


def latest_prognos(forbund: Forbund, year: int) -> Prognos | None:
    """The year's latest prognos: the one after the latest month, the last made of those."""
    return (
        Prognos.objects.filter(forbund=forbund, year=year)
        .order_by("-month", "-created_at", "-pk")
        .first()
    )


def plan_source_for(plan: Plan) -> PlanSource | None:
    """What the plan's pages say of where its opening eget kapital came from (None: typed or
    the previous plan's own roll-forward)."""
    return PlanSource.objects.filter(plan=plan).select_related("prognos").first()


def _signed(amount: Decimal, unit: str) -> str:
    text = format_amount(abs(amount), unit)
    return f"−{text}" if amount < 0 else f"+{text}"


def _comparison_amounts(plan: Plan, follow: selectors.FollowUp, previous_typed) -> tuple:
    """The new plan's cells of the year before in its comparison columns, from the follow-up:
    budget as the adopted plan typed it, the prognos, the utfall recorded so far. A line that
    came out net the other way cannot stand in a column of amounts (≥ 0): it is left at 0
    and named, so that the plan says so."""
    year = follow.year
    kinds = set(plan.comparison_kinds)
    new_lines = {}
    for line in plan.budget_lines.select_related("category"):
        new_lines.setdefault((line.category.group_id, line.name), line.pk)
    amounts: dict[tuple[int, int, str], Decimal] = {}
    medlemsbidrag: dict[tuple[int, str], Decimal] = {}
    negative: list[str] = []
    unit = plan.forbund.rounding_unit
    for row in follow.rows:
        by_kind = {
            ColumnKind.BUDGET: (
                row.budget
                if row.ref.group_id is None
                else previous_typed.get((int(row.ref.calc_key), year, ColumnKind.BUDGET), ZERO)
            ),
            ColumnKind.PROGNOS: row.prognos,
            ColumnKind.UTFALL: sum(row.months, ZERO),
        }
        for kind, value in by_kind.items():
            if kind not in kinds:
                continue
            if row.ref.group_id is None:
                # The members' parts are split in the förbund's rounding unit.
                # Half a unit up, as every rounding of the product (budgets.calc.ROUNDING).
                whole = (value / unit).quantize(Decimal(1), rounding=ROUNDING) * unit
                medlemsbidrag[(year, kind)] = max(ZERO, whole)
                continue
            line_id = new_lines.get(row.ref.key)
            if line_id is None:
                continue
            if value < 0:
                negative.append(f"{row.ref.label} ({ColumnKind(kind).label.lower()})")
                value = ZERO
            amounts[(line_id, year, kind)] = value
    return amounts, medlemsbidrag, negative


@dataclass(frozen=True)
class OpeningSource:
    """What a plan for year + 1 opens with when the follow-up of year knows better than the
    plan's roll-forward: the bokslut (closed) or the latest prognos, and the follow-up read."""

    ub: Decimal
    said: str  # "bokslutet för 2027", "prognosen per 31 augusti 2027"
    closed: ClosedYear | None
    prognos: Prognos | None
    followed: Plan
    follow: selectors.FollowUp


def opening_source(forbund: Forbund, year: int) -> OpeningSource | None:
    """The bokslut of year, or else its latest prognos, as the next plan's opening eget kapital;
    None where the year has neither (the plan's own roll-forward stands)."""
    followed = selectors.followed_plan(forbund, year)
    if followed is None:
        return None
    closed = ClosedYear.objects.filter(forbund=forbund, year=year).first()
    prognos = latest_prognos(forbund, year)
    if closed is None and prognos is None:
        return None
    follow = selectors.follow_up(followed, month=12 if closed else prognos.month)
    if closed is not None:
        return OpeningSource(
            closed.ub.amount, f"bokslutet för {year}", closed, None, followed, follow
        )
    return OpeningSource(
        follow.forecast.first.ub,
        f"prognosen {prognos.as_of_label}",
        None,
        prognos,
        followed,
        follow,
    )


@transaction.atomic
def plan_carried(*, plan: Plan, previous: Plan, acting_user: ActingUser) -> PlanSource | None:
    """A plan just carried forward into N+1 (plans.signals.plan_carried_forward): where N has a
    prognos (or is bokslutat), its opening eget kapital is N's forecast UB (or the bokslut's)
    and its comparison columns of N are the follow-up's. Without either, the plan stays as
    plans carried it (the previous plan's roll-forward)."""
    forbund, year = plan.forbund, plan.budget_year - 1
    source = opening_source(forbund, year)
    if source is None:
        return None
    closed, prognos, followed, follow, ub = (
        source.closed,
        source.prognos,
        source.followed,
        source.follow,
        source.ub,
    )
    kind = PlanSourceKind.BOKSLUT if closed is not None else PlanSourceKind.PROGNOS
    text = f"Ingående eget kapital, {format_amount(ub, forbund.amount_unit)}, är {source.said}."
    plan_update(plan=plan, acting_user=acting_user, data={"opening_equity": ub})
    if plan.comparison_year == year:
        amounts, medlemsbidrag, negative = _comparison_amounts(plan, follow, follow.figures.typed)
        budget_figures_set(
            plan=plan, acting_user=acting_user, amounts=amounts, medlemsbidrag=medlemsbidrag
        )
        ib = follow.figures.result.year(year).ib
        budget_years_update(
            plan=plan,
            acting_user=acting_user,
            rows={row.pk: {"comparison_ib": sek(ib)} for row in plan.year_rows.filter(year=year)},
        )
        through = max(follow.utfall.months_with_data, default=0)
        parts = [f"budget enligt {followed.title}"]
        if ColumnKind.PROGNOS in plan.comparison_kinds and prognos is not None:
            parts.append(f"prognosen {prognos.as_of_label}")
        if ColumnKind.UTFALL in plan.comparison_kinds:
            parts.append(
                f"utfall till och med {month_end_label(year, through)}"
                if through
                else "utfall (inget bokfört ännu)"
            )
        text += f" Jämförelsekolumnerna för {year} är hämtade ur uppföljningen: " + (
            ", ".join(parts) + "."
        )
        if negative:
            text += " Netto åt andra hållet, står som 0: " + ", ".join(negative) + "."
    source = PlanSource.objects.create(
        plan=plan,
        kind=kind,
        year=year,
        prognos=prognos if closed is None else None,
        opening_equity=sek(ub),
        text=text,
    )
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="followup.plan_source",
        obj=plan,
        plan=plan,
        summary=text,
    )
    return source


def real_outcome(follow: selectors.FollowUp) -> selectors.Forecast:
    """The year as it came out: the plan's own calculation with the whole year's utfall in
    place of the budget (and the later plan years rolled forward from it), with the checks."""
    amounts = {row.ref.key: sum(row.months, ZERO) for row in follow.rows}
    return selectors.forecast_years(follow.figures, follow.refs, amounts)


def real_ub(follow: selectors.FollowUp) -> Decimal:
    """The year's UB with the whole year's utfall in place of the budget: IB + the result."""
    return real_outcome(follow).first.ub


@transaction.atomic
def year_close(*, forbund: Forbund, year: int, acting_user: ActingUser) -> ClosedYear:
    """Året är bokslutat: the utfall through December is the year's, its real UB recorded, and
    every draft plan for the next year opens with it (logged old → new). A submitted or
    adopted plan keeps what it stated: opening_findings shows the difference."""
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()  # one close at a time
    if ClosedYear.objects.filter(forbund=forbund, year=year).exists():
        raise ValidationError(f"{year} är redan bokslutat.")
    followed = selectors.followed_plan(forbund, year)
    if followed is None:
        raise ValidationError(f"Förbundet har ingen antagen plan för {year}.")
    follow = selectors.follow_up(followed, month=12)
    if 12 not in follow.utfall.months_with_data:
        raise ValidationError(
            f"Utfallet för december {year} saknas. Läs in hela årets utfall innan året bokslutas."
        )
    if follow.utfall.unmapped:
        konton = ", ".join(
            f"{a.konto} {a.name} ({format_kr(a.total)})" for a in follow.utfall.unmapped[:10]
        )
        more = len(follow.utfall.unmapped) - 10
        raise ValidationError(
            f"Konton i utfallet hamnar inte på någon budgetrad: {konton}"
            + (f" och {more} till" if more > 0 else "")
            + ". Koppla dem, eller ange att de inte följs upp, innan året bokslutas."
        )
    ub = real_ub(follow)
    closed = ClosedYear(
        forbund=forbund,
        year=year,
        ub=sek(ub),
        closed_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    closed.full_clean(exclude=["forbund"])
    closed.save()
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="followup.year_close",
        obj=closed,
        summary=f"{year} är bokslutat: utgående eget kapital {format_kr(ub)}",
        changes={"ub": ["", format_kr(ub)]},
    )
    shown = format_amount(ub, forbund.amount_unit)
    text = f"Ingående eget kapital, {shown}, är bokslutet för {year}."
    for plan in Plan.objects.for_forbund(forbund).filter(budget_year=year + 1).order_by("pk"):
        if not plan.is_editable:
            continue
        plan.forbund = forbund
        plan_update(plan=plan, acting_user=acting_user, data={"opening_equity": ub})
        PlanSource.objects.update_or_create(
            plan=plan,
            defaults={
                "kind": PlanSourceKind.BOKSLUT,
                "year": year,
                "prognos": None,
                "opening_equity": sek(ub),
                "text": text,
            },
        )
    return closed


def _stated_against_bokslut(plan: Plan, ub: Decimal, unit: str) -> str:
    """What a plan submitted or adopted before the bokslut states against it, in one sentence
    (amounts in `unit`: a frozen plan's own)."""
    stated = plan.opening_equity.amount
    name = f"Planen för {plan.budget_year}" + (
        f" (version {plan.version})" if plan.version > 1 else ""
    )
    return (
        f"{name} anger ingående eget kapital {format_amount(stated, unit)}; bokslutet för "
        f"{plan.budget_year - 1} ger {format_amount(ub, unit)} ({_signed(ub - stated, unit)})."
    )


def opening_findings(forbund: Forbund, year: int) -> list[str]:
    """Where a plan for the year after a bokslutat year, submitted or adopted before the
    bokslut, states another opening eget kapital than the bokslut gives: one text each."""
    closed = ClosedYear.objects.filter(forbund=forbund, year=year).first()
    if closed is None:
        return []
    plans = Plan.objects.for_forbund(forbund).filter(budget_year=year + 1).order_by("version")
    return [
        _stated_against_bokslut(plan, closed.ub.amount, forbund.amount_unit)
        for plan in plans
        if not plan.is_editable and plan.opening_equity.amount != closed.ub.amount
    ]


IB_BOKSLUT = "ib-bokslut"


def bokslut_findings(plan: Plan, unit: str) -> list[Finding]:
    """ib-bokslut, in the plan's own Kontroller: a plan submitted or adopted before the year
    before was bokslutat keeps the opening eget kapital it stated; where the bokslut gives
    another, the difference is shown (as ib-angivet shows a stated IB against the roll-forward),
    in the plan's own unit, with what the kansli can do about it. A draft asks no query: the
    drafts at the bokslut open with it (year_close); one made or edited later is not followed
    (docs/followup.md)."""
    if plan.is_editable:
        return []
    closed = ClosedYear.objects.filter(
        forbund_id=plan.forbund_id, year=plan.budget_year - 1
    ).first()
    if closed is None or closed.ub.amount == plan.opening_equity.amount:
        return []
    text = _stated_against_bokslut(plan, closed.ub.amount, unit)
    if plan.is_adopted:
        then = "i en reviderad version kan ingående eget kapital sättas till bokslutets UB."
    else:
        then = "skickas den tillbaka till kansliet kan ingående eget kapital sättas till bokslutets UB."
    return [
        Finding(
            IB_BOKSLUT,
            VARNING,
            f"{text} Planen räknar med det den angav; {then}",
            plan.budget_year,
            "bokslut",
        )
    ]
