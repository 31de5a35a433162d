"""The follow-up's SVG charts: budget, utfall and prognos per group through the months
(cumulative), and eget kapital over the plan years as budgeted and as forecast.

As budgets/charts.py: each chart has a title and a text description, and the page has a table
of the same figures beside it (month_table), so nothing is only in the picture.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from html import escape

from finsam.money import format_amount, format_number
from followup import compute
from followup.models import MONTH_NAMES
from followup.selectors import FollowUp, Row

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 20, 50
BUDGET, UTFALL, PROGNOS = "#0b5394", "#b45f06", "#38761d"
ZERO = Decimal(0)


@dataclass
class GroupMonths:
    """A group's cumulative budget and utfall per month and its prognos for the year."""

    label: str
    slug: str
    budget: list[Decimal]  # budget to date at the end of each month 1–12
    utfall: list[Decimal]  # utfall to date, for the months with utfall
    prognos: Decimal
    svg: str = ""

    @property
    def utfall_cells(self) -> list[Decimal | None]:
        """Utfall to date for each of the twelve months (None after the last with utfall)."""
        return [*self.utfall, *[None] * (12 - len(self.utfall))]


def group_months(
    follow: FollowUp, weights: Mapping[tuple[int | None, str], Sequence[int]]
) -> list[GroupMonths]:
    """Per group (and the members' contribution): the cumulative figures the chart draws."""
    by_group: dict[str, list[Row]] = {}
    for row in follow.rows:
        by_group.setdefault(row.ref.group_name or row.ref.name, []).append(row)
    out = []
    for index, (label, rows) in enumerate(by_group.items()):
        per_row = [
            compute.budget_months(r.budget, weights.get(r.ref.key, compute.EVEN)) for r in rows
        ]
        budget = [sum(months, ZERO) for months in zip(*per_row, strict=True)]
        utfall, total = [], ZERO
        for m in range(follow.month):
            total += sum((r.months[m] for r in rows), ZERO)
            utfall.append(total)
        group = GroupMonths(
            label=label,
            slug=f"grupp-{index + 1}",
            budget=budget,
            utfall=utfall,
            prognos=sum((r.prognos for r in rows), ZERO),
        )
        group.svg = group_chart(group, follow.figures.unit)
        out.append(group)
    return out


GRID = "#d0d7de"
STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


def ticks(values: Sequence[Decimal], most: int = 5) -> list[Decimal]:
    """The marks of a vertical axis that holds the values and 0: round amounts (1, 2, 2,5 or 5
    times a power of ten, at least a krona) a whole step apart, at most `most` steps, the first
    at or below the lowest value and the last at or above the highest."""
    low, high = min([ZERO, *values]), max([ZERO, *values])
    if high == low:
        high = low + 1
    power = max(Decimal(1).scaleb(((high - low) / most).adjusted()), Decimal(1))  # whole kronor
    while True:
        for factor in STEPS:
            step = power * factor
            if step != step.to_integral_value():  # 2,5 kr: not a whole krona
                continue
            # The first mark at or below the lowest value, the last at or above the highest:
            # rounding both outwards may add a step, so the count is of the marks themselves.
            first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
            last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
            count = int((last - first) / step)
            if count <= most:
                return [first + step * i for i in range(count + 1)]
        power *= 10


def _axis(marks: Sequence[Decimal], y: Callable[[Decimal], float], unit: str) -> list[str]:
    """A light line and a label at each mark; the zero line drawn darker by the chart."""
    parts = []
    for mark in marks:
        at = y(mark)
        if mark:
            parts.append(
                f'<line x1="{LEFT}" y1="{at:.1f}" x2="{WIDTH - RIGHT}" y2="{at:.1f}" '
                f'stroke="{GRID}"/>'
            )
        parts.append(
            f'<text x="{LEFT - 6}" y="{at + 4:.1f}" text-anchor="end">'
            f"{escape(format_number(mark, unit))}</text>"
        )
    return parts


def _vertical(low: Decimal, high: Decimal, plot_h: float) -> Callable[[Decimal], float]:
    """An amount's pixel position between low (the bottom) and high (the top): a float, since it
    only places a mark; every amount the chart shows is written from its Decimal."""

    def y(value: Decimal) -> float:
        return TOP + plot_h * float((high - value) / (high - low))

    return y


def group_chart(group: GroupMonths, unit: str) -> str:
    """Lines over the twelve months: budget to date, utfall to date, and the prognos dashed
    from the last month with utfall to the year's end."""
    marks = ticks([*group.budget, *group.utfall, group.prognos])
    low, high = marks[0], marks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(month: int) -> float:  # month 0 is the year's start
        return LEFT + plot_w * month / 12

    y = _vertical(low, high, plot_h)

    def path(points: Sequence[tuple[int, Decimal]], colour: str, dash: str = "") -> str:
        coords = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>'
        )

    parts = [
        *_axis(marks, y, unit),
        f'<line x1="{LEFT}" y1="{y(ZERO):.1f}" x2="{WIDTH - RIGHT}" y2="{y(ZERO):.1f}" '
        'stroke="#1b1f24"/>',
    ]
    for m in (3, 6, 9, 12):
        parts.append(
            f'<text x="{x(m):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{MONTH_NAMES[m - 1][:3]}</text>"
        )
    parts.append(path([(0, ZERO), *enumerate(group.budget, start=1)], BUDGET))
    last = len(group.utfall)
    if group.utfall:
        parts.append(path([(0, ZERO), *enumerate(group.utfall, start=1)], UTFALL))
    parts.append(
        path(
            [(last, group.utfall[-1] if group.utfall else ZERO), (12, group.prognos)],
            PROGNOS,
            "6 3",
        )
    )
    legend = "".join(
        f'<line x1="{LEFT + 110 * i}" y1="{HEIGHT - 12}" x2="{LEFT + 110 * i + 24}" '
        f'y2="{HEIGHT - 12}" stroke="{colour}" stroke-width="2"{dash}/>'
        f'<text x="{LEFT + 110 * i + 30}" y="{HEIGHT - 8}">{name}</text>'
        for i, (colour, dash, name) in enumerate(
            (
                (BUDGET, "", "budget"),
                (UTFALL, "", "utfall"),
                (PROGNOS, ' stroke-dasharray="6 3"', "prognos"),
            )
        )
    )
    parts.append(f'<g font-size="11">{legend}</g>')
    desc = (
        f"Budget för året {format_amount(group.budget[-1], unit)}; "
        + (
            f"utfall till och med {MONTH_NAMES[last - 1]} {format_amount(group.utfall[-1], unit)} "
            f"mot budget {format_amount(group.budget[last - 1], unit)}; "
            if last
            else "inget utfall ännu; "
        )
        + f"prognos för året {format_amount(group.prognos, unit)}."
    )
    return _svg(group.slug, f"{group.label}: budget, utfall och prognos ackumulerat", desc, parts)


def equity_chart(follow: FollowUp) -> str:
    """Bars of UB per plan year: as budgeted and as forecast, with the ceiling and floor."""
    unit = follow.figures.unit
    budget = list(follow.budget_years)
    forecast = {y.year: y for y in follow.forecast.years}
    values = [y.ub for y in budget] + [f.ub for f in forecast.values()]
    limits = [v for y in budget for v in (y.ceiling, y.floor) if v is not None]
    marks = ticks(values + limits)
    low, high = marks[0], marks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(budget), 1)

    y = _vertical(low, high, plot_h)

    zero = y(ZERO)
    parts = [
        *_axis(marks, y, unit),
        f'<line x1="{LEFT}" y1="{zero:.1f}" x2="{WIDTH - RIGHT}" y2="{zero:.1f}" stroke="#1b1f24"/>',
    ]
    for i, year in enumerate(budget):
        for j, (result, colour, name) in enumerate(
            ((year, BUDGET, "budget"), (forecast.get(year.year), PROGNOS, "prognos"))
        ):
            if result is None:
                continue
            bx = LEFT + i * slot + slot * (0.15 + 0.35 * j)
            top, height = y(max(result.ub, ZERO)), abs(y(result.ub) - zero)
            parts.append(
                f'<rect x="{bx:.1f}" y="{top:.1f}" width="{slot * 0.3:.1f}" height="{height:.1f}" '
                f'fill="{"#a4161a" if result.ub < 0 else colour}"><title>{year.year} {name}: '
                f"{escape(format_amount(result.ub, unit))}</title></rect>"
            )
        for value, dash, name in ((year.ceiling, "6 3", "tak"), (year.floor, "2 3", "golv")):
            if value is not None:
                ly = y(value)
                parts.append(
                    f'<line x1="{LEFT + i * slot:.1f}" y1="{ly:.1f}" x2="{LEFT + (i + 1) * slot:.1f}" '
                    f'y2="{ly:.1f}" stroke="#7f6000" stroke-width="2" stroke-dasharray="{dash}">'
                    f"<title>{year.year} {name}: {escape(format_amount(value, unit))}</title></line>"
                )
        parts.append(
            f'<text x="{LEFT + i * slot + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{year.year}</text>'
        )
    legend = "".join(
        f'<rect x="{LEFT + 110 * i}" y="{HEIGHT - 20}" width="12" height="12" fill="{colour}"/>'
        f'<text x="{LEFT + 110 * i + 16}" y="{HEIGHT - 10}">{name}</text>'
        for i, (colour, name) in enumerate(((BUDGET, "budget"), (PROGNOS, "prognos")))
    )
    parts.append(f'<g font-size="11">{legend}</g>')
    desc = "; ".join(
        f"{year.year}: budget {format_amount(year.ub, unit)}"
        + (
            f", prognos {format_amount(forecast[year.year].ub, unit)}"
            if year.year in forecast
            else ""
        )
        for year in budget
    )
    return _svg("ek-prognos", "Utgående eget kapital per år, budget och prognos", desc, parts)


def _svg(slug: str, title: str, desc: str, parts: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="chart-{slug}-t chart-{slug}-d" '
        f'font-family="Finsam Sans, DejaVu Sans, sans-serif" font-size="12" fill="#1b1f24">'
        f'<title id="chart-{slug}-t">{escape(title)}</title>'
        f'<desc id="chart-{slug}-d">{escape(desc)}</desc>{"".join(parts)}</svg>'
    )
