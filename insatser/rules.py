"""The rules of insatser, målgrupper and indikatorer as plain functions, without Django.

Kinds and their shares of costs, the members an insats involves, the Agenda 2030 goals, what an
indikator's target may be and whether an outcome meets it. Models, forms, the budget selectors
and the checks all ask here, so a rule is written once.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from budgets import calc, checks
from finsam.money import format_plain

# --- Kind and the shares of costs ------------------------------------------------------------

# An individ or struktur insats counts in the share of costs of the same name (budgets.calc).
INDIVID, STRUKTUR = calc.INDIVID, calc.STRUKTUR
ESF = "esf"
BLANDAD = "blandad"
KIND_CHOICES = [
    (INDIVID, "Individinriktad"),
    (STRUKTUR, "Strukturinriktad"),
    (ESF, "ESF-projekt"),
    (BLANDAD, "Blandad (individ och struktur)"),
]
KIND_LABELS = dict(KIND_CHOICES)
HUNDRED = Decimal(100)


def share_kinds(
    kind: str, individ_percent: int | None, group_share_kind: str
) -> dict[str, Decimal]:
    """How an insats's cost counts in the shares of costs (budgets' share kinds).

    Its kind decides, not the group its line happens to stand in: individ and struktur count
    whole, a mixed insats in both in proportion to its split, and an ESF-projekt in its group's
    share (ESF-projekt count as individinriktade unless the förbund says otherwise).
    """
    if kind == BLANDAD and individ_percent is not None:
        individ = Decimal(individ_percent) / HUNDRED
        return {k: v for k, v in ((INDIVID, individ), (STRUKTUR, 1 - individ)) if v}
    if kind in (INDIVID, STRUKTUR):
        return {kind: Decimal(1)}
    return {group_share_kind or INDIVID: Decimal(1)}


MIX_MESSAGE = "Andelarna individ och struktur ska tillsammans vara 100 %."


def mix_problems(
    kind: str, individ: int | None, struktur: int | None = None, *, both_asked: bool = False
) -> dict[str, str]:
    """What is wrong with a mixed insats's split between individ and struktur: {field: message}.

    Only a mixed insats has a split: its individ part is 1–99 %, the rest is struktur. A form
    that asks for both parts (both_asked) also checks that they make 100.
    """
    if kind != BLANDAD:
        return {}
    if both_asked:
        if individ is None or struktur is None or individ + struktur != 100:
            return {"individ_percent": MIX_MESSAGE, "struktur_percent": MIX_MESSAGE}
        if individ == 0 or struktur == 0:
            return {
                "individ_percent": "En blandad insats har både en individdel och en strukturdel; "
                "välj annars individinriktad eller strukturinriktad."
            }
    if individ is None:
        return {"individ_percent": "Ange hur en blandad insats delas mellan individ och struktur."}
    if not 1 <= individ <= 99:
        return {
            "individ_percent": "En blandad insats har en del individ och en del struktur: "
            "ange 1–99 %."
        }
    return {}


def has_individ_part(kind: str) -> bool:
    """Whether the insats works with participants (and so must involve two members)."""
    return kind in (INDIVID, ESF, BLANDAD)


def group_kind(kind: str, individ_percent: int | None) -> str:
    """The kind whose budget group holds the insats's line: a mix goes with its larger part."""
    if kind == BLANDAD:
        return INDIVID if (individ_percent or 0) >= 50 else STRUKTUR
    return kind


def members_involved(agare_id: int | None, parter_ids: Iterable[int]) -> int:
    """How many different members take part: the ägare and the others."""
    return len({*parter_ids, *([agare_id] if agare_id else [])})


def too_few_members(kind: str, agare_id: int | None, parter_ids: Iterable[int]) -> str | None:
    """A warning when an insats with participants involves fewer than two members."""
    if not has_individ_part(kind) or members_involved(agare_id, parter_ids) >= 2:
        return None
    return (
        "Insatsen involverar bara en medlem. Individinriktade insatser ska rikta sig till "
        "personer som behöver stöd från minst två av medlemmarna."
    )


# --- Status ----------------------------------------------------------------------------------

NY = "ny"
BEVILJAD = "beviljad"
PAGAENDE = "pagaende"
AVSLUTAS = "avslutas"
AVSLUTAD = "avslutad"
STATUS_CHOICES = [
    (NY, "Ny"),
    (BEVILJAD, "Beviljad"),
    (PAGAENDE, "Pågående"),
    (AVSLUTAS, "Avslutas"),
    (AVSLUTAD, "Avslutad"),
]
ACTIVE_STATUSES = (NY, BEVILJAD, PAGAENDE, AVSLUTAS)

# --- Risk and effekt -------------------------------------------------------------------------

LAG, MEDEL, HOG = checks.LAG, checks.MEDEL, checks.HOG  # the risk check reads the same levels
LEVEL_CHOICES = [(LAG, "Låg"), (MEDEL, "Medel"), (HOG, "Hög")]
LEVELS = (LAG, MEDEL, HOG)

# --- Mål and indikatorer ---------------------------------------------------------------------

VERKSAMHETSMAL = "verksamhet"
EKONOMIMAL = "ekonomi"
INSATSMAL = "insats"
MAL_LEVEL_CHOICES = [
    (VERKSAMHETSMAL, "Verksamhetsmål"),
    (EKONOMIMAL, "Mål för god ekonomisk hushållning"),
    (INSATSMAL, "Insatsens mål"),
]
PLAN_LEVELS = (VERKSAMHETSMAL, EKONOMIMAL)

KONSFORDELNING = "konsfordelning"
STANDARD_CHOICES = [(KONSFORDELNING, "Jämn könsfördelning (40–60 %)")]
# The 40–60 % rule: each sex makes up 40–60 % of the participants, that is the less
# represented sex at least 40 %.
GENDER_BALANCE_MAL = "Jämn könsfördelning bland deltagarna: vart och ett av könen utgör 40–60 %."
GENDER_BALANCE_INDIKATOR = "Andel deltagare av det minst företrädda könet"
GENDER_BALANCE_TARGET = Decimal(40)

ANDEL = "andel"
ANTAL = "antal"
JANEJ = "janej"
TEXT = "text"
INDIKATOR_KIND_CHOICES = [
    (ANDEL, "Andel (procent)"),
    (ANTAL, "Antal"),
    (JANEJ, "Ja/nej"),
    (TEXT, "Text"),
]
NUMERIC_KINDS = (ANDEL, ANTAL)

MINST = "minst"
HOGST = "hogst"
DIRECTION_CHOICES = [(MINST, "Minst"), (HOGST, "Högst")]

SUS = "sus"
NNS = "nns"
HALSOENKAT = "halsoenkat"
PINNSTATISTIK = "pinnstatistik"
ANNAN = "annan"
SOURCE_CHOICES = [
    (SUS, "SUS"),
    (NNS, "NNS indikatorenkät"),
    (HALSOENKAT, "Hälsoenkät"),
    (PINNSTATISTIK, "Pinnstatistik"),
    (ANNAN, "Annan källa"),
]

PERCENT_MESSAGE = "En andel anges i procent mellan 0 och 100."
COUNT_MESSAGE = "Ett antal är ett heltal, 0 eller större."


def number_problem(kind: str, value: Decimal | None) -> str | None:
    """What is wrong with a target or outcome of a numeric indikator; None when it is fine."""
    if value is None:
        return None
    if kind == ANDEL and not (0 <= value <= HUNDRED):
        return PERCENT_MESSAGE
    if kind == ANTAL and (value < 0 or value != value.to_integral_value()):
        return COUNT_MESSAGE
    return None


def format_value(kind: str, value: Decimal) -> str:
    """A target or outcome as the plan prints it: "400 000", "38,5 %"."""
    text = format_plain(value, 2)
    return text + ("\xa0%" if kind == ANDEL else "")


def target_met(
    kind: str, direction: str, target: Decimal | bool | None, outcome: Decimal | bool | None
) -> bool | None:
    """Whether an outcome meets the target; None when it cannot be told (text, or missing)."""
    if target is None or outcome is None or kind == TEXT:
        return None
    if kind == JANEJ:
        return bool(outcome) == bool(target)
    if direction == HOGST:
        return outcome <= target
    return outcome >= target


# --- Agenda 2030 -----------------------------------------------------------------------------

AGENDA_2030 = [
    (1, "Ingen fattigdom"),
    (2, "Ingen hunger"),
    (3, "Hälsa och välbefinnande"),
    (4, "God utbildning för alla"),
    (5, "Jämställdhet"),
    (6, "Rent vatten och sanitet för alla"),
    (7, "Hållbar energi för alla"),
    (8, "Anständiga arbetsvillkor och ekonomisk tillväxt"),
    (9, "Hållbar industri, innovationer och infrastruktur"),
    (10, "Minskad ojämlikhet"),
    (11, "Hållbara städer och samhällen"),
    (12, "Hållbar konsumtion och produktion"),
    (13, "Bekämpa klimatförändringarna"),
    (14, "Hav och marina resurser"),
    (15, "Ekosystem och biologisk mångfald"),
    (16, "Fredliga och inkluderande samhällen"),
    (17, "Genomförande och globalt partnerskap"),
]
AGENDA_2030_CHOICES = [(n, f"{n}. {name}") for n, name in AGENDA_2030]
AGENDA_2030_LABELS = dict(AGENDA_2030_CHOICES)
