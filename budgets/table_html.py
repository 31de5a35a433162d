"""The budget table's body as HTML, written in Python.

A budget of 800 lines has some 5 000 cells, and the template language spent a third of a second
on them (about 25 variable lookups a cell). The rows (budgets/tables.py) are the same for every
reader; this writes them the way templates/budgets/budget_table.html frames them, escaping
every text, in a tenth of the time. The editor's inputs come from the form's bound fields.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from budgets.tables import Row
from finsam.money import format_number, format_percent

ROOM = ' <span class="muted">(räknas fram: tillgängliga medel − övriga kostnader − golvet)</span>'


def _note(number: int) -> str:
    return f'<sup><a href="#fotnot-{number}" aria-label="fotnot {number}">{number})</a></sup>'


def _label(row: Row, editable: bool, document: bool = False) -> str:
    label = escape(row.label)
    out = [f'<span class="indent">varav {label}</span>' if row.kind == "member" else label]
    if row.note_number:
        out.append(_note(row.note_number))
    line = row.line
    if line is not None:
        # The plan as a document says what the förbund prints, and how a computed figure is
        # computed; the app's own terms (summary line, not allocated, insats) stay on its pages.
        if line.summary and not document:
            out.append(' <span class="muted">(sammanfattning per grupp)</span>')
        if line.computed_room:
            out.append(ROOM)
        elif not line.decided and not document:
            out.append(' <span class="muted">(ej fördelat)</span>')
        if line.insats_id and not editable and not document:
            out.append(' <span class="muted">(insats)</span>')
    return "".join(out)


def _input(field, shown: str, named_only: bool = False) -> str:
    """A typed cell: its input and the hidden twin with the value shown (budgets.forms).

    A budget has thousands of cells, so a line's cell is named on the input itself
    (aria-label "Lokaler, Budget 2027", as its label said it) rather than by a label element,
    and has no id: only the medlemsbidrag's cells, which the checks link to, and a cell with
    an error carry one. The form says autocomplete="off" for all."""
    name = field.html_name
    value = escape("" if field.value() is None else field.value())
    errors = field.errors
    invalid = f' aria-invalid="true" aria-describedby="id_{name}_error"' if errors else ""
    if named_only and not errors:
        named = f' aria-label="{escape(field.label)}"'
        label = ""
    else:
        named = f' id="id_{name}"'
        label = f'<label class="visually-hidden" for="id_{name}">{escape(field.label)}</label>'
    html = (
        f'{label}<input type="text" name="{name}" value="{value}"{named} class="amount" '
        f'inputmode="decimal"{invalid}><input type="hidden" name="o-{name}" value="{escape(shown)}">'
    )
    if errors:
        html += (
            f'<span class="errorlist cell-error" id="id_{name}_error">{escape(errors[0])}</span>'
        )
    if field.mine is not None:
        # After a conflict the cell holds the colleague's figure; the user's is sent again
        # only by this button (a submit of the form without JavaScript, editor.js with it).
        mine = escape(field.mine)
        html += (
            f'<span class="cell-conflict">Ditt värde {mine}'
            f'<input type="hidden" name="mitt-{name}" value="{mine}">'
            f'<button type="submit" name="behall" value="{name}" class="secondary">'
            f"Behåll mitt värde ({mine})"
            f'<span class="visually-hidden"> i {escape(field.label)}</span></button></span>'
        )
    return html


def budget_body(
    rows: list[Row],
    *,
    unit: str,
    ncols: int,
    editable: bool = False,
    finding_refs=(),
    slug: str = "",
    plan_pk: int | None = None,
    oob: bool = False,
    document: bool = False,
) -> SafeString:
    """The <tr> elements of the budget table. A row of figures has an id from its ref
    ("rad-line-12", "rad-resultat"), so that an answer to a save can replace just the rows
    that changed; with oob, each row says so (htmx's hx-swap-oob) and headings are left out."""
    if editable:
        line_url = reverse("budget_line_edit", args=[slug, plan_pk, 0])[: -len("0/")]
        insats_url = reverse("insats_edit", args=[slug, plan_pk, 0])[: -len("0/andra/")]
    out = []
    span = ncols + 2
    swap = ' hx-swap-oob="true"' if oob else ""
    for row in rows:
        if oob and row.kind in ("heading", "group"):
            continue
        if row.kind == "heading":
            out.append(
                f'<tr class="section"><th scope="colgroup" colspan="{span}"><span>{escape(row.label)}</span></th></tr>'
            )
            continue
        if row.kind == "group":
            out.append(
                f'<tr class="group-head"><th scope="colgroup" colspan="{span}"><span>{escape(row.label)}</span></th></tr>'
            )
            continue
        finding = " has-finding" if row.ref and row.ref in finding_refs else ""
        row_id = f' id="rad-{row.ref.replace(":", "-")}"' if row.ref else ""
        named_only = editable and row.line is not None
        out.append(
            f'<tr{row_id} class="row-{row.kind}{finding}"{swap}>'
            f'<th scope="row">{_label(row, editable, document)}</th>'
        )
        for cell in row.cells:
            field = cell.bound_field if editable else None
            has_error = " has-error" if field is not None and field.errors else ""
            out.append(f'<td class="num{has_error}">')
            if editable and field is not None:
                out.append(_input(field, cell.shown, named_only))
            else:
                out.append("–" if cell.value is None else format_number(cell.value, unit))
                if editable and cell.uncounted is not None:
                    out.append(
                        '<span class="uncounted">'
                        f"{format_number(cell.uncounted, unit)} räknas inte</span>"
                    )
            if cell.note_number:
                out.append(_note(cell.note_number))
            if cell.budgeted is not None:
                out.append(
                    '<span class="budgeted" title="Budgeterat efter planerat underutnyttjande">'
                    f"budg. {format_number(cell.budgeted, unit)}</span>"
                )
            if cell.share is not None:
                out.append(f'<span class="share">{format_percent(cell.share)}</span>')
            out.append("</td>")
        if editable:
            line = row.line
            link = ""
            if line is not None and line.insats_id:
                link = (
                    f'<a id="andra-rad-{line.pk}" href="{insats_url}{line.insats_id}/andra/">'
                    f'Ändra insatsen<span class="visually-hidden"> {escape(row.label)}</span></a>'
                )
            elif line is not None:
                link = (
                    f'<a id="andra-rad-{line.pk}" href="{line_url}{line.pk}/">'
                    f'Ändra<span class="visually-hidden"> {escape(row.label)}</span></a>'
                )
            out.append(f"<td>{link}</td>")
        out.append("</tr>\n")
    return mark_safe("".join(out))  # every text above is escaped
