"""The year after adoption: utfall per konto and month, the förbund's konto map, prognoses.

Follow-up data is the förbund's own and never a change to the adopted plan: it names the plan's
budget lines by their group and name (a line of the adopted plan and of a later revision of it
are the same line), so a revision adopted in the year keeps the year's utfall and prognoses.
A line is "medlemsbidrag" when its group is empty: the members' contribution is no budget line
in the plan, yet the books carry it on accounts of their own.
"""

from __future__ import annotations

import calendar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from budgets.models import BudgetGroup
from finsam.models import SIGNED_AMOUNT_VALIDATORS, Forbund, Versioned, money_field
from followup.compute import MONTH_NAMES

MONTHS = range(1, 13)
MONTH_VALIDATORS = [
    MinValueValidator(1, message="Månaden ska vara 1–12."),
    MaxValueValidator(12, message="Månaden ska vara 1–12."),
]
YEAR_VALIDATORS = [
    MinValueValidator(2000, message="Året ska vara 2000–2100."),
    MaxValueValidator(2100, message="Året ska vara 2000–2100."),
]
# Konto numbers in Kommun-Bas and BAS are four digits, some plans use up to six.
KONTO_VALIDATORS = [
    MinValueValidator(1, message="Ett kontonummer är ett positivt heltal."),
    MaxValueValidator(999999, message="Ett kontonummer har högst sex siffror."),
]
MEDLEMSBIDRAG = "Medlemsbidrag"


class MappingTarget(models.TextChoices):
    LINE = "rad", "Budgetrad"
    MEDLEMSBIDRAG = "medlemsbidrag", "Medlemsbidrag"
    IGNORE = "ingen", "Följs inte upp"


class KontoMapping(Versioned):
    """Where the förbund's accounts land: one konto, or a range of them, to one budget line.

    A konto that several ranges cover lands in the narrowest (a single konto inside a range is
    the exception to it); two ranges of the same width may not overlap.
    """

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="konto_mappings"
    )
    konto_from = models.PositiveIntegerField("från konto", validators=KONTO_VALIDATORS)
    konto_to = models.PositiveIntegerField("till och med konto", validators=KONTO_VALIDATORS)
    target = models.CharField(
        "hamnar i", max_length=14, choices=MappingTarget.choices, default=MappingTarget.LINE
    )
    group = models.ForeignKey(
        BudgetGroup,
        verbose_name="grupp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    line_name = models.CharField("budgetrad", max_length=200, blank=True)
    confirmed = models.BooleanField(
        "bekräftad", default=False, help_text="Föreslagen av programmet tills kansliet bekräftat."
    )

    class Meta:
        verbose_name = "kontokoppling"
        verbose_name_plural = "kontokopplingar"
        ordering = ["konto_from", "konto_to"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "konto_from", "konto_to"],
                name="kontomapping_unique_range",
                violation_error_message="Kontot eller intervallet är redan kopplat.",
            ),
            models.CheckConstraint(
                condition=Q(konto_to__gte=F("konto_from")),
                name="kontomapping_range_order",
                violation_error_message="Intervallet slutar före sin början.",
            ),
            models.CheckConstraint(
                condition=(Q(target="rad") & Q(group__isnull=False) & ~Q(line_name=""))
                | (~Q(target="rad") & Q(group__isnull=True) & Q(line_name="")),
                name="kontomapping_target_line",
                violation_error_message="En koppling till en budgetrad anger raden; andra inte.",
            ),
        ]

    def __str__(self) -> str:
        return self.konto_label

    @property
    def konto_label(self) -> str:
        if self.konto_from == self.konto_to:
            return str(self.konto_from)
        return f"{self.konto_from}–{self.konto_to}"

    @property
    def width(self) -> int:
        return self.konto_to - self.konto_from

    def covers(self, konto: int) -> bool:
        return self.konto_from <= konto <= self.konto_to

    def clean(self) -> None:
        if self.konto_from and self.konto_to and self.konto_to < self.konto_from:
            raise ValidationError({"konto_to": "Intervallet slutar före sin början."})
        if self.target == MappingTarget.LINE and (not self.group_id or not self.line_name):
            raise ValidationError({"line_name": "Välj den budgetrad kontot hamnar på."})
        if self.target != MappingTarget.LINE:
            self.group, self.line_name = None, ""


class UtfallSource(models.TextChoices):
    SIE = "sie", "SIE-fil"
    EXCEL = "excel", "Excelfil"
    HAND = "hand", "Inmatat för hand"


class UtfallImport(models.Model):
    """One import of utfall: who, when, which file (its SHA-256), which months, what totals."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="utfall_imports"
    )
    year = models.PositiveSmallIntegerField("år", validators=YEAR_VALIDATORS)
    source = models.CharField("källa", max_length=6, choices=UtfallSource.choices)
    file_name = models.CharField("filnamn", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    months = models.JSONField("månader", default=list)
    total = models.DecimalField("summa i filen", max_digits=17, decimal_places=2, default=0)
    summary = models.JSONField("sammanfattning", default=dict)
    created_at = models.DateTimeField("inläst", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="inläst av",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "inläsning av utfall"
        verbose_name_plural = "inläsningar av utfall"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.year} {self.file_name}".strip()


class AccountOutcome(models.Model):
    """A konto's movement in one month as the books carry it: debit positive, in öre."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("år", validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField("månad", validators=MONTH_VALIDATORS)
    konto = models.PositiveIntegerField("konto", validators=KONTO_VALIDATORS)
    name = models.CharField("kontonamn", max_length=200)
    # The books' own amounts keep their öre (a SIE file is read to the öre); budget lines are
    # whole kronor, and the follow-up rounds only where it shows a line.
    amount = models.DecimalField("belopp", max_digits=17, decimal_places=2)
    source = models.ForeignKey(
        UtfallImport, verbose_name="inläsning", on_delete=models.PROTECT, related_name="accounts"
    )

    class Meta:
        verbose_name = "utfall per konto"
        verbose_name_plural = "utfall per konto"
        ordering = ["year", "month", "konto"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "year", "month", "konto"],
                name="accountoutcome_unique_cell",
                violation_error_message="Kontot har redan ett utfall för månaden.",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12),
                name="accountoutcome_month",
                violation_error_message="Månaden ska vara 1–12.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.konto} {self.year}-{self.month:02}: {self.amount}"


class LineOutcome(models.Model):
    """A budget line's utfall in one month, typed or read from Excel, as the plan shows it
    (income and cost both positive); for förbund that keep no SIE file."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("år", validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField("månad", validators=MONTH_VALIDATORS)
    group = models.ForeignKey(
        BudgetGroup,
        verbose_name="grupp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    line_name = models.CharField("budgetrad", max_length=200)
    amount = money_field("belopp", default=0, validators=SIGNED_AMOUNT_VALIDATORS)
    source = models.ForeignKey(
        UtfallImport,
        verbose_name="inläsning",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
    )

    class Meta:
        verbose_name = "utfall per rad"
        verbose_name_plural = "utfall per rad"
        ordering = ["year", "month", "pk"]
        constraints = [
            # A line with a group, and medlemsbidrag (no group): NULLs are distinct in a
            # unique index on every database, so each is unique on its own.
            models.UniqueConstraint(
                fields=["forbund", "year", "month", "group", "line_name"],
                condition=Q(group__isnull=False),
                name="lineoutcome_unique_cell",
                violation_error_message="Raden har redan ett utfall för månaden.",
            ),
            models.UniqueConstraint(
                fields=["forbund", "year", "month", "line_name"],
                condition=Q(group__isnull=True),
                name="lineoutcome_unique_cell_medlemsbidrag",
                violation_error_message="Raden har redan ett utfall för månaden.",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12),
                name="lineoutcome_month",
                violation_error_message="Månaden ska vara 1–12.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_name} {self.year}-{self.month:02}: {self.amount}"


class Distribution(models.TextChoices):
    EVEN = "jamn", "Jämnt över årets månader"
    PROFILE = "profil", "Efter en profil per rad"


class FollowupSettings(Versioned):
    """How the förbund follows its year: when a deviation must be explained, and how a line's
    budget is spread over the months (budget to date)."""

    forbund = models.OneToOneField(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="followup_settings"
    )
    threshold_kr = money_field(
        "avvikelse som ska förklaras, kronor",
        default=50000,
        help_text="En avvikelse mot budget hittills som är minst så stor i kronor …",
    )
    threshold_percent = models.DecimalField(
        "avvikelse som ska förklaras, procent",
        max_digits=5,
        decimal_places=1,
        default=10,
        validators=[
            MinValueValidator(0, message="Procenten kan inte vara negativ."),
            MaxValueValidator(1000, message="Ange högst 1000 procent."),
        ],
        help_text="… och minst så stor i procent ska förklaras.",
    )
    distribution = models.CharField(
        "budget hittills", max_length=6, choices=Distribution.choices, default=Distribution.EVEN
    )

    class Meta:
        verbose_name = "inställningar för uppföljning"
        verbose_name_plural = "inställningar för uppföljning"

    def __str__(self) -> str:
        return f"Uppföljning {self.forbund}"


class MonthProfile(Versioned):
    """A line's budget spread over the months by weights (e.g. no cost in July)."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        BudgetGroup,
        verbose_name="grupp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    line_name = models.CharField("budgetrad", max_length=200)
    weights = models.JSONField("vikter per månad", default=list)

    class Meta:
        verbose_name = "månadsprofil"
        verbose_name_plural = "månadsprofiler"
        constraints = [
            # A line with a group, and medlemsbidrag (no group): NULLs are distinct in a
            # unique index on every database, so each is unique on its own.
            models.UniqueConstraint(
                fields=["forbund", "group", "line_name"],
                condition=Q(group__isnull=False),
                name="monthprofile_unique_line",
                violation_error_message="Raden har redan en månadsprofil.",
            ),
            models.UniqueConstraint(
                fields=["forbund", "line_name"],
                condition=Q(group__isnull=True),
                name="monthprofile_unique_line_medlemsbidrag",
                violation_error_message="Raden har redan en månadsprofil.",
            ),
        ]

    def __str__(self) -> str:
        return self.line_name

    def clean(self) -> None:
        weights = self.weights
        if (
            not isinstance(weights, list)
            or len(weights) != 12
            or not all(isinstance(w, int) and 0 <= w <= 1000 for w in weights)
            or not any(weights)
        ):
            raise ValidationError(
                {"weights": "Ange tolv vikter, en per månad, hela tal 0–1000, inte alla noll."}
            )


class PrognosMethod(models.TextChoices):
    REST = "rest", "Utfall hittills + återstående budget"
    LINEAR = "linjar", "Utfall hittills × 12 / månader"
    HAND = "hand", "Eget belopp"


class Prognos(Versioned):
    """A forecast of the whole year, made after a month (typically a tertial's last: April,
    August). Reported to the board it is locked: later prognoses never change it."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="prognoser"
    )
    year = models.PositiveSmallIntegerField("år", validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(
        "utfall till och med månad", validators=MONTH_VALIDATORS
    )
    created_at = models.DateTimeField("gjord", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="gjord av",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField("kommentar", blank=True)
    reported_at = models.DateTimeField("rapporterad", null=True, blank=True)
    meeting_date = models.DateField("styrelsemöte", null=True, blank=True)
    paragraph = models.CharField("protokollsparagraf", max_length=20, blank=True)

    class Meta:
        verbose_name = "prognos"
        verbose_name_plural = "prognoser"
        ordering = ["year", "month", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12),
                name="prognos_month",
                violation_error_message="Månaden ska vara 1–12.",
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(meeting_date__isnull=False),
                name="prognos_reported_meeting",
                violation_error_message="En rapporterad prognos anger styrelsemötet.",
            ),
        ]

    def __str__(self) -> str:
        return f"Prognos {self.as_of_label}"

    @property
    def is_locked(self) -> bool:
        return self.reported_at is not None

    @property
    def as_of_label(self) -> str:
        return f"per {month_end_label(self.year, self.month)}"


class PrognosLine(models.Model):
    """One line's forecast for the whole year in a prognos, and the explanation of its
    deviation where the förbund's threshold asks for one."""

    prognos = models.ForeignKey(
        Prognos, verbose_name="prognos", on_delete=models.CASCADE, related_name="lines"
    )
    group = models.ForeignKey(
        BudgetGroup,
        verbose_name="grupp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    line_name = models.CharField("budgetrad", max_length=200)
    method = models.CharField(
        "förifylld som", max_length=6, choices=PrognosMethod.choices, default=PrognosMethod.REST
    )
    amount = money_field("prognos för helåret", default=0, validators=SIGNED_AMOUNT_VALIDATORS)
    reason = models.CharField("orsak", max_length=20, blank=True)
    explanation = models.CharField("förklaring av avvikelsen", max_length=500, blank=True)

    class Meta:
        verbose_name = "prognosrad"
        verbose_name_plural = "prognosrader"
        ordering = ["pk"]
        constraints = [
            # A line with a group, and medlemsbidrag (no group): NULLs are distinct in a
            # unique index on every database, so each is unique on its own.
            models.UniqueConstraint(
                fields=["prognos", "group", "line_name"],
                condition=Q(group__isnull=False),
                name="prognosline_unique_line",
                violation_error_message="Raden finns redan i prognosen.",
            ),
            models.UniqueConstraint(
                fields=["prognos", "line_name"],
                condition=Q(group__isnull=True),
                name="prognosline_unique_line_medlemsbidrag",
                violation_error_message="Raden finns redan i prognosen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_name}: {self.amount}"


class Reason(models.TextChoices):
    """The preset reasons of a deviation (a free text follows)."""

    PERIODISERING = "periodisering", "Periodisering (kostnaden kommer senare)"
    VERKSAMHET = "verksamhet", "Förändrad verksamhet"
    PERSONAL = "personal", "Vakans eller personalförändring"
    ENGANGS = "engangs", "Engångshändelse"
    FINANSIERING = "finansiering", "Ändrad finansiering"
    ANNAT = "annat", "Annat"


def month_end_label(year: int, month: int) -> str:
    """ "31 augusti 2025": the last day of a month, as a prognos and a report name it."""
    return f"{calendar.monthrange(year, month)[1]} {MONTH_NAMES[month - 1]} {year}"


class PendingUpload(models.Model):
    """A file read for a preview and kept until the kansli confirms or drops the import (on any
    server: the preview and the confirmation may reach different ones)."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="av", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("år", validators=YEAR_VALIDATORS)
    file_name = models.CharField("filnamn", max_length=255)
    data = models.BinaryField("innehåll")
    mapping_name = models.CharField("kontokarta, filnamn", max_length=255, blank=True)
    mapping_data = models.BinaryField("kontokarta", null=True, blank=True)
    created_at = models.DateTimeField("läst", auto_now_add=True)

    class Meta:
        verbose_name = "fil som väntar på inläsning"
        verbose_name_plural = "filer som väntar på inläsning"

    def __str__(self) -> str:
        return self.file_name


class PlanSourceKind(models.TextChoices):
    PROGNOS = "prognos", "Prognos"
    BOKSLUT = "bokslut", "Bokslut"


class PlanSource(models.Model):
    """Where a carried-forward plan's opening eget kapital came from: the year before's latest
    prognos, or its bokslut; the text is what the plan's pages say of it."""

    plan = models.OneToOneField(
        "plans.Plan",
        verbose_name="plan",
        on_delete=models.CASCADE,
        related_name="followup_source",
    )
    kind = models.CharField("ur", max_length=8, choices=PlanSourceKind.choices)
    year = models.PositiveSmallIntegerField("året före", validators=YEAR_VALIDATORS)
    prognos = models.ForeignKey(
        Prognos,
        verbose_name="prognos",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opening_equity = money_field(
        "ingående eget kapital enligt uppföljningen", validators=SIGNED_AMOUNT_VALIDATORS
    )
    text = models.TextField("vad planen säger om det")
    updated_at = models.DateTimeField("satt", auto_now=True)

    class Meta:
        verbose_name = "planens ingående eget kapital ur uppföljningen"
        verbose_name_plural = "planers ingående eget kapital ur uppföljningen"

    def __str__(self) -> str:
        return self.text


class ClosedYear(models.Model):
    """A year whose utfall the kansli has declared complete (bokslutat), with the real UB."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="closed_years"
    )
    year = models.PositiveSmallIntegerField("år", validators=YEAR_VALIDATORS)
    closed_at = models.DateTimeField("bokslutat", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="bokslutat av",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ub = money_field("utgående eget kapital enligt bokslutet", validators=SIGNED_AMOUNT_VALIDATORS)

    class Meta:
        verbose_name = "bokslutat år"
        verbose_name_plural = "bokslutade år"
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "year"],
                name="closedyear_unique",
                violation_error_message="Året är redan bokslutat.",
            ),
        ]

    def __str__(self) -> str:
        return f"Bokslut {self.year}"


class InsatsDeltagare(Versioned):
    """How many took part in an insats in the year, as FK's national follow-up asks it.

    The insats is named as the plan names it: a revision of the plan makes new insats rows
    with the same names, and the year's count must stay with them (as a line by its name)."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("år")
    insats_name = models.CharField("insats", max_length=200)
    total = models.PositiveIntegerField("antal deltagare")
    women = models.PositiveIntegerField("varav kvinnor", null=True, blank=True)
    men = models.PositiveIntegerField("varav män", null=True, blank=True)

    class Meta:
        verbose_name = "deltagare i en insats"
        verbose_name_plural = "deltagare i insatser"
        ordering = ["forbund", "year", "insats_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "year", "insats_name"],
                name="insatsdeltagare_unique",
                violation_error_message="Insatsen har redan deltagare för året.",
            ),
            models.CheckConstraint(
                condition=Q(women__isnull=True) | Q(women__lte=F("total")),
                name="insatsdeltagare_women_le_total",
                violation_error_message="Kvinnor kan inte vara fler än deltagarna.",
            ),
            models.CheckConstraint(
                condition=Q(men__isnull=True) | Q(men__lte=F("total")),
                name="insatsdeltagare_men_le_total",
                violation_error_message="Män kan inte vara fler än deltagarna.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insats_name} {self.year}"

    def clean(self) -> None:
        if (self.women or 0) + (self.men or 0) > (self.total or 0):
            raise ValidationError(
                {"men": "Kvinnor och män kan tillsammans inte vara fler än deltagarna."}
            )


# The delårsrapport, a reviewed document of the year (its own module).
from followup.models_report import (  # noqa: E402, F401
    DEFAULT_SECTIONS,
    Delarsrapport,
    ReportApproval,
    ReportComment,
    ReportPdf,
    ReportRound,
    ReportSection,
)
