"""Small server-rendered SVG charts of the computed figures: eget kapital and costs by group.

Each chart has a title and a text description for screen readers; the same figures stand in the
tables beside it, so nothing is only in the picture.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from budgets.models import Side
from budgets.selectors import PlanFigures, calc_key
from finsam.money import format_amount, format_number

# Colour-blind-safe palette with at least 3:1 contrast against white.
PALETTE = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#45818e", "#7f6000", "#3d3d8f"]
WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40


def _scale(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    low = min([Decimal(0), *values])
    high = max([Decimal(0), *values])
    if high == low:
        high = low + 1
    return low, high


def equity_chart(figures: PlanFigures) -> str:
    """Bars of utgående eget kapital per year, with the ceiling and floor as lines."""
    columns = figures.plan_columns
    unit = figures.unit
    values = [c.result.ub for c in columns]
    limits = [c.result.ceiling for c in columns if c.result.ceiling is not None]
    limits += [c.result.floor for c in columns if c.result.floor is not None]
    low, high = _scale(values + limits)
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def y(v: Decimal) -> float:
        # A pixel position on the drawing, not an amount: the amounts shown are Decimal text.
        return TOP + plot_h * float((high - v) / (high - low))

    slot = plot_w / max(len(columns), 1)
    parts = []
    zero = y(Decimal(0))
    parts.append(
        f'<line x1="{LEFT}" y1="{zero:.1f}" x2="{WIDTH - RIGHT}" y2="{zero:.1f}" stroke="#1b1f24"/>'
    )
    for i, c in enumerate(columns):
        x = LEFT + i * slot + slot * 0.2
        top = y(max(c.result.ub, Decimal(0)))
        height = abs(y(c.result.ub) - zero)
        colour = "#a4161a" if c.result.ub < 0 else PALETTE[0]
        label = format_number(c.result.ub, unit)
        parts.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{slot * 0.6:.1f}" height="{height:.1f}" '
            f'fill="{colour}"><title>{c.year}: {escape(format_amount(c.result.ub, unit))}</title></rect>'
        )
        parts.append(
            f'<text x="{x + slot * 0.3:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{c.year}</text>'
        )
        parts.append(
            f'<text x="{x + slot * 0.3:.1f}" y="{min(top, zero) - 4:.1f}" text-anchor="middle" '
            f'font-weight="bold">{escape(label)}</text>'
        )
        for value, colour, dash, name in (
            (c.result.ceiling, "#b45f06", "6 3", "tak"),
            (c.result.floor, "#38761d", "2 3", "golv"),
        ):
            if value is None:
                continue
            ly = y(value)
            parts.append(
                f'<line x1="{LEFT + i * slot:.1f}" y1="{ly:.1f}" x2="{LEFT + (i + 1) * slot:.1f}" '
                f'y2="{ly:.1f}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}">'
                f"<title>{c.year} {name}: {escape(format_amount(value, unit))}</title></line>"
            )
    parts.append(
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(format_number(high, unit))}</text>'
    )
    parts.append(f'<text x="{LEFT - 6}" y="{zero + 4:.1f}" text-anchor="end">0</text>')
    desc = "; ".join(f"{c.year}: {format_amount(c.result.ub, unit)}" for c in columns)
    # The legend names only the lines drawn: a plan without a floor shows no "golv".
    entries = [
        (colour, dash, name)
        for attr, colour, dash, name in (
            ("ceiling", "#b45f06", "6 3", "tak"),
            ("floor", "#38761d", "2 3", "golv"),
        )
        if any(getattr(c.result, attr) is not None for c in columns)
    ]
    legend = "".join(
        f'<line x1="{LEFT + 70 * i}" y1="{HEIGHT - 8}" x2="{LEFT + 70 * i + 24}" '
        f'y2="{HEIGHT - 8}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
        f'<text x="{LEFT + 70 * i + 30}" y="{HEIGHT - 4}">{name}</text>'
        for i, (colour, dash, name) in enumerate(entries)
    )
    legend = f'<g font-size="11">{legend}</g>' if legend else ""
    return _svg("ek", "Utgående eget kapital per år", desc, "".join(parts) + legend)


def _legend_lines(name: str, width: int = 24) -> list[str]:
    """A legend label in lines of at most `width` characters, broken between words."""
    lines, line = [], ""
    for word in name.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def cost_chart(figures: PlanFigures) -> str:
    """Stacked bars of the costs per group and year."""
    columns = figures.plan_columns
    unit = figures.unit
    # Only the groups that hold costs in some year: the legend lists what the bars show.
    groups = [
        g
        for g in figures.groups
        if g.side == Side.KOSTNAD and any(c.result.group_totals.get(calc_key(g)) for c in columns)
    ]
    totals = [c.result.kostnader for c in columns]
    _, high = _scale(totals)
    plot_h = HEIGHT - TOP - BOTTOM - 20
    plot_w = WIDTH - LEFT - RIGHT - 170
    slot = plot_w / max(len(columns), 1)
    parts = []
    for i, c in enumerate(columns):
        x = LEFT + i * slot + slot * 0.2
        base = TOP + plot_h
        for g_index, group in enumerate(groups):
            amount = c.result.group_totals.get(calc_key(group), Decimal(0))
            if not amount:
                continue
            h = plot_h * float(amount / high)  # pixels; the label beside it is the Decimal
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[g_index % len(PALETTE)]}" stroke="#fff">'
                f"<title>{c.year} {escape(group.name)}: {escape(format_amount(amount, unit))}</title></rect>"
            )
        parts.append(
            f'<text x="{x + slot * 0.3:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{c.year}</text>'
        )
        parts.append(
            f'<text x="{x + slot * 0.3:.1f}" y="{base - 4:.1f}" text-anchor="middle" font-weight="bold">'
            f"{escape(format_number(c.result.kostnader, unit))}</text>"
        )
    legend_x = LEFT + plot_w + 10
    ly = TOP
    for g_index, group in enumerate(groups):
        lines = _legend_lines(group.name)
        spans = "".join(
            f'<tspan x="{legend_x + 16}" dy="{0 if n == 0 else 12}">{escape(text)}</tspan>'
            for n, text in enumerate(lines)
        )
        parts.append(
            f'<rect x="{legend_x}" y="{ly}" width="12" height="12" fill="{PALETTE[g_index % len(PALETTE)]}"/>'
            f'<text x="{legend_x + 16}" y="{ly + 10}" font-size="11">{spans}</text>'
        )
        ly += 6 + 12 * len(lines)
    desc = "; ".join(
        f"{c.year}: "
        + ", ".join(
            f"{g.name} {format_amount(c.result.group_totals.get(calc_key(g), Decimal(0)), unit)}"
            for g in groups
        )
        for c in columns
    )
    return _svg("kostnader", "Kostnader per grupp och år", desc, "".join(parts))


def _svg(slug: str, title: str, desc: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="chart-{slug}-t chart-{slug}-d" '
        f'font-family="Finsam Sans, DejaVu Sans, sans-serif" font-size="12" fill="#1b1f24">'
        f'<title id="chart-{slug}-t">{escape(title)}</title><desc id="chart-{slug}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )
