"""The outline a new plan starts from (docs/domain.md, the plan document) and its default årshjul."""

from __future__ import annotations

from datetime import date

from budgets.checks import adoption_deadline
from plans.models import EventKind, SectionKind

LAW = (
    "<p>Lagen (2003:1210) om finansiell samordning av rehabiliteringsinsatser gör det möjligt för "
    "Försäkringskassan, Arbetsförmedlingen, regionen och kommunerna att samverka finansiellt inom "
    "rehabiliteringsområdet. Tillsammans bildar de ett samordningsförbund.</p>"
    "<p>Syftet är att underlätta en effektiv användning av de gemensamma resurserna. Förbundets "
    "medel används till insatser för personer som behöver samordnat stöd för att uppnå eller "
    "förbättra sin förmåga till förvärvsarbete.</p>"
)
TASKS = (
    "<ul><li>besluta om mål och riktlinjer för den finansiella samordningen,</li>"
    "<li>stödja samverkan mellan samverkansparterna,</li>"
    "<li>besluta på vilket sätt de medel som står till förfogande ska användas,</li>"
    "<li>finansiera insatser som ligger inom parternas samlade ansvarsområde,</li>"
    "<li>svara för uppföljning och utvärdering av insatserna,</li>"
    "<li>upprätta budget och årsredovisning för den finansiella samordningen.</li></ul>"
)
ORGANISATION = (
    "<p>Förbundet leds av en styrelse med en ledamot och en ersättare från varje medlem. "
    "Styrelsen är beslutsför när minst hälften av de ordinarie ledamöterna är närvarande. Ersättarna har "
    "närvaro- och yttranderätt.</p><p>Kansliet bereder ärenden till styrelsen och verkställer "
    "dess beslut. En beredningsgrupp med representanter för medlemmarna förankrar arbetet, och "
    "medlemmarna samråds om budgeten i medlemssamrådet.</p>"
)


def default_outline(vision: str) -> list[tuple[str, str, str]]:
    """(title, kind, body) of each section of a new plan, in order."""
    return [
        ("Inledning", SectionKind.TEXT, LAW),
        ("Vision", SectionKind.TEXT, f"<p>{vision}</p>" if vision else ""),
        (
            "Styrelsens uppdrag",
            SectionKind.TEXT,
            f"<p>Styrelsen ska enligt lagen och förbundsordningen:</p>{TASKS}",
        ),
        ("Organisation", SectionKind.TEXT, ORGANISATION),
        ("Målgrupper", SectionKind.MALGRUPPER, ""),
        ("Inriktning och mål för perioden", SectionKind.MAL, ""),
        ("Insatser", SectionKind.INSATSER, ""),
        ("Uppföljning och utvärdering", SectionKind.TEXT, ""),
        ("Årshjul", SectionKind.ARSHJUL, ""),
        ("Riskanalys och intern kontroll", SectionKind.TEXT, ""),
        ("Budget", SectionKind.BUDGET, ""),
        ("Medlemsbidrag", SectionKind.MEDLEMSBIDRAG, ""),
        ("Resultat- och balansbudget", SectionKind.RESULTAT_BALANS, ""),
    ]


def default_arshjul(budget_year: int) -> list[tuple[date, str, str]]:
    """The usual year of a förbund, for the year the plan is written in and its budget year."""
    year = budget_year
    return [
        (
            date(year, 3, 15),
            EventKind.ARSREDOVISNING,
            f"Styrelsen beslutar om årsredovisningen {year - 1}",
        ),
        (date(year, 4, 15), EventKind.MEDLEMSSAMRAD, f"Medlemssamråd om budget {year + 1}"),
        (date(year, 9, 15), EventKind.DELARSRAPPORT, "Styrelsen beslutar om delårsrapporten"),
        (
            date(year, 10, 15),
            EventKind.STYRELSEMOTE,
            f"Styrelsen behandlar förslag till plan {year + 1}",
        ),
        (
            adoption_deadline(year + 1),
            EventKind.SISTA_DAG,
            f"Sista dag att anta verksamhetsplan och budget {year + 1}",
        ),
    ]
