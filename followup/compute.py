"""The follow-up's arithmetic: budget to date, a prognos pre-filled, deviations, a konto's sign,
and the suggestion of a konto's budget line. Pure functions over Decimal with no Django in them,
as budgets.calc is: the page, the command, the import and the reports compute a figure the same
way, and the year's forecast itself is computed by budgets.calc (see followup.selectors).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from budgets.calc import INTAKT, KOSTNAD, ZERO, round_kr

MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
EVEN = (1,) * 12
REST, LINEAR, HAND = "rest", "linjar", "hand"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineRef:
    """A budget line as the follow-up knows it: by its group and name, which a revision of the
    plan keeps. group_id None: the members' contribution (no line of the plan)."""

    group_id: int | None
    name: str
    side: str
    label: str  # as the konto map names it: the name, or "Grupp › Rad" where it is not unique
    group_name: str = ""
    calc_key: str = ""  # the line's key in budgets.calc ("" for medlemsbidrag)
    insats_id: int | None = None

    @property
    def key(self) -> tuple[int | None, str]:
        return (self.group_id, self.name)


def line_labels(lines: Iterable[tuple[str, str]]) -> list[str]:
    """The labels of (group name, line name) pairs: the line's name, or "Grupp › Rad" where two
    lines share a name."""
    pairs = list(lines)
    counts: dict[str, int] = {}
    for _, name in pairs:
        key = name.casefold()
        counts[key] = counts.get(key, 0) + 1
    return [f"{group} › {name}" if counts[name.casefold()] > 1 else name for group, name in pairs]


def shown_amount(side: str, booked: Decimal) -> Decimal:
    """A konto's amount as the plan shows its line: the books carry debit positive, so a cost
    shows as booked and an income (credit, negative in the books) with its sign turned."""
    return booked if side == KOSTNAD else -booked


def budget_to_date(budget: Decimal, weights: Sequence[int], month: int) -> Decimal:
    """The part of a year's budget that falls in its first `month` months by the weights, to
    the krona (half a krona up, as everywhere)."""
    if len(weights) != 12 or not 0 <= month <= 12:
        raise ValueError("tolv vikter och en månad 0–12")
    whole = sum(weights)
    if whole <= 0:
        raise ValueError("vikterna summerar till noll")
    if month == 12:
        return budget
    return round_kr(budget * sum(weights[:month]) / whole)


def budget_months(budget: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """The budget to date after each of the twelve months: budget_to_date for months 1–12,
    with the weights summed once."""
    if len(weights) != 12:
        raise ValueError("tolv vikter")
    whole = sum(weights)
    if whole <= 0:
        raise ValueError("vikterna summerar till noll")
    out, so_far = [], 0
    for weight in weights[:11]:
        so_far += weight
        out.append(round_kr(budget * so_far / whole))
    out.append(budget)
    return out


def prefill(
    method: str, *, utfall: Decimal, budget: Decimal, budget_so_far: Decimal, month: int
) -> Decimal:
    """A line's forecast for the whole year as the kansli chose to pre-fill it: utfall to date
    and the budget that remains, or utfall to date taken at the same pace all year."""
    if method == LINEAR:
        if month <= 0:
            return budget
        return round_kr(utfall * 12 / month)
    return round_kr(utfall + budget - budget_so_far)


def result_effect(side: str, budget: Decimal, actual: Decimal) -> Decimal:
    """The deviation as its effect on the year's result: positive is better than budget (more
    income, or less cost), so the deviations of all lines add up to the result's."""
    return actual - budget if side == INTAKT else budget - actual


def percent(deviation: Decimal, base: Decimal) -> Decimal | None:
    """The deviation in percent of the budget it is measured against (None against 0)."""
    if not base:
        return None
    return (deviation * HUNDRED / abs(base)).quantize(Decimal("0.1"))


def must_explain(
    deviation: Decimal, base: Decimal, *, threshold_kr: Decimal, threshold_percent: Decimal
) -> bool:
    """Whether a deviation is over the förbund's threshold: at least so many kronor and at least
    so many percent of the budget (a deviation from a budget of 0 counts in kronor alone)."""
    if not deviation or abs(deviation) < threshold_kr:
        return False
    share = percent(deviation, base)
    return share is None or abs(share) >= threshold_percent


# --- Suggesting a konto's budget line -----------------------------------------------------------

MEDLEMSBIDRAG_WORDS = re.compile(
    r"medlemsbidrag|medlemsavgift|finsam|bidrag fr[aå]n (staten|region|kommun|f[oö]rs[aä]kring)"
    r"|statsbidrag|tilldelning|f[oö]rs[aä]kringskassan|landsting|regionbidrag|kommunbidrag",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-zåäöéü]+")
STOP = {"och", "for", "för", "av", "till", "med", "inom", "ovriga", "övriga", "vid", "från"}


def _words(text: str) -> set[str]:
    plain = unicodedata.normalize("NFC", text.casefold())
    # Compare stems: "Lönekostnader" and "lön", "Lokalkostnader" and "lokaler".
    return {w[:5] for w in _WORD.findall(plain) if len(w) >= 3 and w not in STOP}


def suggest(
    konto: int, name: str, refs: Sequence[LineRef], category_lines: Mapping[str, LineRef]
) -> LineRef | None:
    """The budget line a konto most likely lands on, from its name against the plan's lines and
    categories: the same name first, then the most words in common (a tie suggests nothing); a
    konto whose name is the members' contribution lands there. None: no suggestion; the kansli
    chooses, and until then the konto is listed as mapped to nothing."""
    medlemsbidrag = next((r for r in refs if r.group_id is None), None)
    if konto < 3000 or konto > 8999:
        return None
    if medlemsbidrag is not None and 3000 <= konto < 4000 and MEDLEMSBIDRAG_WORDS.search(name):
        return medlemsbidrag
    side = INTAKT if konto < 4000 or 8000 <= konto < 8400 else KOSTNAD
    folded = name.casefold().strip()
    candidates = [r for r in refs if r.group_id is not None and r.side == side]
    for ref in candidates:
        if ref.name.casefold().strip() == folded:
            return ref
    words = _words(name)
    if not words:
        return None
    scored: list[tuple[float, LineRef]] = []
    for ref in candidates:
        common = words & _words(ref.name)
        if common:
            scored.append((len(common) / len(words | _words(ref.name)), ref))
    for category, ref in category_lines.items():
        common = words & _words(category)
        if common and ref.side == side:
            scored.append((len(common) / len(words | _words(category)) * 0.9, ref))
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    best = scored[0]
    if best[0] < 0.25 or (len(scored) > 1 and scored[1][0] == best[0] and scored[1][1] != best[1]):
        return None
    return best[1]


def zero_months() -> list[Decimal]:
    return [ZERO] * 12
