"""The verksamhetsplan: one förbund's plan for a budget year and the plan years after it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from djmoney.models.fields import MoneyField

from finsam.models import Forbund

UTKAST = "utkast"
INLAMNAD = "inlamnad"
ANTAGEN = "antagen"
STATUS_CHOICES = [
    (UTKAST, "Utkast"),
    (INLAMNAD, "Inlämnad till styrelsen"),
    (ANTAGEN, "Antagen"),
]


class PlanQuerySet(models.QuerySet):
    def for_forbund(self, forbund: Forbund) -> PlanQuerySet:
        return self.filter(forbund=forbund)

    def adopted(self) -> PlanQuerySet:
        return self.filter(status=ANTAGEN)


class Plan(models.Model):
    """A förbund's verksamhetsplan and budget for budget year N with plan years N+1, N+2…"""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="plans"
    )
    budget_year = models.PositiveSmallIntegerField(
        "budgetår",
        validators=[
            MinValueValidator(2000, "Ange ett budgetår från 2000."),
            MaxValueValidator(2100, "Ange ett budgetår före 2100."),
        ],
    )
    plan_years = models.PositiveSmallIntegerField(
        "antal år i planen",
        default=3,
        validators=[
            MinValueValidator(1, "Planen omfattar minst budgetåret."),
            MaxValueValidator(5, "Planen kan omfatta högst fem år."),
        ],
        help_text="Budgetåret och planåren efter det; oftast tre år.",
    )
    version = models.PositiveSmallIntegerField("version", default=1)
    revises = models.ForeignKey(
        "self",
        verbose_name="reviderar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
    )
    status = models.CharField("status", max_length=10, choices=STATUS_CHOICES, default=UTKAST)
    show_comparison = models.BooleanField(
        "visa jämförelse med året före",
        default=False,
        help_text="Kolumner för föregående års budget och prognos, som i Södra Vätterbygdens plan.",
    )
    opening_equity = MoneyField(
        "ingående eget kapital budgetåret",
        max_digits=15,
        decimal_places=0,
        default_currency="SEK",
        default=0,
        help_text="Eget kapital vid ingången av budgetåret (balanserat resultat).",
    )
    under_use_percent = models.DecimalField(
        "planerat underutnyttjande av insatser (%)",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[
            MinValueValidator(0, "Ange en procentsats mellan 0 och 100."),
            MaxValueValidator(100, "Ange en procentsats mellan 0 och 100."),
        ],
        help_text="Insatsernas kostnader budgeteras så mycket lägre än beviljat, t.ex. 5 %.",
    )
    deficit_reason = models.TextField(
        "motivering till planerat underskott",
        blank=True,
        help_text="Budget i balans gäller; ett underskott som medvetet förbrukar sparat kapital "
        "motiveras här och visas i planen.",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "verksamhetsplan"
        verbose_name_plural = "verksamhetsplaner"
        ordering = ["-budget_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "budget_year", "version"],
                name="plan_unique_version",
                violation_error_message="Förbundet har redan en plan för detta budgetår och version.",
            ),
            models.CheckConstraint(
                condition=Q(plan_years__gte=1) & Q(plan_years__lte=5),
                name="plan_years_range",
                violation_error_message="Planen omfattar mellan ett och fem år.",
            ),
            models.CheckConstraint(
                condition=Q(under_use_percent__gte=0) & Q(under_use_percent__lte=100),
                name="plan_under_use_range",
                violation_error_message="Underutnyttjandet ska vara mellan 0 och 100 %.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.budget_year, self.budget_year + self.plan_years))

    @property
    def last_year(self) -> int:
        return self.budget_year + self.plan_years - 1

    @property
    def comparison_year(self) -> int | None:
        return self.budget_year - 1 if self.show_comparison else None

    @property
    def title(self) -> str:
        base = f"Verksamhetsplan och budget {self.budget_year}"
        if self.plan_years > 1:
            base += f" med plan för {self.budget_year + 1}"
            if self.plan_years > 2:
                base += f"–{self.last_year}"
        if self.version > 1:
            base += f" (version {self.version})"
        return base

    @property
    def is_adopted(self) -> bool:
        return self.status == ANTAGEN

    @property
    def is_editable(self) -> bool:
        return self.status == UTKAST

    def clean(self) -> None:
        if self.opening_equity is not None and abs(self.opening_equity.amount) >= 10**12:
            raise ValidationError({"opening_equity": "Beloppet är orimligt stort."})
