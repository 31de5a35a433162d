"""Budget data of a plan: lines per year, the year's medlemsbidrag, targets and balance inputs.

Everything here is typed by the kansli. Every figure derived from it (member parts, totals,
shares, årets resultat, eget kapital, the statements) is computed by budgets/calc.py and never
stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from budgets import calc
from finsam.models import SIGNED_AMOUNT_VALIDATORS, Forbund, Versioned, money_field
from finsam.money import MAX_KR

# Budget rows hang off a plan, named by its label: budgets never imports plans (README, layout).
PLAN = "plans.Plan"


class Side(models.TextChoices):
    INTAKT = calc.INTAKT, "Intäkt"
    KOSTNAD = calc.KOSTNAD, "Kostnad"


class ShareKind(models.TextChoices):
    """Which share of the costs a cost counts in (the codes are calc's)."""

    STRUKTUR = calc.STRUKTUR, "Strukturövergripande insatser"
    INDIVID = calc.INDIVID, "Individinriktade insatser"
    FORVALTNING = calc.FORVALTNING, "Förvaltning"
    OVRIGT = calc.OVRIGT, "Övrigt"


class Statement(models.TextChoices):
    """The row of the resultatbudget a category stands on (the codes are calc's)."""

    VERKSAMHET = calc.VERKSAMHET, "Verksamhetens intäkter/kostnader"
    AVSKRIVNING = calc.AVSKRIVNING, "Avskrivningar"
    FINANSIELL = calc.FINANSIELL, "Finansiella intäkter/kostnader"


class ColumnKind(models.TextChoices):
    """A year's figures as budgeted, or (for the year before the plan) as forecast."""

    BUDGET = "budget", "Budget"
    PROGNOS = "prognos", "Prognos"
    UTFALL = "utfall", "Utfall"


# Which row of the balansbudget is computed to make it balance (calc.BALANCING_ROWS); empty: all
# rows are entered and a statement that does not balance is a finding.
BALANCE_ITEM_CHOICES = [
    ("", "Ingen: alla poster matas in och kontrolleras"),
    ("omsattningstillgangar", "Omsättningstillgångar (kassa och bank)"),
    ("kortfristiga_skulder", "Kortfristiga skulder"),
    ("langfristiga_skulder", "Långfristiga skulder"),
    ("avsattningar", "Avsättningar"),
    ("anlaggningstillgangar", "Anläggningstillgångar"),
]


class Level(models.TextChoices):
    """How a year is budgeted (the codes are calc's)."""

    RADER = calc.RADER, "Rad för rad"
    GRUPPER = calc.GRUPPER, "Per grupp"
    RESULTAT = calc.RESULTAT, "Som resultatbudget"


# The comparison columns for the year before a plan, in the order plans print them.
COMPARISON_KINDS = (ColumnKind.BUDGET, ColumnKind.PROGNOS, ColumnKind.UTFALL)


class BudgetGroupQuerySet(models.QuerySet):
    def for_forbund(self, forbund: Forbund) -> BudgetGroupQuerySet:
        return self.filter(forbund=forbund)


class BudgetGroup(Versioned):
    """A group of budget categories with a subtotal, e.g. "Individinriktade insatser"."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="budget_groups"
    )
    name = models.CharField("namn", max_length=120)
    side = models.CharField("intäkt eller kostnad", max_length=10, choices=Side.choices)
    share_kind = models.CharField(
        "räknas i andelen",
        max_length=12,
        choices=ShareKind.choices,
        blank=True,
        help_text="Kostnadsgrupper: vilken andel av kostnaderna gruppen räknas i. "
        "ESF-projekt räknas t.ex. som individinriktade.",
    )
    is_insats = models.BooleanField(
        "insatser",
        default=False,
        help_text="Raderna är insatser: planens underutnyttjande minskar deras kostnad.",
    )
    esf = models.BooleanField(
        "ESF-projekt",
        default=False,
        help_text="Insatser som är ESF-projekt budgeteras i denna grupp.",
    )
    # A total over groups, as plans print "Summa utvecklingskostnader" over two groups of them:
    # the parent's sum is its own lines' and its groups', shown after its last group.
    parent = models.ForeignKey(
        "self",
        verbose_name="ingår i summan för",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="En grupp vars summa också räknar in denna grupp (en nivå).",
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    objects = BudgetGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "budgetgrupp"
        verbose_name_plural = "budgetgrupper"
        ordering = ["side", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "name"],
                name="budgetgroup_unique_name",
                violation_error_message="Det finns redan en grupp med detta namn.",
            ),
            models.CheckConstraint(
                condition=Q(side=Side.KOSTNAD) | Q(share_kind=""),
                name="budgetgroup_share_only_costs",
                violation_error_message="Bara kostnadsgrupper räknas i en andel av kostnaderna.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.side == Side.INTAKT and self.share_kind:
            errors["share_kind"] = "Bara kostnadsgrupper räknas i en andel av kostnaderna."
        if self.side == Side.INTAKT and self.is_insats:
            errors["is_insats"] = "Insatser är kostnader."
        if self.parent_id is not None:
            parent = self.parent
            if parent.pk == self.pk:
                errors["parent"] = "En grupp kan inte ingå i sin egen summa."
            elif parent.forbund_id != self.forbund_id:
                errors["parent"] = "Välj en grupp i samma förbund."
            elif parent.side != self.side:
                errors["parent"] = "Intäkter och kostnader summeras var för sig."
            elif parent.parent_id is not None or (self.pk and self.children.exists()):
                errors["parent"] = (
                    "Summor över grupper har en nivå: välj en grupp utan egen summagrupp."
                )
        if (
            self.pk
            and self.side != type(self).objects.get(pk=self.pk).side
            and self.categories.filter(lines__isnull=False).exists()
        ):
            errors["side"] = "Gruppen har budgetrader; den kan inte byta sida."
        if errors:
            raise ValidationError(errors)


class BudgetCategory(Versioned):
    """A budget category within a group, e.g. "Kansli" in "Förvaltning"."""

    group = models.ForeignKey(
        BudgetGroup, verbose_name="grupp", on_delete=models.PROTECT, related_name="categories"
    )
    name = models.CharField("namn", max_length=120)
    statement = models.CharField(
        "rad i resultatbudgeten",
        max_length=12,
        choices=Statement.choices,
        default=Statement.VERKSAMHET,
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "budgetkategori"
        verbose_name_plural = "budgetkategorier"
        ordering = ["group__side", "group__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "name"],
                name="budgetcategory_unique_name",
                violation_error_message="Gruppen har redan en kategori med detta namn.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group.name} – {self.name}" if self.name != self.group.name else self.name

    def clean(self) -> None:
        if (
            self.group_id
            and self.group.side == Side.INTAKT
            and self.statement == Statement.AVSKRIVNING
        ):
            raise ValidationError({"statement": "En intäkt kan inte vara en avskrivning."})


class BudgetLineQuerySet(models.QuerySet):
    def for_plan(self, plan) -> BudgetLineQuerySet:
        return self.filter(plan=plan)


class BudgetLine(Versioned):
    """One row of a plan's budget, e.g. "Finsam-team", with an amount per year."""

    plan = models.ForeignKey(
        PLAN, verbose_name="plan", on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.ForeignKey(
        BudgetCategory, verbose_name="kategori", on_delete=models.PROTECT, related_name="lines"
    )
    name = models.CharField("benämning", max_length=200)
    note = models.TextField("fotnot", blank=True, help_text="Visas som fotnot i planen.")
    decided = models.BooleanField(
        "beslutad kostnad",
        default=True,
        help_text="Av: medel som ännu inte är fördelade (t.ex. ”Tillgängligt nya projekt”). "
        "De räknas inte som beslutade kostnader i utrymmet för ny verksamhet.",
    )
    computed_room = models.BooleanField(
        "utrymme för ny verksamhet, räknas fram",
        default=False,
        help_text="Raden budgeterar det som blir över: tillgängliga medel − övriga kostnader − "
        "golvet för eget kapital, så att året slutar på golvet. Beloppen skrivs inte in.",
    )
    share_kind = models.CharField(
        "räknas i andelen",
        max_length=12,
        choices=ShareKind.choices,
        blank=True,
        help_text="Tomt: som insatsen eller gruppen. Bara för kostnader.",
    )
    summary = models.BooleanField(
        "sammanfattande rad",
        default=False,
        help_text="Raden bär gruppens belopp de år som budgeteras per grupp (t.ex. planåren) "
        "och räknas inte de år som budgeteras rad för rad.",
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)
    # The line of an insats: its typed amounts are what the insats is granted (beviljat).
    insats = models.OneToOneField(
        "insatser.Insats",
        verbose_name="insats",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budget_line",
    )

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = "budgetrad"
        verbose_name_plural = "budgetrader"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(computed_room=True),
                name="budgetline_one_room_per_plan",
                violation_error_message="Planen har redan en rad för utrymme för ny verksamhet.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        side = self.category.group.side if self.category_id else None
        if self.share_kind and side != Side.KOSTNAD:
            raise ValidationError(
                {"share_kind": "Bara en kostnad räknas i en andel av kostnaderna."}
            )
        if self.computed_room and side != Side.KOSTNAD:
            raise ValidationError(
                {"computed_room": "Utrymmet för ny verksamhet budgeteras bland kostnaderna."}
            )
        if self.computed_room and self.insats_id:
            raise ValidationError({"computed_room": "En insats rad räknas inte fram."})
        if self.summary and self.insats_id:
            raise ValidationError({"summary": "En insats rad är en detaljrad, inte en summa."})
        if self.summary and self.computed_room:
            raise ValidationError(
                {"summary": "Utrymmet räknas fram på varje nivå; det är ingen sammanfattande rad."}
            )

    def counts_in(self, level: str) -> bool:
        """Whether the line's amount counts in a year budgeted at this level (as calc)."""
        return calc.counts_at(level, summary=self.summary, computed_room=self.computed_room)


class BudgetAmount(models.Model):
    """A budget line's amount in one year and column (budget, or prognos for the year before)."""

    line = models.ForeignKey(
        BudgetLine, verbose_name="budgetrad", on_delete=models.CASCADE, related_name="amounts"
    )
    year = models.PositiveSmallIntegerField("år")
    column = models.CharField(
        "kolumn", max_length=8, choices=ColumnKind.choices, default=ColumnKind.BUDGET
    )
    amount = money_field("belopp", default=0)
    note = models.CharField(
        "fotnot till beloppet",
        max_length=500,
        blank=True,
        help_text="Visas som fotnot vid just detta belopp, t.ex. att en del av kostnaden flyttas "
        "till nästa år.",
    )

    class Meta:
        verbose_name = "belopp"
        verbose_name_plural = "belopp"
        ordering = ["line", "year", "column"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "year", "column"],
                name="budgetamount_unique_cell",
                violation_error_message="Raden har redan ett belopp för detta år.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(amount__lte=MAX_KR),
                name="budgetamount_range",
                violation_error_message="Beloppet ska vara mellan 0 och 999 999 999 999 kr.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.year}: {self.amount}"

    def clean_read_cell(self) -> None:
        """full_clean for a cell whose line and whether it is stored were just read with the
        plan locked (budgets.services.budget_figures_set): its fields, the amount's range among
        them (AMOUNT_VALIDATORS), without asking the database what is known. The constraints
        still hold in the database."""
        self.full_clean(exclude=["line"], validate_constraints=False)


def rounding_problem(medlemsbidrag: Decimal, unit: int) -> str | None:
    """The medlemsbidrag is split into parts rounded to the förbund's unit, so it must divide
    by that unit."""
    if medlemsbidrag % unit:
        return f"Medlemsbidraget ska gå jämnt upp i förbundets avrundning till {unit} kr."
    return None


class BudgetYear(Versioned):
    """What the kansli enters for one year column of a plan (plan.year_rows): the medlemsbidrag,
    targets and balance inputs. Not to be confused with plan.budget_year, the first year."""

    plan = models.ForeignKey(
        PLAN, verbose_name="plan", on_delete=models.CASCADE, related_name="year_rows"
    )
    year = models.PositiveSmallIntegerField("år")
    column = models.CharField(
        "kolumn", max_length=8, choices=ColumnKind.choices, default=ColumnKind.BUDGET
    )
    level = models.CharField(
        "budgeteras",
        max_length=10,
        choices=Level.choices,
        default=Level.RADER,
        help_text="Per grupp: bara gruppernas sammanfattande rader räknas. Som resultatbudget: "
        "för en prognos som planen bara redovisar så.",
    )
    medlemsbidrag = money_field(
        "medlemsbidrag totalt",
        default=0,
        help_text="Årets totala tilldelning från medlemmarna; fördelas 50/25/25 av programmet.",
    )
    comparison_ib = money_field(
        "ingående eget kapital",
        null=True,
        blank=True,
        default=None,
        validators=SIGNED_AMOUNT_VALIDATORS,
        help_text="Bara för jämförelsekolumnerna (året före budgetåret).",
    )
    carried_from = models.PositiveSmallIntegerField(
        "förifyllt från år",
        null=True,
        blank=True,
        help_text="Året var förifyllt från detta år när planen skapades utifrån den förra; "
        "tomt när kansliet har sett över och bekräftat det.",
    )
    deficit_reason = models.TextField(
        "motivering till underskott detta år",
        blank=True,
        help_text="Ett planerat underskott ska motiveras. Tomt: planens gemensamma motivering "
        "gäller.",
    )
    stated_ib = money_field(
        "ingående eget kapital enligt planen",
        null=True,
        blank=True,
        default=None,
        validators=SIGNED_AMOUNT_VALIDATORS,
        help_text="Bara om planen anger ett eget belopp för ett senare planår. Budgeten räknar "
        "med förra årets utgående eget kapital; en skillnad visas som en anmärkning.",
    )
    ceiling_percent = models.DecimalField(
        "tak för eget kapital (% av medlemsbidrag)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        default=None,
        validators=[
            MinValueValidator(0, "Ange en procentsats mellan 0 och 100."),
            MaxValueValidator(100, "Ange en procentsats mellan 0 och 100."),
        ],
        help_text="Tomt tills förbundet har satt ett tak. Nationella rådet rekommenderar högst "
        "20 % för ett mindre förbund.",
    )
    ceiling_amount = money_field(
        "tak för eget kapital (belopp)",
        null=True,
        blank=True,
        default=None,
        help_text="Ersätter procentsatsen när det är ifyllt.",
    )
    floor_amount = money_field("golv för eget kapital", null=True, blank=True, default=None)
    # A förbund's own footnote on its targets ("¹ Enligt Nationella rådets rekommendation"):
    # printed numbered at the year's tak/golv, never as a row of the table.
    target_note = models.TextField(
        "fotnot till målen för eget kapital",
        blank=True,
        help_text="Visas som en numrerad fotnot vid årets tak och golv, t.ex. ”Enligt Nationella "
        "rådets rekommendation”.",
    )
    min_individ_percent = models.DecimalField(
        "minsta andel till individinriktade insatser (% av medlemsbidrag)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, "Ange en procentsats mellan 0 och 100."),
            MaxValueValidator(100, "Ange en procentsats mellan 0 och 100."),
        ],
    )
    # The resultatbudget's rows of a year budgeted at Level.RESULTAT (kronor, costs positive).
    rr_intakter = money_field(
        "verksamhetens intäkter utöver medlemsbidraget",
        default=0,
        help_text="Bara när året redovisas som resultatbudgetens rader.",
    )
    rr_kostnader = money_field("verksamhetens kostnader", default=0)
    rr_avskrivningar = money_field("avskrivningar", default=0)
    rr_finansiella_intakter = money_field("finansiella intäkter", default=0)
    rr_finansiella_kostnader = money_field("finansiella kostnader", default=0)
    anlaggningstillgangar = money_field("anläggningstillgångar", default=0)
    omsattningstillgangar = money_field(
        "omsättningstillgångar",
        null=True,
        blank=True,
        default=None,
        help_text="Fyll i för att få en balansbudget för året.",
    )
    avsattningar = money_field("avsättningar", default=0)
    langfristiga_skulder = money_field("långfristiga skulder", default=0)
    kortfristiga_skulder = money_field("kortfristiga skulder", default=0)
    balance_item = models.CharField(
        "post som räknas fram",
        max_length=24,
        blank=True,
        default="",
        choices=BALANCE_ITEM_CHOICES,
        help_text="Räknas fram ur eget kapital och de andra posterna, så att balansbudgeten "
        "alltid går ihop när budgeten ändras; det som står inmatat i den posten används inte.",
    )

    class Meta:
        verbose_name = "budgetår"
        verbose_name_plural = "budgetår"
        ordering = ["plan", "year", "column"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "column"],
                name="budgetyear_unique",
                violation_error_message="Planen har redan detta år.",
            ),
            models.CheckConstraint(
                condition=Q(medlemsbidrag__gte=0) & Q(medlemsbidrag__lte=MAX_KR),
                name="budgetyear_medlemsbidrag_range",
                violation_error_message="Medlemsbidraget ska vara mellan 0 och 999 999 999 999 kr.",
            ),
            models.CheckConstraint(
                condition=Q(balance_item__in=[key for key, _ in BALANCE_ITEM_CHOICES]),
                name="budgetyear_balance_item_known",
                violation_error_message="Välj en av balansbudgetens poster.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year} ({self.get_column_display()})"

    @property
    def has_balance(self) -> bool:
        """Whether the year has a balansbudget: entered omsättningstillgångar, or a row that is
        computed to make it balance."""
        return self.omsattningstillgangar is not None or bool(self.balance_item)

    @property
    def is_comparison(self) -> bool:
        return self.year < self.plan.budget_year

    @property
    def is_later_plan_year(self) -> bool:
        """A plan year after the budget year: its opening eget kapital rolls forward."""
        return self.year > self.plan.budget_year

    def statement_amounts(self) -> dict[tuple[str, str], Decimal]:
        """The typed resultatbudget rows as calc takes them (used at Level.RESULTAT)."""
        return {
            (side, statement): getattr(self, name).amount
            for name, side, statement in STATEMENT_INPUTS
        }

    def clean(self) -> None:
        problem = rounding_problem(self.medlemsbidrag.amount, self.plan.forbund.rounding_unit)
        if problem:
            raise ValidationError({"medlemsbidrag": problem})


# The resultatbudget rows a year at Level.RESULTAT is typed as: (field, side, statement).
STATEMENT_INPUTS = (
    ("rr_intakter", calc.INTAKT, calc.VERKSAMHET),
    ("rr_kostnader", calc.KOSTNAD, calc.VERKSAMHET),
    ("rr_avskrivningar", calc.KOSTNAD, calc.AVSKRIVNING),
    ("rr_finansiella_intakter", calc.INTAKT, calc.FINANSIELL),
    ("rr_finansiella_kostnader", calc.KOSTNAD, calc.FINANSIELL),
)


def statement_input_label(name: str) -> str:
    """How the export, the import template and the audit name a STATEMENT_INPUTS row."""
    return str(BudgetYear._meta.get_field(name).verbose_name).capitalize()


class StatementKind(models.TextChoices):
    """The two statements a förbund adds rows of its own to."""

    RESULTAT = "resultat", "Resultatbudget"
    BALANS = "balans", "Balansbudget"


class StatementNote(Versioned):
    """A row the förbund adds to its resultat- or balansbudget, as text it states
    ("Ansvarsförbindelser: Inga", "Ställda panter: 0"): shown after the computed rows, never
    counted in a sum."""

    plan = models.ForeignKey(
        PLAN, verbose_name="plan", on_delete=models.CASCADE, related_name="statement_notes"
    )
    statement = models.CharField("i", max_length=8, choices=StatementKind.choices)
    label = models.CharField(
        "post", max_length=120, help_text="Radens namn, t.ex. ”Ansvarsförbindelser”."
    )
    text = models.CharField(
        "uppgift",
        max_length=120,
        help_text="Det som står i raden för varje år, t.ex. ”Inga” eller ”0”. Räknas inte in i "
        "någon summa.",
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "egen rad i resultat- eller balansbudgeten"
        verbose_name_plural = "egna rader i resultat- och balansbudgeten"
        ordering = ["statement", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "statement", "label"],
                name="statement_note_unique_label",
                violation_error_message="Budgeten har redan en rad med det namnet.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.text}"
