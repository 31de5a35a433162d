"""Forms of the budget: the editor's grid of amounts, lines, year settings, offers, categories."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property

from budgets.models import (
    STATEMENT_INPUTS,
    BudgetCategory,
    BudgetGroup,
    BudgetLine,
    BudgetYear,
    StatementNote,
    rounding_problem,
)
from budgets.selectors import calc_key
from finsam.fields import AmountField, DecimalField
from finsam.forms import OwnedModelForm
from finsam.money import parse_amount
from finsam.saving import SafeFormMixin

# The resultatbudget rows of a year known only as those (BudgetYear.level "resultat").
STATEMENT_FIELDS = tuple(name for name, _, _ in STATEMENT_INPUTS)


def amount_name(line_id: int, year: int, column: str) -> str:
    return f"a-{line_id}-{year}-{column}"


def medlemsbidrag_name(year: int, column: str) -> str:
    return f"mb-{year}-{column}"


class CellInput:
    """What the editor writes for one typed cell (budgets/table_html.py): its name, label,
    value and errors, without a form field object per cell (a budget has thousands)."""

    __slots__ = ("errors", "html_name", "label", "mine", "text")

    def __init__(self, html_name: str, label: str, text: str, errors, mine: str | None = None):
        self.html_name, self.label, self.text, self.errors = html_name, label, text, errors
        self.mine = mine  # after a conflict: the user's figure, which the cell no longer holds

    def value(self) -> str:
        return self.text


class BudgetGridForm(forms.Form):
    """Every typed amount of the budget: one cell per line and column, and the medlemsbidrag.

    Each cell travels with the value it was shown with (a hidden "o-" twin). Only the cells the
    user changed are saved, so a stale page never overwrites a colleague's newer figure. A post
    may hold any subset of the cells (the autosave sends a cell at a time); the rest are unchanged.
    The cells share one AmountField to clean what is sent; none has a field object of its own,
    and a cell is known by its name (cell_key), so a post of one cell costs one cell's work.

    After a conflict a cell holds the colleague's figure, with the user's beside it (kept); the
    user's is sent again only when they choose it for that cell: its button "Behåll mitt värde"
    posts "behall" naming the cell and "mitt-<cell>" holding their figure, over the colleague's
    figure as shown (the twin), or they type it again.
    """

    KEEP = "behall"

    def __init__(self, figures, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.figures = figures
        self.amount_field = AmountField(unit=figures.unit, required=False)
        self._lines = {line.id: line for line in figures.lines}
        self._columns = {(c.year, c.kind): c for c in figures.columns}
        self._stored = figures  # what each cell's twin says is stored (take_stored)
        self.kept: dict[str, str] = {}  # after a conflict: the user's text of each such cell
        self._keys: dict[str, tuple | None] = {}
        keep = self.data.get(self.KEEP) if self.is_bound else None
        if keep and self.has_cell(keep) and "mitt-" + keep in self.data:
            self.data = self.data.copy()
            self.data[keep] = self.data["mitt-" + keep]
        # The cells this post holds; the others show what is stored, as if never touched.
        self.sent = (
            {name for name in self.data if self.cell_key(name) is not None}
            if self.is_bound
            else set()
        )

    def cell_key(self, name: str) -> tuple | None:
        """("mb", year, column) or ("a", line id, year, column) for a typed cell's name;
        None for any other name (a computed line, a column the line has no amount in)."""
        if name not in self._keys:
            self._keys[name] = self._parse(name)
        return self._keys[name]

    def _parse(self, name: str) -> tuple | None:
        parts = name.split("-")
        try:
            if parts[0] == "mb" and len(parts) == 3:
                key = ("mb", int(parts[1]), parts[2])
                return key if key[1:] in self._columns else None
            if parts[0] == "a" and len(parts) == 4:
                line = self._lines.get(int(parts[1]))
                column = self._columns.get((int(parts[2]), parts[3]))
                if line is None or column is None or line.computed_room:
                    return None  # a computed line is never typed
                if not column.shows(line):
                    return None  # no amount at this column's level (a detail line, per grupp)
                return ("a", line.id, column.year, column.kind)
        except ValueError:
            return None
        return None

    def has_cell(self, name: str) -> bool:
        return self.cell_key(name) is not None

    @cached_property
    def cells(self) -> dict[str, tuple]:
        """Every typed cell of the budget by name, in the table's order."""
        out = {}
        for column in self.figures.columns:
            out[medlemsbidrag_name(column.year, column.kind)] = ("mb", column.year, column.kind)
        for line in self.figures.lines:
            for column in self.figures.columns:
                name = amount_name(line.id, column.year, column.kind)
                if self.has_cell(name):
                    out[name] = ("a", line.id, column.year, column.kind)
        return out

    def label(self, name: str) -> str:
        key = self.cell_key(name)
        if key[0] == "mb":
            return f"Medlemsbidrag {self._columns[key[1:]].label}"
        return f"{self._lines[key[1]].name}, {self._columns[key[2:]].label}"

    @staticmethod
    def _value(figures, key: tuple) -> Decimal:
        if key[0] == "mb":
            column = next(c for c in figures.columns if (c.year, c.kind) == key[1:])
            return column.entered.medlemsbidrag.amount
        return figures.typed.get(key[1:], Decimal(0))

    def stored_value(self, name: str) -> Decimal:
        """The cell's stored amount, as the page was built from."""
        return self._value(self.figures, self.cell_key(name))

    def initial_text(self, name: str) -> str:
        """The cell's stored amount as the page writes it in the input."""
        return self.amount_field.prepare_value(self.stored_value(name))

    def shown_text(self, name: str) -> str:
        """What the page shows for the cell now, sent back as its "o-" twin. After a successful
        save the form is rebuilt, so a bound form shows the posted twin again; after a
        conflict, the figure now stored (take_stored)."""
        if self._stored is not self.figures:
            return self.amount_field.prepare_value(self._value(self._stored, self.cell_key(name)))
        twin = "o-" + name
        if self.is_bound and twin in self.data:
            return self.data[twin]
        return self.initial_text(name)

    def cell_input(self, name: str) -> CellInput:
        if name in self.kept:
            text = self.amount_field.prepare_value(self._value(self._stored, self.cell_key(name)))
            return CellInput(name, self.label(name), text, (), mine=self.kept[name])
        if name in self.sent:
            text = self.data.get(name)
            text = "" if text is None else text
            value = None
            if self.is_bound and name not in self.errors:
                value = getattr(self, "cleaned_data", {}).get(name)
            if value is not None:
                # As a computed cell shows it ("2500" typed comes back "2 500"), and as its
                # twin will once saved: editor.js then sends it again only if it is changed.
                text = self.amount_field.prepare_value(value)
        else:
            text = self.initial_text(name)
        errors = self.errors.get(name, ()) if self.is_bound else ()
        return CellInput(name, self.label(name), text, errors)

    def take_stored(self, figures) -> None:
        """Each cell's twin now says what `figures` store (saved just now, or by a colleague)."""
        self._stored = figures

    def take_conflict(self, figures) -> None:
        """After a conflict, over the figures now stored: each cell a colleague saved since the
        page showed it holds their figure, its twin too, and the user's figure is kept beside
        it; so nothing the page sends later carries the user's figure unless they choose it.
        The other cells sent keep what the user typed, to be sent again."""
        self.take_stored(figures)
        for name in self.sent:
            key = self.cell_key(name)
            cell = key[1:]
            value = (self.medlemsbidrag if key[0] == "mb" else self.amounts).get(cell)
            if value is None or cell not in self.shown_values:
                continue
            now = self._value(figures, key)
            if now != value and now != self.shown_values[cell]:
                # As the grid shows a figure ("5 200", not "5200"); read back it is the same.
                self.kept[name] = self.amount_field.prepare_value(value)

    def _cell_error(self, name: str, message) -> None:
        self._errors[name] = self.error_class(
            message.messages if isinstance(message, ValidationError) else [message]
        )

    def clean(self):
        cleaned = super().clean()
        for name in self.sent:  # the one AmountField cleans every cell sent
            try:
                cleaned[name] = self.amount_field.clean(self.data.get(name))
            except ValidationError as error:
                self._cell_error(name, error)
        self.amounts: dict[tuple[int, int, str], Decimal] = {}
        self.medlemsbidrag: dict[tuple[int, str], Decimal] = {}
        # The figure the page showed in each changed cell: the service refuses a cell that a
        # colleague has saved since (budgets.services.budget_figures_set).
        self.shown_values: dict[tuple, Decimal] = {}
        for name in sorted(self.sent):  # a cell not sent is not changed
            if name in self.errors:
                continue
            key = self.cell_key(name)
            value = cleaned.get(name)
            if value is None:
                value = Decimal(0)  # an emptied cell means nothing budgeted
            try:
                shown = parse_amount(self.shown_text(name), self.figures.unit)
            except ValueError:
                shown = None
            if shown == value:
                continue
            if key[0] == "mb":
                # Said beside the cell here; BudgetYear.clean holds the rule for every writer.
                problem = rounding_problem(value, self.figures.plan.forbund.rounding_unit)
                if problem:
                    self._cell_error(name, problem)
                    continue
                self.medlemsbidrag[(key[1], key[2])] = value
                cell = (key[1], key[2])
            else:
                self.amounts[(key[1], key[2], key[3])] = value
                cell = (key[1], key[2], key[3])
            if shown is not None:
                self.shown_values[cell] = shown
        return cleaned


class BudgetLineForm(SafeFormMixin, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = [
            "category",
            "name",
            "note",
            "decided",
            "summary",
            "computed_room",
            "share_kind",
            "order",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, forbund, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A footnote on each single amount of the line: columns are (year, column, label).
        self.note_fields: dict[str, tuple[int, str]] = {}
        stored = (
            {(a.year, a.column): a.note for a in self.instance.amounts.all()}
            if self.instance.pk
            else {}
        )
        for year, column, label in columns:
            name = f"fotnot_{year}_{column}"
            self.fields[name] = forms.CharField(
                label=f"Fotnot till beloppet {label}",
                required=False,
                max_length=500,
                initial=stored.get((year, column), ""),
                error_messages={"max_length": "Skriv högst 500 tecken."},
            )
            self.note_fields[name] = (year, column)
        # Only this förbund's categories are offered; another's cannot even be chosen.
        self.fields["category"].queryset = BudgetCategory.objects.filter(
            group__forbund=forbund
        ).select_related("group")
        self.fields["category"].label_from_instance = lambda c: f"{c.group.name}: {c.name}"
        self.fields["order"].required = False

    def changes(self) -> dict:
        return {k: v for k, v in super().changes().items() if k not in self.note_fields}

    def amount_notes(self) -> dict[tuple[int, str], str]:
        """The footnotes on single amounts the user changed, {(year, column): text}."""
        return {
            key: self.cleaned_data.get(name, "")
            for name, key in self.note_fields.items()
            if name in self.changed_data
        }


class BudgetYearForm(SafeFormMixin, forms.ModelForm):
    """A year's targets and balance inputs, with amounts in the förbund's unit."""

    MONEY = [
        "comparison_ib",
        "stated_ib",
        "ceiling_amount",
        "floor_amount",
        "anlaggningstillgangar",
        "omsattningstillgangar",
        "avsattningar",
        "langfristiga_skulder",
        "kortfristiga_skulder",
        *STATEMENT_FIELDS,
    ]
    OPTIONAL = {
        "comparison_ib",
        "stated_ib",
        "ceiling_amount",
        "floor_amount",
        "omsattningstillgangar",
    }

    statement_field_names = STATEMENT_FIELDS

    class Meta:
        model = BudgetYear
        fields = [
            "level",
            "ceiling_percent",
            "min_individ_percent",
            "deficit_reason",
            "target_note",
            "balance_item",
        ]
        widgets = {
            "deficit_reason": forms.Textarea(attrs={"rows": 3}),
            "target_note": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"ceiling_percent": DecimalField, "min_individ_percent": DecimalField}

    def __init__(self, *args, unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        for name in self.MONEY:
            if name == "comparison_ib" and not instance.is_comparison:
                continue
            if name == "stated_ib" and (instance.is_comparison or not instance.is_later_plan_year):
                continue
            model_field = BudgetYear._meta.get_field(name)
            value = getattr(instance, name)
            self.fields[name] = AmountField(
                unit=unit,
                required=False,
                label=model_field.verbose_name.capitalize(),
                help_text=model_field.help_text,
                initial=value.amount if value is not None else None,
                allow_negative=name in ("comparison_ib", "stated_ib"),
            )
        # After the rows it chooses among; the one it names is computed, not typed (a figure
        # typed there would count for nothing).
        self.fields["balance_item"] = self.fields.pop("balance_item")
        if instance.balance_item in self.fields:
            del self.fields[instance.balance_item]
        if instance.carried_from:
            source = (
                "ur gruppernas belopp i den förra planen"
                if instance.carried_from == instance.year
                else f"från {instance.carried_from}"
            )
            self.fields["confirm_carried"] = forms.BooleanField(
                required=False,
                label=f"Jag har sett över {instance.year} och bekräftar det",
                help_text=f"Året förifylldes {source} när planen skapades "
                "utifrån den förra. Planen kan lämnas in när varje sådant år är bekräftat.",
            )
        # A post without the level (an older page) keeps the year at the level it has.
        self.fields["level"].required = False
        # Offered, never assumed: the browser suggests Nationella rådet's figure as the user types.
        self.fields["ceiling_percent"].widget.attrs["list"] = "nr-rekommendation"
        for name in ("ceiling_percent", "min_individ_percent"):
            self.fields[name].error_messages["invalid"] = "Ange en procentsats, t.ex. 20."
            self.fields[name].error_messages["max_digits"] = "Ange en procentsats mellan 0 och 100."
            self.fields[name].error_messages["max_decimal_places"] = "Ange högst två decimaler."

    def clean_level(self) -> str:
        return self.cleaned_data.get("level") or self.instance.level

    def clean_balance_item(self) -> str:
        # "" is a choice (every row typed): only a post without the field keeps what the year has.
        if self.add_prefix("balance_item") not in self.data:
            return self.instance.balance_item
        return self.cleaned_data.get("balance_item", "")

    def changes(self) -> dict:
        data = super().changes()
        if data.pop("confirm_carried", False):
            data["carried_from"] = None  # looked over: no longer the pre-filling's
        # A post without the footnote (an older page, a script) keeps the year's footnote.
        if self.add_prefix("target_note") not in self.data:
            data.pop("target_note", None)
        return data

    def clean(self):
        cleaned = super().clean()
        for name in self.MONEY:
            if name not in self.fields or name in self.errors:
                continue
            value = cleaned.get(name)
            if value is None and name not in self.OPTIONAL:
                value = Decimal(0)
            cleaned[name] = value
        return cleaned


class OfferForm(forms.Form):
    """Each member's offered contribution; the fixed split decides what total they allow."""

    def __init__(self, *args, members, years, unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.TypedChoiceField(
            label="För år",
            choices=[(y, str(y)) for y in years],
            coerce=int,
            error_messages={"invalid_choice": "Välj ett av planens år."},
        )
        self.member_fields = []
        for member in members:
            name = f"m-{member.pk}"
            self.fields[name] = AmountField(unit=unit, label=member.name, required=True)
            self.fields[name].error_messages["required"] = "Ange medlemmens erbjudande."
            self.member_fields.append((member, name))

    def offers(self) -> dict[str, Decimal]:
        return {calc_key(m): self.cleaned_data[name] for m, name in self.member_fields}


class BudgetGroupForm(SafeFormMixin, OwnedModelForm):
    class Meta:
        model = BudgetGroup
        fields = ["name", "side", "share_kind", "is_insats", "esf", "parent", "order"]

    def __init__(self, *args, forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
        # One level: a total over groups is a group that is not itself in another's total.
        self.fields["parent"].queryset = (
            BudgetGroup.objects.for_forbund(forbund)
            .filter(parent__isnull=True)
            .exclude(pk=self.instance.pk)
        )
        self.fields["parent"].empty_label = "Ingen (gruppen står för sig)"


class BudgetCategoryForm(SafeFormMixin, forms.ModelForm):
    class Meta:
        model = BudgetCategory
        fields = ["group", "name", "statement", "order"]

    def __init__(self, *args, forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = BudgetGroup.objects.for_forbund(forbund)


class StatementNoteForm(OwnedModelForm):
    """A row of the förbund's own in the resultat- or balansbudget."""

    class Meta:
        model = StatementNote
        fields = ["statement", "label", "text"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
