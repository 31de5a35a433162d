"""Reading utfall in: a SIE or Excel file with a preview and a confirmation, the konto map, the
utfall grid typed by hand, and the Excel template of it.

Every page is the year of an adopted plan (followup.access): the kansli writes, the styrelse
and revisorer read; another förbund's year answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from budgets.calc import INTAKT, KOSTNAD
from budgets.selectors import plan_figures
from finsam import ratelimit
from finsam.money import format_kr, format_number, format_plain, input_value
from finsam.nav import nav
from finsam.uploads import limit_uploads
from followup import services
from followup.access import get_year_for_user
from followup.excel import mapping_workbook, utfall_template
from followup.forms import (
    IGNORE_CHOICE,
    MAX_UTFALL_BYTES,
    MapUploadForm,
    RangeForm,
    UtfallUploadForm,
    map_row,
    target_choices,
)
from followup.models import (
    MONTH_NAMES,
    AccountOutcome,
    KontoMapping,
    LineOutcome,
    PendingUpload,
    UtfallSource,
)
from followup.selectors import Resolver, line_refs, resolve, utfall_for
from followup.services import ImportRefused
from plans.views_excel import xlsx_response

ZERO = Decimal(0)
MONTH_SHORT = [name[:3] for name in MONTH_NAMES]


def _year(request, slug: str, year: int, need: str):
    access, plan = get_year_for_user(request, slug, year, need=need)
    figures = plan_figures(plan)
    return access, plan, figures, line_refs(figures)


def _context(access, plan, year: int, **more) -> dict:
    return {
        "access": access,
        "forbund": access.forbund,
        "plan": plan,
        "year": year,
        "can_manage": access.can("manage"),
        **more,
    }


# --- The import ----------------------------------------------------------------------------------


def _refused_form(problems: list[str]) -> UtfallUploadForm:
    """An empty upload form that says why the file was not read in (an unbound form takes
    errors only once it has cleaned data)."""
    form = UtfallUploadForm()
    form.errors  # noqa: B018 - starts the form's own (empty) errors
    form.cleaned_data = {}
    for problem in problems:
        form.add_error(None, problem)
    return form


def _previewed(*, forbund, year, refs, figures, user, file_name, data, map_name="", map_data=None):
    """The preview of a file, with an uploaded konto map in place of the förbund's: the map is
    written and the preview read in one transaction that is then rolled back, so the preview
    shows exactly what the confirmation will do and nothing is kept."""
    if map_data is None:
        return services.utfall_preview(
            forbund=forbund, year=year, file_name=file_name, data=data, refs=refs, figures=figures
        )
    try:
        rows = services.mapping_read(map_name, map_data, refs)
    except ImportRefused as refused:
        refused.in_map = True  # shown beside the map's field, not the file's
        raise
    with transaction.atomic():
        services.mapping_set(forbund=forbund, rows=rows, refs=refs, acting_user=user, replace=True)
        preview = services.utfall_preview(
            forbund=forbund, year=year, file_name=file_name, data=data, refs=refs, figures=figures
        )
        transaction.set_rollback(True)
    return preview


def ore(value: Decimal) -> str:
    """An amount of the books to the öre, as Swedish text: "1 234,50"."""
    text = format_plain(value, 2)
    whole, _, decimals = text.partition(",")
    return f"{whole},{decimals.ljust(2, '0')}"


@dataclass
class FileAccount:
    konto: int
    name: str
    total: Decimal

    @property
    def text(self) -> str:
        return ore(self.total)


@dataclass
class Totals:
    """The file's sum split by where its konton land, each to the öre."""

    file_total: Decimal
    mapped: Decimal = ZERO
    ignored: Decimal = ZERO
    unmapped: Decimal = ZERO
    unmapped_accounts: list[FileAccount] = field(default_factory=list)

    @property
    def text(self) -> dict[str, str]:
        return {
            name: ore(getattr(self, name))
            for name in ("file_total", "mapped", "ignored", "unmapped")
        }

    @property
    def adds_up(self) -> bool:
        return self.mapped + self.ignored + self.unmapped == self.file_total


def _totals(preview) -> Totals:
    totals = Totals(preview.file_total)
    if not preview.accounts:  # an Excel sheet names lines, not konton: all of it is mapped
        totals.mapped = preview.file_total
        return totals
    unmapped = {a.konto for a in preview.after.unmapped}
    ignored = {a.konto for a in preview.after.ignored}
    for konto, (name, amounts) in sorted(preview.accounts.items()):
        total = sum(amounts, ZERO)
        if konto in unmapped:
            totals.unmapped += total
            totals.unmapped_accounts.append(FileAccount(konto, name, total))
        elif konto in ignored:
            totals.ignored += total
        else:
            totals.mapped += total
    return totals


def _preview_context(preview, pending: PendingUpload) -> dict:
    return {
        "preview": preview,
        "pending": pending,
        "totals": _totals(preview),
        "source_label": UtfallSource(preview.source).label,
        "month_names": [MONTH_NAMES[m - 1] for m in preview.months],
    }


@login_required
@nav("uppfoljning")
@csrf_exempt  # the upload's size limit must be set before the CSRF check reads the body
def utfall_import_page(request, slug: str, year: int):
    too_large = limit_uploads(request, max_bytes=MAX_UTFALL_BYTES)
    return _utfall_import(request, slug, year, too_large)


@csrf_protect
def _utfall_import(request, slug: str, year: int, too_large: set[str]):
    """Upload a SIE or Excel file: a preview of every change, then confirm or not."""
    access, plan, figures, refs = _year(request, slug, year, "manage")
    forbund = access.forbund
    context = _context(access, plan, year)
    if request.method == "POST" and (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    if request.method == "POST" and "pending" in request.POST:
        return _confirm(request, context, figures, refs)
    posted = request.method == "POST"  # bound even when the only field was a dropped file
    form = UtfallUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        files_too_large=too_large,
    )
    context["form"] = form
    if request.method != "POST":
        return render(request, "followup/import.html", context)
    if not form.is_valid():
        return render(request, "followup/import.html", context, status=400)
    upload, map_upload = form.cleaned_data["fil"], form.cleaned_data.get("kontokarta")
    data = upload.read()
    map_data = map_upload.read() if map_upload else None
    try:
        preview = _previewed(
            forbund=forbund,
            year=year,
            refs=refs,
            figures=figures,
            user=request.user,
            file_name=upload.name,
            data=data,
            map_name=map_upload.name if map_upload else "",
            map_data=map_data,
        )
    except ImportRefused as refused:
        where = "kontokarta" if getattr(refused, "in_map", False) else "fil"
        for problem in refused.problems:
            form.add_error(where, str(problem))
        return render(request, "followup/import.html", context, status=400)
    pending = services.pending_save(
        forbund=forbund, user=request.user, year=year, file_name=upload.name, data=data
    )
    if map_upload:
        PendingUpload.objects.filter(pk=pending.pk).update(
            mapping_name=map_upload.name[:255], mapping_data=map_data
        )
    context.update(_preview_context(preview, pending))
    return render(request, "followup/import_preview.html", context)


def _confirm(request, context: dict, figures, refs):
    forbund, year = context["forbund"], context["year"]
    pk = request.POST.get("pending", "")
    if not pk.isdigit():
        raise Http404("Ingen fil väntar på inläsning.")
    pending = get_object_or_404(
        PendingUpload, pk=int(pk), forbund=forbund, user=request.user, year=year
    )
    base_text = request.POST.get("base", "")
    base = int(base_text) if base_text.isdigit() else -1
    data = bytes(pending.data)
    map_data = bytes(pending.mapping_data) if pending.mapping_data is not None else None
    try:
        with transaction.atomic():  # the uploaded map and the utfall: both or neither
            if map_data is not None:
                services.mapping_set(
                    forbund=forbund,
                    rows=services.mapping_read(pending.mapping_name, map_data, refs),
                    refs=refs,
                    acting_user=request.user,
                    replace=True,
                )
            preview = services.utfall_preview(
                forbund=forbund, year=year, file_name=pending.file_name, data=data, refs=refs
            )
            services.utfall_import(
                forbund=forbund, preview=preview, acting_user=request.user, base=base
            )
    except ImportRefused as refused:  # the plan or the map changed since the preview
        context["form"] = _refused_form([str(p) for p in refused.problems])
        return render(request, "followup/import.html", context, status=400)
    except ValidationError as error:
        try:
            preview = _previewed(
                forbund=forbund,
                year=year,
                refs=refs,
                figures=figures,
                user=request.user,
                file_name=pending.file_name,
                data=data,
                map_name=pending.mapping_name,
                map_data=map_data,
            )
        except ImportRefused as refused:  # e.g. the year was bokslutat meanwhile
            context["form"] = _refused_form([*error.messages, *map(str, refused.problems)])
            return render(request, "followup/import.html", context, status=409)
        context.update(_preview_context(preview, pending), conflict=" ".join(error.messages))
        return render(request, "followup/import_preview.html", context, status=409)
    pending.delete()
    changed = len(preview.changes)
    messages.success(
        request,
        f"Läste in {pending.file_name}: "
        + (f"{changed} belopp ändrade." if changed else "inga belopp ändrades."),
    )
    return redirect("followup_grid", slug=forbund.slug, year=year)


# --- The konto map -------------------------------------------------------------------------------


@dataclass
class MapPageRow:
    konto: str
    name: str
    amount: Decimal | None
    field: str = ""  # the select's name; "" when the row cannot be chosen here
    value: str = ""
    status: str = ""
    via: str = ""  # the range the konto lands by
    select: str = ""


def _choice(mapping: KontoMapping, refs) -> str:
    found = resolve(mapping.konto_from, [mapping], refs)
    if found.ignored:
        return IGNORE_CHOICE
    return found.ref.label if found.ref is not None else ""


def _map_rows(forbund, year: int, figures, refs) -> list[MapPageRow]:
    mappings = list(KontoMapping.objects.filter(forbund=forbund))
    accounts = {
        a["konto"]: a
        for a in AccountOutcome.objects.filter(forbund=forbund, year=year)
        .values("konto")
        .annotate(name=Max("name"), total=Sum("amount"))
        .order_by("konto")
    }
    suggested = {
        row.konto_from: row.ref.label
        for row in services.suggestions(figures, refs, {k: a["name"] for k, a in accounts.items()})
    }
    deciding: dict[int, int] = {}  # konto → the mapping that decides it
    resolver = Resolver(mappings, refs)
    for konto in accounts:
        found = resolver(konto)
        if found.mapping is not None:
            deciding[konto] = found.mapping.pk
    rows: list[tuple[tuple[int, int], MapPageRow]] = []
    singles = set()
    for m in mappings:
        single = accounts.get(m.konto_from) if m.konto_from == m.konto_to else None
        if single is not None:
            singles.add(m.konto_from)
        amount = sum((a["total"] for k, a in accounts.items() if deciding.get(k) == m.pk), ZERO)
        rows.append(
            (
                (m.konto_from, 0),
                MapPageRow(
                    konto=m.konto_label,
                    name=single["name"] if single else "",
                    amount=amount if any(deciding.get(k) == m.pk for k in accounts) else None,
                    field=f"m-{m.pk}",
                    value=_choice(m, refs),
                    status="Bekräftad" if m.confirmed else "Föreslagen",
                ),
            )
        )
    by_pk = {m.pk: m for m in mappings}
    for konto, account in accounts.items():
        if konto in singles:
            continue
        via = by_pk.get(deciding.get(konto))
        row = MapPageRow(konto=str(konto), name=account["name"], amount=account["total"])
        if via is not None:
            row.via = via.konto_label
            row.value = _choice(via, refs)
        else:
            row.field = f"k-{konto}"
            row.value = suggested.get(konto, "")
            row.status = "Förslag, inte sparat" if row.value else "Inte kopplat"
        rows.append(((konto, 1), row))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


def _with_selects(rows: list[MapPageRow], choices: list[tuple[str, str]]) -> None:
    """Each choosable row's select written in Python: a few hundred konton × every line of the
    plan is too many options for the template language (CONTRIBUTING: big tables)."""
    options = [
        (value, f'<option value="{escape(value)}"', f">{escape(text)}</option>")
        for value, text in choices
    ]
    for row in rows:
        if not row.field:
            continue
        empty = (
            '<option value="">Inte kopplat</option>'
            if not row.value or row.field.startswith("k-")
            else ""
        )
        row.select = mark_safe(  # every text in it is escaped
            f'<label class="visually-hidden" for="id_{row.field}">Budgetrad för konto '
            f'{escape(row.konto)}</label><select name="{row.field}" id="id_{row.field}">{empty}'
            + "".join(
                f"{start}{' selected' if value == row.value else ''}{end}"
                for value, start, end in options
            )
            + "</select>"
            # What the page showed: a save changes only what the user changed, and a row
            # someone else changed meanwhile is a conflict, never undone (see mapping_page).
            + f'<input type="hidden" name="was-{row.field}" value="{escape(row.value)}">'
        )


def _render_map(request, access, plan, year, figures, refs, *, status=200, **forms):
    forms.setdefault("range_form", RangeForm(refs=refs))
    forms.setdefault("upload_form", MapUploadForm())
    rows = _map_rows(access.forbund, year, figures, refs)
    if access.can("manage"):
        _with_selects(rows, target_choices(refs))
    context = _context(
        access,
        plan,
        year,
        rows=rows,
        labels={value: text for value, text in target_choices(refs)},
        **forms,
    )
    return render(request, "followup/mapping.html", context, status=status)


@login_required
@nav("uppfoljning")
def mapping_page(request, slug: str, year: int):
    """Every konto of the year's utfall and every row of the map, where each lands; the kansli
    confirms the suggestions and changes targets in one save."""
    need = "manage" if request.method == "POST" else "view"
    access, plan, figures, refs = _year(request, slug, year, need)
    if request.method != "POST":
        return _render_map(request, access, plan, year, figures, refs)
    allowed = {value for value, _ in target_choices(refs)}
    mappings = {m.pk: m for m in KontoMapping.objects.filter(forbund=access.forbund)}
    singles = {m.konto_from: m for m in mappings.values() if m.konto_from == m.konto_to}
    rows, unknown, conflicts = [], [], []
    for name, value in request.POST.items():
        kind, _, number = name.partition("-")
        if kind not in ("m", "k") or not number.isdigit() or not value:
            continue
        if value not in allowed:
            unknown.append(name)
            continue
        was = request.POST.get(f"was-{name}", value)
        if kind == "m":
            mapping = mappings.get(int(number))
            if mapping is None:  # removed by someone else meanwhile
                continue
            konto_from, konto_to = mapping.konto_from, mapping.konto_to
            stored = _choice(mapping, refs)
            if value == was and mapping.confirmed:
                continue  # untouched
        else:
            konto = int(number)
            if not 1 <= konto <= 999999:
                unknown.append(name)
                continue
            konto_from = konto_to = konto
            # A konto without a mapping when the page was opened: one saved since is theirs.
            stored = _choice(singles[konto], refs) if konto in singles else ""
            was = ""
        if stored != was and stored != value:
            label = str(konto_from) if konto_from == konto_to else f"{konto_from}–{konto_to}"
            conflicts.append(
                f"Konto {label}: någon annan har kopplat det till ”{stored or 'inget'}” medan "
                f"du arbetade. Ditt val ”{value}” sparades inte; välj det igen om det ska gälla."
            )
            continue
        row = map_row(konto_from, konto_to, value, refs)
        if row is not None:
            rows.append(row)
    if unknown:
        messages.error(request, "Välj en av planens budgetrader för varje konto; inget sparades.")
        return _render_map(request, access, plan, year, figures, refs, status=400)
    changed = services.mapping_set(
        forbund=access.forbund, rows=rows, refs=refs, acting_user=request.user, confirmed=True
    )
    for conflict in conflicts:
        messages.warning(request, conflict)
    messages.success(
        request,
        f"Kontokartan är sparad: {changed} koppling{'ar' if changed != 1 else ''} ändrade "
        "eller bekräftade."
        if changed
        else "Kontokartan är sparad; inget var ändrat.",
    )
    return redirect("followup_mapping", slug=slug, year=year)


@require_POST
@login_required
@nav("uppfoljning")
def mapping_add(request, slug: str, year: int):
    access, plan, figures, refs = _year(request, slug, year, "manage")
    form = RangeForm(request.POST, refs=refs)
    if not form.is_valid() or (row := form.row()) is None:
        if form.is_valid():
            form.add_error("budgetrad", "Välj en av planens budgetrader.")
        return _render_map(request, access, plan, year, figures, refs, status=400, range_form=form)
    services.mapping_set(forbund=access.forbund, rows=[row], refs=refs, acting_user=request.user)
    label = f"{row.konto_from}–{row.konto_to}" if row.konto_to != row.konto_from else row.konto_from
    messages.success(request, f"Konto {label} är kopplat.")
    return redirect("followup_mapping", slug=slug, year=year)


@require_POST
@login_required
def mapping_delete(request, slug: str, year: int, pk: int):
    access, plan, figures, refs = _year(request, slug, year, "manage")
    removed = services.mapping_delete(
        forbund=access.forbund, mapping_id=pk, refs=refs, acting_user=request.user
    )
    if removed is None:
        raise Http404("Kopplingen finns inte.")
    messages.success(request, f"Kopplingen av konto {removed.konto_label} är borttagen.")
    return redirect("followup_mapping", slug=slug, year=year)


@require_POST
@login_required
@nav("uppfoljning")
@csrf_exempt  # the upload's size limit must be set before the CSRF check reads the body
def mapping_import(request, slug: str, year: int):
    too_large = limit_uploads(request, max_bytes=MAX_UTFALL_BYTES)
    return _mapping_import(request, slug, year, too_large)


@csrf_protect
def _mapping_import(request, slug: str, year: int, too_large: set[str]):
    """A konto map sheet in place of the map: all of it, or nothing with every problem's line."""
    access, plan, figures, refs = _year(request, slug, year, "manage")
    if (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    form = MapUploadForm(request.POST, request.FILES, files_too_large=too_large)
    if form.is_valid():
        upload = form.cleaned_data["fil"]
        try:
            rows = services.mapping_read(upload.name, upload.read(), refs)
        except ImportRefused as refused:
            for problem in refused.problems:
                form.add_error("fil", str(problem))
        else:
            changed = services.mapping_set(
                forbund=access.forbund,
                rows=rows,
                refs=refs,
                acting_user=request.user,
                replace=True,
            )
            messages.success(
                request, f"Läste in kontokartan {upload.name}: {changed} kopplingar ändrade."
            )
            return redirect("followup_mapping", slug=slug, year=year)
    return _render_map(request, access, plan, year, figures, refs, status=400, upload_form=form)


@login_required
def mapping_export(request, slug: str, year: int, fmt: str):
    access, plan, figures, refs = _year(request, slug, year, "view")
    name = f"{access.forbund.slug}-kontokarta"
    if fmt == "csv":
        response = HttpResponse(
            services.mapping_csv(access.forbund, refs), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    rows = services.mapping_export_rows(access.forbund, refs)
    return xlsx_response(mapping_workbook(rows), f"{name}.xlsx")


# --- The grid ------------------------------------------------------------------------------------


@dataclass
class GridCell:
    name: str
    month: int
    value: Decimal
    text: str  # what the field holds
    shown: str  # the value the page opened with, sent back to detect a colleague's save
    from_books: bool
    error: str = ""
    mine: str = ""  # after a conflict: the user's figure, which is not sent again by itself


@dataclass
class GridRow:
    index: int
    label: str
    cells: list[GridCell]

    @property
    def total(self) -> Decimal:
        return sum((c.value for c in self.cells), ZERO)


def _grid_state(forbund, year: int, refs):
    """The year's utfall and which cells come from the books: a line fed by konton, in the
    months a SIE file covered."""
    utfall = utfall_for(forbund, year, refs)
    sie_months = set(
        AccountOutcome.objects.filter(forbund=forbund, year=year)
        .values_list("month", flat=True)
        .distinct()
    )
    from_books = {
        (ref.key, month)
        for ref in refs
        if "sie" in utfall.sources.get(ref.key, ())
        for month in sie_months
    }
    return utfall, from_books


def _grid_rows(refs, utfall, from_books) -> list[GridRow]:
    rows = []
    for index, ref in enumerate(refs):
        amounts = utfall.by_line.get(ref.key)
        cells = []
        for month in range(1, 13):
            value = amounts[month - 1] if amounts else ZERO
            text = input_value(value) if value else ""
            cells.append(
                GridCell(
                    name=f"u-{index}-{month}",
                    month=month,
                    value=value,
                    text=text,
                    shown=str(value),
                    from_books=(ref.key, month) in from_books,
                )
            )
        rows.append(GridRow(index, ref.label, cells))
    return rows


def _cell_html(cell: GridCell, label: str, editable: bool) -> str:
    name = cell.name
    title = f"{label}, {MONTH_NAMES[cell.month - 1]}"
    if cell.from_books or not editable:
        books = '<span class="muted cell-note">från bokföringen</span>' if cell.from_books else ""
        return f"{escape(input_value(cell.value) if cell.value else '')}{books}"
    invalid = f' aria-invalid="true" aria-describedby="id_{name}_error"' if cell.error else ""
    html = (
        f'<label class="visually-hidden" for="id_{name}">{escape(title)}</label>'
        f'<input type="text" name="{name}" value="{escape(cell.text)}" id="id_{name}" '
        f'class="amount" inputmode="decimal" autocomplete="off"{invalid}>'
        f'<input type="hidden" name="v{name[1:]}" value="{escape(cell.shown)}">'
    )
    if cell.error:
        html += (
            f'<span class="errorlist cell-error" id="id_{name}_error">{escape(cell.error)}</span>'
        )
    if cell.mine:
        # After a conflict the cell holds the colleague's figure; the user's is sent again only
        # when they choose it for this cell.
        mine = escape(cell.mine)
        html += (
            f'<span class="cell-conflict">Ditt värde {mine}'
            f'<input type="hidden" name="mitt-{name}" value="{mine}">'
            f'<button type="submit" name="behall" value="{name}" class="secondary">'
            f"Behåll mitt värde ({mine})"
            f'<span class="visually-hidden"> i {escape(title)}</span></button></span>'
        )
    return html


def _grid_body(rows: list[GridRow], editable: bool) -> str:
    """The grid's rows written in Python (CONTRIBUTING: big tables), every text escaped."""
    out = []
    for row in rows:
        hidden = (
            f'<input type="hidden" name="rad-{row.index}" value="{escape(row.label)}">'
            if editable
            else ""
        )
        out.append(f'<tr><th scope="row">{escape(row.label)}{hidden}</th>')
        for cell in row.cells:
            error = " has-error" if cell.error else ""
            out.append(f'<td class="num{error}">{_cell_html(cell, row.label, editable)}</td>')
        out.append(f'<td class="num">{escape(format_number(row.total))}</td></tr>')
    return mark_safe("".join(out))  # every text above is escaped


def _render_grid(request, access, plan, year, refs, rows, *, status=200, errors=0, conflicts=()):
    sides = {ref.key: ref.side for ref in refs}
    totals = []
    for side, label in ((INTAKT, "Summa intäkter"), (KOSTNAD, "Summa kostnader")):
        members = [r for r in rows if sides[refs[r.index].key] == side]
        months = [sum((r.cells[i].value for r in members), ZERO) for i in range(12)]
        totals.append((label, months, sum(months, ZERO)))
    context = _context(
        access,
        plan,
        year,
        body=_grid_body(rows, access.can("manage")),
        months=MONTH_SHORT,
        totals=totals,
        errors=errors,
        conflicts=conflicts,
        any_from_books=any(c.from_books for r in rows for c in r.cells),
    )
    return render(request, "followup/grid.html", context, status=status)


@login_required
@nav("uppfoljning")
def utfall_grid(request, slug: str, year: int):
    """The year's utfall per line and month, typed by hand where no SIE file gives it."""
    need = "manage" if request.method == "POST" else "view"
    access, plan, figures, refs = _year(request, slug, year, need)
    utfall, from_books = _grid_state(access.forbund, year, refs)
    rows = _grid_rows(refs, utfall, from_books)
    if request.method != "POST":
        return _render_grid(request, access, plan, year, refs, rows)
    cells, posted, errors = {}, {}, 0
    for row in rows:
        label = request.POST.get(f"rad-{row.index}")
        if label != row.label:  # the plan's lines changed since the page was opened
            continue
        key = refs[row.index].key
        for cell in row.cells:
            if cell.from_books or cell.name not in request.POST:
                continue
            text = request.POST.get(cell.name, "").strip()
            if request.POST.get("behall") == cell.name:  # the user chose their own figure again
                text = request.POST.get(f"mitt-{cell.name}", text).strip()
            try:
                shown = Decimal(request.POST.get(f"v{cell.name[1:]}", ""))
            except ArithmeticError:
                shown = cell.value
            if not shown.is_finite():  # NaN or Infinity sent as the value shown: not one
                shown = cell.value
            try:
                new = services.parse_cell(text) if text else ZERO
            except ValidationError as error:
                cell.text, cell.error = text, " ".join(error.messages)
                errors += 1
                continue
            if new != shown:
                cells[(key, cell.month)] = (shown, new)
                posted[(key, cell.month)] = (cell, new)
    if errors:
        return _render_grid(request, access, plan, year, refs, rows, status=400, errors=errors)
    try:
        written, conflicts = services.line_outcomes_set(
            forbund=access.forbund, year=year, cells=cells, refs=refs, acting_user=request.user
        )
    except ValidationError as error:  # the year is bokslutat
        return _render_grid(
            request, access, plan, year, refs, rows, status=409, conflicts=error.messages
        )
    if conflicts:
        utfall, from_books = _grid_state(access.forbund, year, refs)
        fresh = _grid_rows(refs, utfall, from_books)
        by_prefix = {f"{r.label}, {MONTH_NAMES[c.month - 1]}:": c for r in fresh for c in r.cells}
        for message in conflicts:
            for prefix, cell in by_prefix.items():
                if message.startswith(prefix):
                    cell.error = message[len(prefix) :].strip()
                    mine = next(
                        (n for (k, m), (c, n) in posted.items() if c.name == cell.name), None
                    )
                    cell.mine = format_kr(mine) if mine is not None else ""
        return _render_grid(
            request, access, plan, year, refs, fresh, status=409, conflicts=conflicts
        )
    messages.success(
        request,
        f"Sparade {written} belopp." if written else "Inget var ändrat; allt är redan sparat.",
    )
    return redirect("followup_grid", slug=slug, year=year)


@login_required
def utfall_template_download(request, slug: str, year: int):
    """The Excel template of the year's utfall, the typed figures filled in."""
    access, plan, figures, refs = _year(request, slug, year, "view")
    if (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    utfall, from_books = _grid_state(access.forbund, year, refs)
    typed = set(
        LineOutcome.objects.filter(forbund=access.forbund, year=year)
        .values_list("month", flat=True)
        .distinct()
    )
    data = utfall_template(
        title=f"Utfall {year} – {access.forbund.name}",
        refs=refs,
        by_line=utfall.by_line,
        months=typed,
        from_books=from_books,
    )
    return xlsx_response(data, f"{access.forbund.slug}-utfall-{year}-mall.xlsx")
