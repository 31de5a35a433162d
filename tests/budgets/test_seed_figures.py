"""The three adopted seed plans, rebuilt line by line as published, reproduce to the krona."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from budgets.calc import (
    BalanceInput,
    Line,
    PlanInput,
    SplitMember,
    YearTargets,
    compute_plan,
)
from budgets.checks import run_checks
from finsam.money import format_percent


def kr(value: int | str) -> Decimal:
    return Decimal(value)


def tkr(value: int | str) -> Decimal:
    return Decimal(value) * 1000


def cost_lines(
    group_key: str,
    group_name: str,
    years: tuple[int, ...],
    rows: list[tuple[str, tuple[Decimal, ...]]],
    *,
    share_kinds: dict[str, Decimal] | None = None,
    **options: object,
) -> list[Line]:
    return [
        Line(
            key=f"{group_key}:{name}",
            name=name,
            side="kostnad",
            group_key=group_key,
            group_name=group_name,
            amounts=dict(zip(years, amounts, strict=True)),
            share_kinds=share_kinds or {},
            **options,  # type: ignore[arg-type]
        )
        for name, amounts in rows
    ]


def income_line(key: str, name: str, amounts: dict[int, Decimal], **options: object) -> Line:
    return Line(
        key=key,
        name=name,
        side="intakt",
        group_key=key,
        group_name=name,
        amounts=amounts,
        **options,  # type: ignore[arg-type]
    )


# --- Göteborg 2021–2023 (tkr) -----------------------------------------------------------------

GBG_YEARS = (2021, 2022, 2023)
GBG_MEMBERS = (
    SplitMember("fk", "Försäkringskassan", "fk"),
    SplitMember("af", "Arbetsförmedlingen", "af"),
    SplitMember("vgr", "Västra Götalandsregionen", "region"),
    SplitMember("gbg", "Göteborgs stad", "kommun", Decimal(1)),
)
ONE = Decimal(1)


def goteborg() -> PlanInput:
    def t(*values: int) -> tuple[Decimal, ...]:
        return tuple(tkr(v) for v in values)

    lines = [
        income_line("esf", "ESF-medel", dict(zip(GBG_YEARS, t(16_000, 10_900, 600), strict=True))),
        income_line(
            "ovriga", "Övriga intäkter", dict(zip(GBG_YEARS, t(1_474, 500, 0), strict=True))
        ),
        *cost_lines(
            "struktur",
            "Strukturövergripande insatser",
            GBG_YEARS,
            [
                ("Utbildning och information", t(1_500, 1_500, 1_500)),
                ("Insatskatalogen", t(360, 360, 360)),
                ("Mentorskap", t(1_100, 0, 0)),
                ("Idéburet offentligt partnerskap", t(540, 1_140, 1_140)),
                ("Analys och utvärdering", t(1_000, 1_000, 1_000)),
            ],
            share_kinds={"struktur": ONE},
        ),
        *cost_lines(
            "individ",
            "Individinriktade insatser",
            GBG_YEARS,
            [
                ("Finsam-team", t(9_500, 9_500, 9_500)),
                ("Unga Vuxna inkl. ESF-projekt Respondere", t(18_000, 18_000, 18_000)),
                ("Vuxna", t(15_000, 15_000, 15_000)),
                ("Hälsa & Aktivitet", t(8_000, 8_000, 8_000)),
                ("Utvecklingsmedel", t(2_000, 2_000, 2_000)),
            ],
            share_kinds={"individ": ONE},
        ),
        *cost_lines(
            "esf-projekt",
            "ESF-projekt",
            GBG_YEARS,
            [
                ("ESF-projekt NO", t(4_000, 300, 0)),
                ("ESF-projekt Move On", t(5_250, 5_250, 800)),
                ("ESF-projekt LANDA", t(9_026, 9_000, 1_200)),
            ],
            share_kinds={"individ": ONE},
        ),
        *cost_lines(
            "forvaltning",
            "Förvaltningskostnader",
            GBG_YEARS,
            [
                ("Reservation", t(1_000, 1_000, 1_000)),
                ("Styrelsen", t(350, 350, 350)),
                ("Revision", t(250, 250, 250)),
                ("Kansli", t(5_500, 5_000, 4_300)),
                ("Lokal", t(495, 495, 495)),
            ],
            share_kinds={"forvaltning": ONE},
        ),
    ]
    return PlanInput(
        years=GBG_YEARS,
        opening_equity=tkr(16_900),
        allocations=dict(zip(GBG_YEARS, t(61_478, 59_941, 58_443), strict=True)),
        members=GBG_MEMBERS,
        lines=lines,
        targets={2023: YearTargets(ceiling_amount=tkr(6_794))},
    )


def test_goteborg_equity_rolls_forward_to_the_published_closing_balances() -> None:
    result = compute_plan(goteborg())
    assert [y.ib for y in result.years] == [tkr(16_900), tkr(12_981), tkr(6_177)]
    assert [y.ub for y in result.years] == [tkr(12_981), tkr(6_177), tkr(325)]


def test_goteborg_summa_rows_match_the_published_table() -> None:
    result = compute_plan(goteborg())
    assert [y.available for y in result.years] == [tkr(95_852), tkr(84_322), tkr(65_220)]
    assert [y.kostnader for y in result.years] == [tkr(82_871), tkr(78_145), tkr(64_895)]
    groups = [
        (y.group_totals["struktur"], y.group_totals["individ"], y.group_totals["esf-projekt"])
        for y in result.years
    ]
    assert groups == [
        (tkr(4_500), tkr(52_500), tkr(18_276)),
        (tkr(4_000), tkr(52_500), tkr(14_550)),
        (tkr(4_000), tkr(52_500), tkr(2_000)),
    ]
    assert [y.group_totals["forvaltning"] for y in result.years] == [
        tkr(7_595),
        tkr(7_095),
        tkr(6_395),
    ]


def test_goteborg_2021_contribution_is_split_as_requested_from_the_members() -> None:
    year = compute_plan(goteborg()).year(2021)
    assert year.split_error is None
    assert year.member_parts == {
        "fk": kr(30_739_000),
        "af": kr(0),
        "vgr": kr(15_369_500),
        "gbg": kr(15_369_500),
    }


def test_goteborg_2021_cost_shares_round_to_the_published_percentages() -> None:
    shares = compute_plan(goteborg()).year(2021).shares
    assert format_percent(shares["struktur"]) == "5,4\xa0%"
    assert format_percent(shares["individ"]) == "85,4\xa0%"
    assert format_percent(shares["forvaltning"]) == "9,2\xa0%"
    assert sum(shares.values()) == 1


def test_goteborg_2023_stays_under_the_cited_ceiling_and_above_zero() -> None:
    result = compute_plan(goteborg())
    year = result.year(2023)
    assert year.ceiling == tkr(6_794)
    codes = {
        f.code
        for f in run_checks(
            result,
            budget_year=2021,
            today=date(2020, 11, 27),
            adopted=True,
            deficit_reason="Eget kapital från sammanslagningen minskar enligt treårsbudgeten.",
        )
    }
    assert "ub-negativ" not in codes
    assert "underskott-utan-motivering" not in codes
    # The plan states no ceiling for 2021, and none is assumed; 2023 is under its stated one.
    assert "ek-over-tak" not in codes


# --- Södra Vätterbygden 2020–2022, with the 2019 budget and prognos columns (kr) ---------------

SV_COLUMNS = ("budget2019", "prognos2019", 2020, 2021, 2022)
SV_KOMMUNER = {  # published parts, used as the agreed weights
    "habo": ("Habo kommun", (106_400, 106_400, 118_400, 118_400, 118_400)),
    "jonkoping": ("Jönköpings kommun", (1_225_700, 1_225_700, 1_345_100, 1_345_100, 1_345_100)),
    "mullsjo": ("Mullsjö kommun", (65_200, 65_200, 70_600, 70_600, 70_600)),
    "vaggeryd": ("Vaggeryds kommun", (120_700, 120_700, 135_900, 135_900, 135_900)),
}
SV_REGION = (1_518_000, 1_518_000, 1_670_000, 1_670_000, 1_670_000)
SV_STATE = (3_036_000, 3_036_000, 3_340_000, 3_340_000, 3_340_000)
SV_OPENING = (1_855_011, 2_122_970, 785_670, 136_870, 98_570)
SV_COSTS: list[tuple[str, tuple[int, ...]]] = [
    ("Enter", (2_750_000, 2_602_800, 2_914_000, 2_991_000, 3_086_000)),
    ("Funktionsnedsatta i arbete (FIA)", (550_000, 543_000, 571_000, 585_000, 0)),
    ("IT-spåret", (400_000, 344_000, 356_000, 356_000, 356_000)),
    ("IPS i psykosvården", (480_000, 480_000, 0, 0, 0)),
    ("Efterstöd", (600_000, 590_000, 601_000, 302_000, 0)),
    ("Projekt SAMS", (700_000, 697_600, 677_800, 154_300, 0)),
    ("Projekt SE-N", (640_000, 500_000, 600_000, 689_000, 0)),
    ("Kunskapssatsn stressrel ohälsa", (500_000, 329_400, 0, 0, 0)),
    ("Hälsoskola", (160_000, 160_000, 0, 0, 0)),
    ("Projektgemensamt", (20_000, 22_000, 51_000, 51_000, 51_000)),
    ("Tillgängligt nya projekt", (0, 0, 400_000, 400_000, 2_000_000)),
    ("Kompetensutveckling", (200_000, 180_000, 200_000, 200_000, 200_000)),
    ("Kansli", (830_000, 830_000, 860_000, 890_000, 920_000)),
    ("Information", (20_000, 55_000, 20_000, 20_000, 20_000)),
    ("Styrelse", (3_000, 3_000, 3_000, 3_000, 3_000)),
    ("Ekonomihantering", (72_150, 72_500, 75_000, 77_000, 79_000)),
]


def sv_members(column: int) -> list[SplitMember]:
    return [
        SplitMember("fk", "Staten gm Försäkringskassan", "fk"),
        SplitMember("af", "Arbetsförmedlingen", "af"),
        SplitMember("region", "Region Jönköpings län", "region"),
        *(
            SplitMember(key, name, "kommun", kr(parts[column]))
            for key, (name, parts) in SV_KOMMUNER.items()
        ),
    ]


def sv_total(column: int) -> Decimal:
    kommuner = sum(parts[column] for _, parts in SV_KOMMUNER.values())
    return kr(kommuner + SV_REGION[column] + SV_STATE[column])


def sodra_vatterbygden(columns: tuple[int, ...], year_of: dict[int, int]) -> PlanInput:
    """The columns (indexes into SV_COLUMNS) as a plan over the given years."""
    years = tuple(year_of[c] for c in columns)
    lines = [
        Line(
            key=name,
            name=name,
            side="kostnad",
            group_key="kostnader",
            group_name="Kostnader",
            amounts={year_of[c]: kr(amounts[c]) for c in columns},
            decided=name != "Tillgängligt nya projekt",
        )
        for name, amounts in SV_COSTS
    ]
    return PlanInput(
        years=years,
        opening_equity=kr(SV_OPENING[columns[0]]),
        allocations={year_of[c]: sv_total(c) for c in columns},
        members={year_of[c]: sv_members(c) for c in columns},
        unit=100,
        lines=lines,
    )


def test_sodra_vatterbygden_rolls_from_785_670_to_the_published_balances() -> None:
    result = compute_plan(sodra_vatterbygden((2, 3, 4), {2: 2020, 3: 2021, 4: 2022}))
    assert result.year(2020).ib == kr(785_670)
    assert [y.ub for y in result.years] == [kr(136_870), kr(98_570), kr(63_570)]
    assert [y.available for y in result.years] == [kr(7_465_670), kr(6_816_870), kr(6_778_570)]
    assert [y.kostnader for y in result.years] == [kr(7_328_800), kr(6_718_300), kr(6_715_000)]


def test_sodra_vatterbygden_parts_are_the_published_parts_exactly() -> None:
    result = compute_plan(sodra_vatterbygden((2, 3, 4), {2: 2020, 3: 2021, 4: 2022}))
    for year in result.years:
        assert year.split_error is None
        assert year.member_parts == {
            "fk": kr(3_340_000),
            "af": kr(0),
            "region": kr(1_670_000),
            "habo": kr(118_400),
            "jonkoping": kr(1_345_100),
            "mullsjo": kr(70_600),
            "vaggeryd": kr(135_900),
        }
        assert year.split_blocks == {
            "stat": kr(3_340_000),
            "region": kr(1_670_000),
            "kommuner": kr(1_670_000),
        }


def test_sodra_vatterbygden_budget_2019_column_ends_at_1_861() -> None:
    year = compute_plan(sodra_vatterbygden((0,), {0: 2019})).year(2019)
    assert year.ib == kr(1_855_011)
    assert year.available == kr(7_927_011)
    assert year.kostnader == kr(7_925_150)
    assert year.ub == kr(1_861)
    assert year.member_parts["jonkoping"] == kr(1_225_700)
    assert year.member_parts["fk"] == kr(3_036_000)


def test_sodra_vatterbygden_prognos_2019_column_ends_at_785_670() -> None:
    year = compute_plan(sodra_vatterbygden((1,), {1: 2019})).year(2019)
    assert year.ib == kr(2_122_970)
    assert year.available == kr(8_194_970)
    assert year.kostnader == kr(7_409_300)
    assert year.ub == kr(785_670)


def test_sodra_vatterbygden_room_for_new_projects_is_not_a_decided_cost() -> None:
    year = compute_plan(sodra_vatterbygden((2,), {2: 2020})).year(2020)
    assert year.decided_costs == kr(7_328_800 - 400_000)
    assert year.utrymme == kr(7_465_670 - 6_928_800)


# --- Sundsvall 2022–2024 (tkr) ----------------------------------------------------------------

SU_YEARS = (2022, 2023, 2024)
SU_MEMBERS = (
    SplitMember("fk", "Försäkringskassan", "fk"),
    SplitMember("af", "Arbetsförmedlingen", "af"),
    SplitMember("region", "Region Västernorrland", "region"),
    SplitMember("sundsvall", "Sundsvalls kommun", "kommun", Decimal(1)),
)
SU_ADMIN_2022: list[tuple[str, str]] = [
    ("Lokalkostnader", "0"),
    ("Förbrukningsmaterial", "1"),
    ("Kontorsmaterial", "3"),
    ("Fast telefoni", "0"),
    ("Mobiltelefon", "3"),
    ("Porto", "2"),
    ("Redovisningstjänster", "70"),
    ("IT-tjänster, datadrift", "18"),
    ("Konsulter", "768"),
    ("Övr. främmande tjänster", "16"),
    ("Utbildning/Konferens", "80"),
    ("Övriga personalkostnader", "0"),
]
SU_INDIVID_2022: list[tuple[str, str]] = [
    ("Försäkringskassehandläggare", "193"),
    ("Sip-samordnare", "645"),
    ("3 st. Arbetskonsulenter", "1894"),
    ("2 st. Arbetsförmedlare", "1160"),
    ("Psykolog", "895"),
    ("Arbetsterapeut", "610"),
    ("Rehabvägledare", "620"),
]
SU_STRUKTUR_2022: list[tuple[str, str]] = [
    ("Utvecklingsledare", "745"),
    ("Insatskatalogen", "55"),
    ("Psykeveckan", "50"),
    ("Kompetensutveckling – Gemensamma utbildning", "100"),
]


def sundsvall() -> PlanInput:
    def each(*values: str) -> dict[int, Decimal]:
        return {y: tkr(v) for y, v in zip(SU_YEARS, values, strict=True)}

    def line(group: tuple[str, str], name: str, amounts: dict[int, Decimal], **kw: object) -> Line:
        return Line(
            key=name,
            name=name,
            side="kostnad",
            group_key=group[0],
            group_name=group[1],
            amounts=amounts,
            **kw,  # type: ignore[arg-type]
        )

    styrelsen = ("styrelsen", "Styrelsen")
    admin = ("administration", "Administration")
    beslutade = ("beslutade", "Beslutade aktiviteter")
    nya = ("nya", "Nya aktiviteter/insatser")
    individ = {"individ": ONE}
    struktur = {"struktur": ONE}
    lines = [
        line(styrelsen, "Styrelsearvoden", each("100", "105", "110")),
        line(styrelsen, "Representation", each("5", "5", "5")),
        *(line(admin, name, {2022: tkr(v)}) for name, v in SU_ADMIN_2022),
        # Published inside Administration; an income row of 0, kept in its own income group.
        income_line("ranteintakter", "Ränteintäkter", {2022: tkr(0)}, statement="finansiell"),
        line(admin, "Övriga finansiella kostnader", each("1", "1", "1"), statement="finansiell"),
        line(admin, "Administration (plan)", each("0", "1049", "1074")),
        *(line(beslutade, n, {2022: tkr(v)}, share_kinds=individ) for n, v in SU_INDIVID_2022),
        *(line(beslutade, n, {2022: tkr(v)}, share_kinds=struktur) for n, v in SU_STRUKTUR_2022),
        line(beslutade, "Beslutade aktiviteter (plan)", each("0", "660", "0")),
        line(nya, "Nya aktiviteter/insatser", each("0", "5558", "6188"), decided=False),
    ]
    return PlanInput(
        years=SU_YEARS,
        opening_equity=tkr(1_233),
        allocations=each("7378", "7378", "7378"),
        members=SU_MEMBERS,
        unit=100,
        lines=lines,
        targets={
            # "inte överstiga 20 procent av årets tilldelade medel dock heller inte understiga
            # 400 000 kronor"; "minst 70 % av tilldelade medel" to individinriktade insatser.
            y: YearTargets(
                ceiling_percent=Decimal(20),
                floor_amount=kr(400_000),
                min_individ_percent=Decimal(70),
            )
            for y in SU_YEARS
        },
        balance={
            y: BalanceInput(omsattningstillgangar=tkr(877), kortfristiga_skulder=tkr(300))
            for y in SU_YEARS
        },
    )


def test_sundsvall_consumes_656_000_of_its_capital_in_2022_and_then_balances() -> None:
    result = compute_plan(sundsvall())
    assert [y.resultat for y in result.years] == [tkr(-656), tkr(0), tkr(0)]
    assert [y.ub for y in result.years] == [tkr(577), tkr(577), tkr(577)]


def test_sundsvall_group_totals_match_the_published_summary() -> None:
    result = compute_plan(sundsvall())
    totals = [
        tuple(y.group_totals[g] for g in ("styrelsen", "administration", "beslutade", "nya"))
        for y in result.years
    ]
    assert totals == [
        (tkr(105), tkr(962), tkr(6_967), tkr(0)),
        (tkr(110), tkr(1_050), tkr(660), tkr(5_558)),
        (tkr(115), tkr(1_075), tkr(0), tkr(6_188)),
    ]
    assert [y.kostnader for y in result.years] == [tkr(8_034), tkr(7_378), tkr(7_378)]
    assert result.year(2022).member_parts == {
        "fk": kr(3_689_000),
        "af": kr(0),
        "region": kr(1_844_500),
        "sundsvall": kr(1_844_500),
    }


def test_sundsvall_resultatbudget_has_the_published_rows() -> None:
    statements = [y.resultatbudget for y in compute_plan(sundsvall()).years]
    first = statements[0]
    assert first.verksamhetens_intakter == tkr(7_378)
    assert first.verksamhetens_kostnader == tkr(-8_033)
    assert first.avskrivningar == 0
    assert first.verksamhetens_nettokostnader == tkr(-655)
    assert first.finansiella_intakter == 0
    assert first.finansiella_kostnader == tkr(-1)
    assert first.arets_resultat == tkr(-656)
    for plan_year in statements[1:]:
        assert plan_year.verksamhetens_kostnader == tkr(-7_377)
        assert plan_year.verksamhetens_nettokostnader == tkr(1)
        assert plan_year.finansiella_kostnader == tkr(-1)
        assert plan_year.arets_resultat == 0


def test_sundsvall_balansbudget_balances_at_877_000_every_year() -> None:
    result = compute_plan(sundsvall())
    for year in result.years:
        balance = year.balansbudget
        assert balance is not None
        assert balance.summa_tillgangar == tkr(877)
        assert balance.summa_skulder == tkr(300)
        assert balance.summa_eget_kapital_avsattningar_skulder == tkr(877)
        assert balance.balanced
    assert [y.balansbudget.balanserat_eget_kapital for y in result.years] == [  # type: ignore[union-attr]
        tkr(1_233),
        tkr(577),
        tkr(577),
    ]


def test_sundsvall_2024_equity_is_577_not_the_published_613() -> None:
    balance = compute_plan(sundsvall()).year(2024).balansbudget
    assert balance is not None
    assert balance.summa_eget_kapital == tkr(577)
    assert balance.summa_eget_kapital != tkr(613)


def test_sundsvall_meets_its_own_targets_in_2022() -> None:
    year = compute_plan(sundsvall()).year(2022)
    assert year.ceiling == kr(1_475_600)  # 20 % of 7 378 000
    assert year.floor == kr(400_000)
    assert year.individ_costs == tkr(6_017)
    assert year.individ_of_medlemsbidrag is not None
    assert year.individ_of_medlemsbidrag * 100 >= 70
